/**
 * A small, fully known database for the MCP tests, the real business layer over the memory repositories,
 * and helpers to talk to the tools through a real SDK Client over the in-memory transport.
 */
import { fileURLToPath } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { emptyDb, type Db, type Ticket } from '../../src/store/schema.js';
import { createSupport } from '../../src/support/index.js';
import type { Support } from '../../src/support/api.js';
import type { Caller, RequestContext } from '../../src/support/caller.js';
import { connectInProcess, type CreateMcpServerOptions, type InProcessConnection } from '../../src/mcp/index.js';
import { snapshot } from '../support/repo-view.js';

export { allTickets, auditLog, systemMails, type Snapshot } from '../support/repo-view.js';

export const NOW = '2026-03-15T12:00:00.000Z';
export const KB_DIR = fileURLToPath(new URL('./fixtures/kb', import.meta.url));
export const STAFF_IDS = ['U_STAFF1', 'U_STAFF2'];

export const ALICE: Caller = { kind: 'customer', customerId: 'cus_001' };
export const BOB: Caller = { kind: 'customer', customerId: 'cus_002' };
export const STAFF: Caller = { kind: 'staff', staffId: 'U_STAFF1' };
export const STAFF2: Caller = { kind: 'staff', staffId: 'U_STAFF2' };
export const ANON: Caller = { kind: 'anonymous' };

const daysAgo = (d: number, hour = 10) => new Date(Date.parse(NOW) - d * 86_400_000 + (hour - 12) * 3_600_000).toISOString();
const staffActor = { kind: 'staff' as const, id: 'U_STAFF1' };

function ticket(t: Partial<Ticket> & Pick<Ticket, 'id' | 'customerId' | 'subject' | 'status'>): Ticket {
  const createdAt = t.createdAt ?? daysAgo(5);
  return {
    description: `${t.subject}. Please help.`, channel: 'slack', priority: 'normal', category: 'general', sentiment: 0,
    createdAt, updatedAt: createdAt, messages: [], history: [{ at: createdAt, from: null, to: 'open', by: { kind: 'system', id: 'helpline' } }],
    ...t,
  };
}

