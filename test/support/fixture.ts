import { fileURLToPath } from 'node:url';
import type { Repositories } from '../../src/store/repos/index.js';
import { emptyDb, type Db, type Ticket } from '../../src/store/schema.js';
import { createSupport, type Caller, type Support } from '../../src/support/index.js';
import { reposFor } from '../helpers/test-engine.js';
import { snapshot as snapshotOf } from './repo-view.js';

export const KB_DIR = fileURLToPath(new URL('../../data/kb', import.meta.url));
export const START = new Date('2026-03-10T12:00:00.000Z');

export const ANN: Caller = { kind: 'customer', customerId: 'cus_ann' };
export const BOB: Caller = { kind: 'customer', customerId: 'cus_bob' };
export const STAFF: Caller = { kind: 'staff', staffId: 'U_STAFF' };
export const STAFF2: Caller = { kind: 'staff', staffId: 'U_STAFF2' };
export const NOT_STAFF: Caller = { kind: 'staff', staffId: 'U_RANDOM' };
export const ANON: Caller = { kind: 'anonymous' };

const addr = (line1: string, city: string, postalCode: string, country: string) => ({ line1, city, postalCode, country });

function ticket(id: string, customerId: string | null, fields: Partial<Ticket>): Ticket {
  const createdAt = fields.createdAt ?? '2026-03-01T09:00:00.000Z';
  return {
    id, customerId, subject: 'Question', description: 'A question', channel: 'email', priority: 'normal', category: 'general', sentiment: 0,
    status: 'open', createdAt, updatedAt: createdAt, messages: [], history: [{ at: createdAt, from: null, to: 'open', by: { kind: 'customer', id: customerId ?? '' } }],
    ...fields,
  };
}

/** A small, hand-made database: two customers with accounts, cards, transactions and a few tickets. */
export function fixtureDb(): Db {
  const db = emptyDb();
  db.customers.push(
    { id: 'cus_ann', name: 'Ann Lee', email: 'Ann.Lee@example.com', phone: '+1 555 0100', address: addr('1 Oak St', 'Springfield', '12345', 'US'), slackUserId: 'U_ANN', createdAt: '2024-01-01T00:00:00.000Z' },
    { id: 'cus_bob', name: 'Bob Stone', email: 'bob@example.org', address: addr('9 Elm Rd', 'Leeds', 'LS1 4AB', 'GB'), createdAt: '2024-02-01T00:00:00.000Z' },
  );
  db.accounts.push(
    { id: 'acc_ann_chk', customerId: 'cus_ann', type: 'checking', currency: 'USD', balanceMinor: 123456, status: 'open', openedAt: '2024-01-01T00:00:00.000Z' },
    { id: 'acc_ann_sav', customerId: 'cus_ann', type: 'savings', currency: 'JPY', balanceMinor: 50000, status: 'open', openedAt: '2024-01-01T00:00:00.000Z' },
    { id: 'acc_bob_chk', customerId: 'cus_bob', type: 'checking', currency: 'EUR', balanceMinor: -2550, status: 'open', openedAt: '2024-02-01T00:00:00.000Z' },
  );
  db.cards.push(
    { id: 'card_ann_1', customerId: 'cus_ann', accountId: 'acc_ann_chk', brand: 'visa', last4: '4242', status: 'active', expMonth: 5, expYear: 2029 },
    { id: 'card_ann_2', customerId: 'cus_ann', accountId: 'acc_ann_chk', brand: 'mastercard', last4: '1111', status: 'deactivated', expMonth: 1, expYear: 2027, deactivatedAt: '2025-12-01T00:00:00.000Z' },
    { id: 'card_bob_1', customerId: 'cus_bob', accountId: 'acc_bob_chk', brand: 'amex', last4: '0005', status: 'active', expMonth: 7, expYear: 2028 },
  );
  // Ann: 12 transactions on checking, one per day from 2026-02-26 to 2026-03-09; 2 on savings; Bob: 3.
  for (let i = 0; i < 12; i++) {
    const day = new Date(Date.UTC(2026, 1, 26 + i, 10)).toISOString();
    db.transactions.push({ id: `tx_ann_${i}`, accountId: 'acc_ann_chk', postedAt: day, merchant: `Shop ${i}`, amountMinor: -(100 + i), currency: 'USD', category: 'shopping', status: 'posted' });
  }
  db.transactions.push(
    { id: 'tx_ann_s1', accountId: 'acc_ann_sav', postedAt: '2026-03-05T08:00:00.000Z', merchant: 'Interest', amountMinor: 12, currency: 'JPY', category: 'interest', status: 'posted' },
    { id: 'tx_ann_s2', accountId: 'acc_ann_sav', postedAt: '2026-01-05T08:00:00.000Z', merchant: 'Interest', amountMinor: 11, currency: 'JPY', category: 'interest', status: 'posted' },
  );
  for (let i = 0; i < 3; i++) {
    db.transactions.push({ id: `tx_bob_${i}`, accountId: 'acc_bob_chk', postedAt: new Date(Date.UTC(2026, 2, 1 + i, 10)).toISOString(), merchant: 'Café', amountMinor: -450, currency: 'EUR', category: 'dining', status: 'posted' });
  }
  db.tickets.push(
    ticket('T-1001', 'cus_ann', {
      subject: 'Fee question', category: 'billing', channel: 'slack', sentiment: -0.2, status: 'resolved',
      createdAt: '2026-03-08T10:00:00.000Z', firstResponseAt: '2026-03-08T10:30:00.000Z', resolvedAt: '2026-03-08T12:00:00.000Z',
      messages: [
        { id: 'm1', at: '2026-03-08T10:30:00.000Z', author: { kind: 'staff', id: 'U_STAFF' }, visibility: 'public', body: 'We refunded the fee.' },
        { id: 'm2', at: '2026-03-08T10:31:00.000Z', author: { kind: 'staff', id: 'U_STAFF' }, visibility: 'internal', body: 'INTERNAL: goodwill refund' },
      ],
    }),
    ticket('T-1002', 'cus_bob', { subject: 'Card declined', category: 'card', channel: 'email', sentiment: 0.4, createdAt: '2026-03-09T08:00:00.000Z', firstResponseAt: '2026-03-09T09:30:00.000Z', status: 'in_progress' }),
    ticket('T-1003', null, { subject: 'Opening hours', category: 'general', channel: 'email', contact: 'visitor@example.net', sentiment: 0.1, createdAt: '2026-03-10T08:00:00.000Z' }),
  );
  db.notes.push({ id: 'note_1', customerId: 'cus_bob', author: { kind: 'staff', id: 'U_STAFF' }, body: 'Prefers email.', createdAt: '2026-03-01T00:00:00.000Z' });
  return db;
}

