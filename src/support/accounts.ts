import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Customer, Db, Transaction } from '../store/schema.js';
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

/** A copy of the customer record without the password hash (lookups are for identity, not secrets). */
function withoutSecrets(c: Customer): Customer {
  const { passwordHash: _hash, ...rest } = structuredClone(c);
  return rest;
}

export function customerView(c: Customer): AccountDetails['customer'] {
  return { id: c.id, name: c.name, email: c.email, phone: c.phone, address: { ...c.address } };
}

function maskedCards(db: Readonly<Db>, customerId: string): MaskedCard[] {
  return db.cards
    .filter((card) => card.customerId === customerId)
    .map((card) => ({ id: card.id, brand: card.brand, last4: card.last4, status: card.status, expMonth: card.expMonth, expYear: card.expYear, accountId: card.accountId }));
}

/** Start of the day for a date-only value, the instant itself otherwise; `until` dates include the whole day. */
function bound(value: string, endOfDay: boolean): number {
  const t = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return value.length === 10 && endOfDay ? t + 86_400_000 - 1 : t;
}

export function createAccounts(ctx: SupportContext): Support['accounts'] {
  return {
    details(caller) {
      const db = ctx.store.read();
      const customer = requireCustomer(db, caller);
      return {
        customer: customerView(customer),
        accounts: db.accounts
          .filter((a) => a.customerId === customer.id)
          .map((a) => ({ id: a.id, type: a.type, currency: a.currency, balanceMinor: a.balanceMinor, status: a.status })),
        cards: maskedCards(db, customer.id),
      };
    },

    balance(caller): Balance[] {
      const db = ctx.store.read();
      const customer = requireCustomer(db, caller);
      return db.accounts
        .filter((a) => a.customerId === customer.id)
        .map((a) => ({ accountId: a.id, type: a.type, currency: a.currency, balanceMinor: a.balanceMinor, formatted: ctx.money(a.balanceMinor, a.currency) }));
    },

    transactions(caller, q: TransactionQuery): Transaction[] {
      const query = parseInput(transactionQuerySchema, q ?? {}, 'transaction query');
      const db = ctx.store.read();
      const customer = requireCustomer(db, caller);
      const own = new Set(db.accounts.filter((a) => a.customerId === customer.id).map((a) => a.id));
      if (query.accountId !== undefined && !own.has(query.accountId)) {
        throw new AppError('not_found', `No account ${query.accountId} was found for you.`);
      }
      const since = query.since ? bound(query.since, false) : -Infinity;
      const until = query.until ? bound(query.until, true) : Infinity;
      if (since > until) throw new AppError('bad_input', 'Invalid transaction query: since is after until.');
      const accounts = query.accountId ? new Set([query.accountId]) : own;
      return db.transactions
        .filter((t) => accounts.has(t.accountId))
        .filter((t) => {
          const at = Date.parse(t.postedAt);
          return at >= since && at <= until;
        })
        .sort((a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt))
        .slice(0, query.limit ?? 10)
        .map((t) => ({ ...t }));
    },

    updateAddress: (caller, address: AddressUpdate, rctx) => requestAddressChange(ctx, caller, address, rctx),
    ...createAddressConfirm(ctx),

    findCustomer(caller, query) {
      requireStaff(ctx, caller);
      const q = parseInput(findQuerySchema, query, 'customer search').toLowerCase();
      return ctx.store
        .read()
        .customers.filter((c) => c.id.toLowerCase().includes(q) || c.name.toLowerCase().includes(q) || c.email.toLowerCase().includes(q) || c.slackUserId?.toLowerCase() === q)
        .slice(0, 25)
        .map((c) => ({ id: c.id, name: c.name, email: c.email, slackUserId: c.slackUserId }));
    },

    customerBySlackUserId(slackUserId) {
      if (typeof slackUserId !== 'string' || !slackUserId) return undefined;
      const found = ctx.store.read().customers.find((c) => c.slackUserId === slackUserId);
      return found ? withoutSecrets(found) : undefined;
    },

    customerByEmail(email) {
      if (typeof email !== 'string' || !email.trim()) return undefined;
      const wanted = email.trim().toLowerCase();
      const found = ctx.store.read().customers.find((c) => c.email.toLowerCase() === wanted);
      return found ? withoutSecrets(found) : undefined;
    },

    customer(id) {
      if (typeof id !== 'string') return undefined;
      const found = ctx.store.read().customers.find((c) => c.id === id);
      return found ? withoutSecrets(found) : undefined;
    },
  };
}