export function fixtureDb(): Db {
  const db = emptyDb();
  db.customers.push(
    { id: 'cus_001', name: 'Alice Martin', email: 'alice@example.com', phone: '+1 555 0101', slackUserId: 'U_ALICE', createdAt: '2024-01-10T09:00:00.000Z',
      address: { line1: '12 Elm Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' } },
    { id: 'cus_002', name: 'Bob Chen', email: 'bob@example.org', createdAt: '2024-05-02T09:00:00.000Z',
      address: { line1: 'Hauptstrasse 5', city: 'Berlin', postalCode: '10115', country: 'DE' } },
    { id: 'cus_003', name: 'Carol Diaz', email: 'carol@example.net', createdAt: '2025-02-02T09:00:00.000Z',
      address: { line1: '1 Harbour Road', city: 'Dublin', postalCode: 'D01 F5P2', country: 'IE' } },
  );
  db.accounts.push(
    { id: 'acc_001a', customerId: 'cus_001', type: 'checking', currency: 'USD', balanceMinor: 123_456, status: 'open', openedAt: '2024-01-10T09:00:00.000Z' },
    { id: 'acc_001b', customerId: 'cus_001', type: 'savings', currency: 'USD', balanceMinor: 500_000, status: 'open', openedAt: '2024-01-10T09:00:00.000Z' },
    { id: 'acc_002', customerId: 'cus_002', type: 'checking', currency: 'EUR', balanceMinor: 98_765, status: 'open', openedAt: '2024-05-02T09:00:00.000Z' },
    { id: 'acc_003', customerId: 'cus_003', type: 'checking', currency: 'EUR', balanceMinor: 1_000, status: 'open', openedAt: '2025-02-02T09:00:00.000Z' },
  );
  db.cards.push(
    { id: 'card_001a', customerId: 'cus_001', accountId: 'acc_001a', brand: 'visa', last4: '4242', status: 'active', expMonth: 8, expYear: 2028 },
    { id: 'card_001b', customerId: 'cus_001', accountId: 'acc_001a', brand: 'mastercard', last4: '5555', status: 'deactivated', expMonth: 1, expYear: 2027, deactivatedAt: daysAgo(30) },
    // Bob has a card with the same last 4 digits as Alice's, and one only he has.
    { id: 'card_002a', customerId: 'cus_002', accountId: 'acc_002', brand: 'visa', last4: '4242', status: 'active', expMonth: 3, expYear: 2029 },
    { id: 'card_002b', customerId: 'cus_002', accountId: 'acc_002', brand: 'amex', last4: '9999', status: 'active', expMonth: 4, expYear: 2029 },
  );
  const merchants = ['Grocer', 'Coffee Bar', 'Bookshop', 'Rail', 'Cinema', 'Pharmacy'];
  for (let i = 0; i < 12; i++) {
    db.transactions.push({ id: `txn_001a_${String(i).padStart(2, '0')}`, accountId: 'acc_001a', postedAt: daysAgo(i * 7), merchant: merchants[i % merchants.length] ?? 'Shop',
      amountMinor: -(1_000 + i * 137), currency: 'USD', category: 'shopping', status: i === 0 ? 'pending' : 'posted' });
  }
  for (let i = 0; i < 3; i++) {
    db.transactions.push({ id: `txn_001b_${i}`, accountId: 'acc_001b', postedAt: daysAgo(i * 20 + 3), merchant: 'Interest', amountMinor: 250 + i, currency: 'USD', category: 'interest', status: 'posted' });
  }
  for (let i = 0; i < 5; i++) {
    db.transactions.push({ id: `txn_002_${i}`, accountId: 'acc_002', postedAt: daysAgo(i * 5 + 1), merchant: 'Bob Market', amountMinor: -2_000, currency: 'EUR', category: 'groceries', status: 'posted' });
  }
  db.tickets.push(
    ticket({ id: 'T-1001', customerId: 'cus_001', subject: 'Card declined abroad', status: 'open', category: 'card', createdAt: daysAgo(2),
      messages: [
        { id: 'msg_1', at: daysAgo(2), author: { kind: 'customer', id: 'cus_001' }, visibility: 'public', body: 'My card was declined in Paris.' },
        { id: 'msg_2', at: daysAgo(1), author: staffActor, visibility: 'internal', body: 'INTERNAL: check fraud flags before replying.' },
      ] }),
    ticket({ id: 'T-1002', customerId: 'cus_001', subject: 'Statement question', status: 'resolved', category: 'billing', createdAt: daysAgo(20),
      firstResponseAt: daysAgo(19), resolvedAt: daysAgo(18),
      messages: [{ id: 'msg_3', at: daysAgo(19), author: staffActor, visibility: 'public', body: 'The fee was refunded.' }],
      history: [
        { at: daysAgo(20), from: null, to: 'open', by: { kind: 'system', id: 'helpline' } },
        { at: daysAgo(19), from: 'open', to: 'in_progress', by: staffActor, note: 'INTERNAL history note' },
        { at: daysAgo(18), from: 'in_progress', to: 'resolved', by: staffActor },
      ] }),
    ticket({ id: 'T-1003', customerId: 'cus_002', subject: 'Bob private ticket', status: 'in_progress', category: 'billing', priority: 'high',
      messages: [{ id: 'msg_4', at: daysAgo(4), author: { kind: 'customer', id: 'cus_002' }, visibility: 'public', body: 'Bob secret details' }] }),
    ticket({ id: 'T-1004', customerId: null, contact: 'visitor@example.com', subject: 'Opening hours?', status: 'closed', channel: 'email', closedAt: daysAgo(3) }),
  );
  db.notes.push(
    { id: 'note_1', customerId: 'cus_001', author: staffActor, body: 'Prefers email contact.', createdAt: daysAgo(40) },
    { id: 'note_2', customerId: 'cus_002', author: staffActor, body: 'VIP customer.', createdAt: daysAgo(40) },
  );
  db.approvals.push({
    id: 'apr_old', customerId: 'cus_001', action: 'card_deactivation', cardId: 'card_001a', reason: 'lost it last month',
    requestedAt: daysAgo(10), expiresAt: daysAgo(9), status: 'pending',
  });
  return db;
}

export interface Harness {
  repos: Repositories;
  support: Support;
  /** Opens a client for `caller`; closed automatically by `closeAll`. */
  connect(caller: Caller, extra?: Partial<Omit<CreateMcpServerOptions, 'support' | 'caller'>>): Promise<InProcessConnection>;
  /** JSON of what the fixture's customers have and what the audit log names (through the repositories), to compare before/after. */
  snapshot(): Promise<string>;
  closeAll(): Promise<void>;
}

export function createHarness(db: Db = fixtureDb()): Harness {
  const repos = createMemoryRepositories(db);
  const support = createSupport({
    repos, kbDir: KB_DIR, staff: { isStaff: (id) => STAFF_IDS.includes(id) },
    approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'https://help.example.test', clock: () => new Date(NOW),
  });
  const open: InProcessConnection[] = [];
  return {
    repos,
    support,
    async connect(caller, extra = {}) {
      const context: RequestContext = extra.context ?? { channel: 'slack', threadKey: `slack:T1:C1:${caller.kind}` };
      const conn = await connectInProcess({ support, caller, ...extra, context });
      open.push(conn);
      return conn;
    },
    snapshot: async () => JSON.stringify(await snapshot(repos, ['cus_001', 'cus_002', 'cus_003'])),
    async closeAll() {
      await Promise.all(open.splice(0).map((c) => c.close()));
    },
  };
}

export type ToolResult = CallToolResult & { structuredContent?: Record<string, unknown> };

/** Calls a tool and returns its result (never throws for tool errors: they are isError results). */
export async function call(conn: InProcessConnection, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await conn.client.callTool({ name, arguments: args })) as ToolResult;
}

export function textOf(result: ToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The structured content of a successful call; fails the test with the error text otherwise. */
export function ok<T = Record<string, unknown>>(result: ToolResult): T {
  if (result.isError) throw new Error(`expected success, got error: ${textOf(result)}`);
  if (!result.structuredContent) throw new Error('expected structuredContent');
  return result.structuredContent as T;
}
