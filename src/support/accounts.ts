import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Card, Customer, Transaction } from '../store/schema.js';
import type { AccountDetails, AddressUpdate, Balance, MaskedCard, Support, TransactionQuery } from './api.js';
import { createAddressConfirm } from './address-confirm.js';
import { requestAddressChange } from './address-request.js';
import { requireCustomer, requireStaff } from './authority.js';
import type { SupportContext } from './context.js';
import { idString, isoDate, parseInput, text } from './validation.js';

const transactionQuerySchema = z.strictObject({
  accountId: idString.optional(),
  limit: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
});

const findQuerySchema = text(200);
const FIND_LIMIT = 25;

/** A copy of the customer record without the password hash (lookups are for identity, not secrets). */
function withoutSecrets(c: Customer | undefined): Customer | undefined {
  if (!c) return undefined;
  const { passwordHash: _hash, ...rest } = c;
  return rest;
}

export function customerView(c: Customer): AccountDetails['customer'] {
  return { id: c.id, name: c.name, email: c.email, phone: c.phone, address: { ...c.address } };
}

function maskedCard(card: Card): MaskedCard {
  return { id: card.id, brand: card.brand, last4: card.last4, status: card.status, expMonth: card.expMonth, expYear: card.expYear, accountId: card.accountId };
}

/** Start of the day for a date-only value, the instant itself otherwise; `until` dates include the whole day. */
function bound(value: string, endOfDay: boolean): number {
  const t = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return value.length === 10 && endOfDay ? t + 86_400_000 - 1 : t;
}

export function createAccounts(ctx: SupportContext): Support['accounts'] {
  const { repos } = ctx;
  return {
    async details(caller) {
      const customer = await requireCustomer(repos, caller);
      const [accounts, cards] = await Promise.all([repos.customers.accountsOf(customer.id), repos.customers.cardsOf(customer.id)]);
      return {
        customer: customerView(customer),
        accounts: accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency, balanceMinor: a.balanceMinor, status: a.status })),
        cards: cards.map(maskedCard),
      };
    },

    async balance(caller): Promise<Balance[]> {
      const customer = await requireCustomer(repos, caller);
      return (await repos.customers.accountsOf(customer.id))
        .map((a) => ({ accountId: a.id, type: a.type, currency: a.currency, balanceMinor: a.balanceMinor, formatted: ctx.money(a.balanceMinor, a.currency) }));
    },

    async transactions(caller, q: TransactionQuery): Promise<Transaction[]> {
      const query = parseInput(transactionQuerySchema, q ?? {}, 'transaction query');
      const customer = await requireCustomer(repos, caller);
      const own = (await repos.customers.accountsOf(customer.id)).map((a) => a.id);
      if (query.accountId !== undefined && !own.includes(query.accountId)) {
        throw new AppError('not_found', `No account ${query.accountId} was found for you.`);
      }
      const since = query.since ? bound(query.since, false) : undefined;
      const until = query.until ? bound(query.until, true) : undefined;
      if (since !== undefined && until !== undefined && since > until) throw new AppError('bad_input', 'Invalid transaction query: since is after until.');
      return repos.customers.transactions({
        accountIds: query.accountId ? [query.accountId] : own,
        since: since === undefined ? undefined : new Date(since).toISOString(),
        until: until === undefined ? undefined : new Date(until).toISOString(),
        limit: query.limit ?? 10,
      });
    },

    updateAddress: (caller, address: AddressUpdate, rctx) => requestAddressChange(ctx, caller, address, rctx),
    ...createAddressConfirm(ctx),

    async findCustomer(caller, query) {
      requireStaff(ctx, caller);
      const q = parseInput(findQuerySchema, query, 'customer search');
      return (await repos.customers.search(q, FIND_LIMIT)).map((c) => ({ id: c.id, name: c.name, email: c.email, slackUserId: c.slackUserId }));
    },

    async customerBySlackUserId(slackUserId) {
      if (typeof slackUserId !== 'string' || !slackUserId) return undefined;
      return withoutSecrets(await repos.customers.findBySlackUserId(slackUserId));
    },

    async customerByEmail(email) {
      if (typeof email !== 'string' || !email.trim()) return undefined;
      return withoutSecrets(await repos.customers.findByEmail(email));
    },

    async customer(id) {
      if (typeof id !== 'string' || !id) return undefined;
      return withoutSecrets(await repos.customers.get(id));
    },
  };
}
