import { AppError } from '../../errors.js';
import type { Card, Customer } from '../schema.js';
import type { CasResult } from '../repos/common.js';
import { checkLimit, instant } from '../repos/common.js';
import type { CustomerRepository } from '../repos/customers.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';
import { cmp } from './util.js';

export function memoryCustomers(s: MemoryState, run: Run): CustomerRepository {
  const mustHave = (table: { has(k: string): boolean }, id: string, what: string) => {
    if (!table.has(id)) throw new AppError('not_found', `No ${what} ${id} was found.`);
  };
  /** Compare-and-set on a card's status: won when it is one of `from`. */
  const cardCas = (cardId: string, from: readonly Card['status'][], change: Partial<Card>): CasResult<Card> => {
    const card = s.cards.get(cardId);
    if (!card || !from.includes(card.status)) return { won: false, record: card };
    return { won: true, record: s.cards.put({ ...card, ...change }) };
  };

  return {
    get: (id) => run(() => s.customers.get(id)),
    getMany: (ids) => run(() => {
      if (ids.length > 200) throw new AppError('bad_input', 'At most 200 customers at once.');
      return ids.map((id) => s.customers.get(id)).filter((c): c is Customer => c !== undefined);
    }),
    findByEmail: (email) => run(() => s.customers.where('email', email.trim().toLowerCase())[0]),
    findBySlackUserId: (id) => run(() => (id ? s.customers.where('slack', id)[0] : undefined)),

    search: (query, limit) => run(() => {
      checkLimit(limit);
      const q = query.trim().toLowerCase();
      if (!q) throw new AppError('bad_input', 'The search query is empty.');
      const hit = (c: Customer) => c.id.toLowerCase().includes(q) || c.name.toLowerCase().includes(q) || c.email.toLowerCase().includes(q) || c.slackUserId?.toLowerCase() === q;
      return s.customers.scan().filter(hit).sort((a, b) => cmp(a.id, b.id)).slice(0, limit);
    }),

    create: (customer) => run(() => { s.customers.insert(customer); }),

    setAddress: (id, address) => run(() => {
      const c = s.customers.get(id);
      return c ? s.customers.put({ ...c, address }) : undefined;
    }),

    setPasswordHash: (id, passwordHash, changedAt) => run(() => {
      const c = s.customers.get(id);
      if (!c) return false;
      s.customers.put({ ...c, passwordHash, passwordChangedAt: changedAt });
      return true;
    }),

    addAccount: (account) => run(() => {
      mustHave(s.customers, account.customerId, 'customer');
      s.accounts.insert(account);
    }),
    getAccount: (id) => run(() => s.accounts.get(id)),
    accountsOf: (customerId) => run(() =>
      s.accounts.where('customer', customerId).sort((a, b) => instant(a.openedAt) - instant(b.openedAt) || cmp(a.id, b.id))),

    addCard: (card) => run(() => {
      mustHave(s.customers, card.customerId, 'customer');
      mustHave(s.accounts, card.accountId, 'account');
      s.cards.insert(card);
    }),
    getCard: (id) => run(() => s.cards.get(id)),
    cardsOf: (customerId) => run(() => s.cards.where('customer', customerId)),

    deactivateCard: (cardId, at) => run(() => cardCas(cardId, ['active', 'frozen'], { status: 'deactivated', deactivatedAt: at })),
    freezeCard: (cardId) => run(() => cardCas(cardId, ['active'], { status: 'frozen' })),
    unfreezeCard: (cardId) => run(() => cardCas(cardId, ['frozen'], { status: 'active' })),

    addTransaction: (transaction) => run(() => {
      mustHave(s.accounts, transaction.accountId, 'account');
      s.transactions.insert(transaction);
    }),

    transactions: (q) => run(() => {
      checkLimit(q.limit);
      if (q.accountIds.length > 100) throw new AppError('bad_input', 'At most 100 accounts per transaction query.');
      const since = q.since === undefined ? -Infinity : instant(q.since, 'since');
      const until = q.until === undefined ? Infinity : instant(q.until, 'until');
      return [...new Set(q.accountIds)]
        .flatMap((id) => s.transactions.where('account', id))
        .filter((t) => instant(t.postedAt) >= since && instant(t.postedAt) <= until)
        .sort((a, b) => instant(b.postedAt) - instant(a.postedAt) || cmp(b.id, a.id))
        .slice(0, q.limit);
    }),
  };
}