export interface Harness { support: Support; repos: Repositories; clock: { now: Date }; advance(minutes: number): void }

/**
 * Support over the fixture, on the test engine (memory, or PostgreSQL in the `postgres` project).
 * `wrap` gives support other repositories than the harness reads (e.g. ones that fail on purpose). */
export async function makeSupport(opts: { db?: Db; approvalTtlMinutes?: number; resetTokenTtlMinutes?: number; kbDir?: string; resetDelivery?: boolean; devMailbox?: boolean; wrap?: (r: Repositories) => Repositories } = {}): Promise<Harness> {
  const repos = await reposFor(opts.db ?? fixtureDb());
  const clock = { now: new Date(START) };
  const support = createSupport({
    repos: opts.wrap ? opts.wrap(repos) : repos,
    kbDir: opts.kbDir ?? KB_DIR,
    staff: { isStaff: (id) => id === 'U_STAFF' || id === 'U_STAFF2' },
    approvalTtlMinutes: opts.approvalTtlMinutes ?? 60,
    resetTokenTtlMinutes: opts.resetTokenTtlMinutes ?? 30,
    publicBaseUrl: 'https://help.example.com/',
    clock: () => new Date(clock.now),
    ...(opts.resetDelivery === undefined ? {} : { resetDelivery: opts.resetDelivery }),
    ...(opts.devMailbox === undefined ? {} : { devMailbox: opts.devMailbox }),
  });
  return { support, repos, clock, advance: (minutes) => { clock.now = new Date(clock.now.getTime() + minutes * 60_000); } };
}

/** What the fixture's customers have and what the audit log names, read through the repositories: compare before/after a rejected operation. */
export const snapshot = (h: Pick<Harness, 'repos'>) => snapshotOf(h.repos, ['cus_ann', 'cus_bob']);

export { auditLog, allTickets, systemMails } from './repo-view.js';

/**
 * Repositories whose `outbox.enqueue` fails (inside transactions too): a step that queues a mail must then leave
 * nothing behind.
 */
export function failingOutbox(repos: Repositories): Repositories {
  const outbox = { ...repos.outbox, enqueue: () => Promise.reject(new Error('outbox unavailable')) };
  return { ...repos, outbox, transaction: (fn) => repos.transaction((tx) => fn(failingOutbox(tx))) };
}
