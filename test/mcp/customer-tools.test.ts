import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, KB_DIR, NOW, allTickets, call, createHarness, fixtureDb, ok, textOf, type Harness, type Snapshot } from './fixtures.js';
import type { InProcessConnection } from '../../src/mcp/index.js';
import { readdirSync } from 'node:fs';

const db = fixtureDb();
const aliceAccounts = db.accounts.filter((a) => a.customerId === 'cus_001');
const aliceAccountIds = new Set(aliceAccounts.map((a) => a.id));
const aliceTxns = db.transactions.filter((t) => aliceAccountIds.has(t.accountId)).sort((a, b) => b.postedAt.localeCompare(a.postedAt));

let h: Harness;
let alice: InProcessConnection;
beforeEach(async () => {
  h = createHarness();
  alice = await h.connect(ALICE);
});
afterEach(async () => { await h.closeAll(); });

describe('customer tools (happy paths)', () => {
  it('get_account_details returns the caller, their accounts and masked cards only', async () => {
    const r = await call(alice, 'get_account_details');
    const d = ok<{ customer: { id: string; name: string; address: { city: string } }; accounts: Array<{ id: string }>; cards: Array<Record<string, unknown>> }>(r);
    expect(d.customer.id).toBe('cus_001');
    expect(d.customer.address.city).toBe(db.customers[0]?.address.city);
    expect(d.accounts.map((a) => a.id).sort()).toEqual([...aliceAccountIds].sort());
    expect(d.cards.map((c) => c.id).sort()).toEqual(db.cards.filter((c) => c.customerId === 'cus_001').map((c) => c.id).sort());
    for (const card of d.cards) {
      expect(card.last4).toMatch(/^\d{4}$/);
      expect(Object.keys(card)).not.toContain('number');
    }
    expect(textOf(r)).toContain('Alice Martin');
    expect(JSON.stringify(d)).not.toContain('passwordHash');
  });

  it('get_account_balance returns one balance per account with a formatted amount', async () => {
    const r = await call(alice, 'get_account_balance');
    const { balances } = ok<{ balances: Array<{ accountId: string; balanceMinor: number; formatted: string }> }>(r);
    expect(balances.map((b) => [b.accountId, b.balanceMinor]).sort()).toEqual(aliceAccounts.map((a) => [a.id, a.balanceMinor]).sort());
    for (const b of balances) expect(textOf(r)).toContain(b.formatted);
  });

  it('get_recent_transactions defaults to the 10 newest of the caller', async () => {
    const { transactions } = ok<{ transactions: Array<{ id: string }> }>(await call(alice, 'get_recent_transactions'));
    expect(transactions.map((t) => t.id)).toEqual(aliceTxns.slice(0, 10).map((t) => t.id));
  });

  it('get_recent_transactions honours limit, accountId and the date window', async () => {
    const limited = ok<{ transactions: unknown[] }>(await call(alice, 'get_recent_transactions', { limit: 3 }));
    expect(limited.transactions).toHaveLength(3);

    const savings = ok<{ transactions: Array<{ accountId: string }> }>(await call(alice, 'get_recent_transactions', { accountId: 'acc_001b', limit: 100 }));
    expect(savings.transactions.length).toBe(aliceTxns.filter((t) => t.accountId === 'acc_001b').length);
    expect(new Set(savings.transactions.map((t) => t.accountId))).toEqual(new Set(['acc_001b']));

    const since = new Date(Date.parse(NOW) - 15 * 86_400_000).toISOString();
    const until = new Date(Date.parse(NOW) - 2 * 86_400_000).toISOString();
    const windowed = ok<{ transactions: Array<{ id: string; postedAt: string }> }>(await call(alice, 'get_recent_transactions', { since, until, limit: 100 }));
    const expected = aliceTxns.filter((t) => t.postedAt >= since && t.postedAt <= until).map((t) => t.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(windowed.transactions.map((t) => t.id)).toEqual(expected);
  });

  it('update_address only requests the change: pending_confirmation, the address on file untouched, a link emailed', async () => {
    const address = { line1: '99 New Road', line2: 'Flat 2', city: 'Portland', region: 'OR', postalCode: '97201', country: 'US' };
    const before = JSON.parse(await h.snapshot()) as Snapshot;
    const r = await call(alice, 'update_address', address);
    const out = ok<{ status: string; changeId: string; address: unknown; linkEmailed: boolean; message: string }>(r);
    expect(out).toMatchObject({ status: 'pending_confirmation', address, linkEmailed: true });
    const after = JSON.parse(await h.snapshot()) as Snapshot;
    expect(after.customers).toEqual(before.customers);
    expect(after.addressChanges).toMatchObject([{ id: out.changeId, customerId: 'cus_001', address, status: 'pending', channel: 'slack' }]);
    expect(after.outbox).toMatchObject({ pending: 1, mails: [{ payload: { kind: 'system', to: 'alice@example.com', subject: 'Confirm your new postal address' } }] });
    expect(after.audit.map((a) => a.action)).toEqual(['address.change_requested']);
    expect(textOf(r)).toContain('NOT applied');
    expect(textOf(r)).toContain('Portland');
    expect(textOf(r)).not.toContain('/confirm-address/');
  });

  it('request_password_change opens a pending approval for the caller', async () => {
    const r = ok<{ status: string; approvalId: string; action: string }>(await call(alice, 'request_password_change', { reason: 'I forgot it' }));
    expect(r.status).toBe('pending_approval');
    expect(r.action).toBe('password_change');
    const stored = await h.repos.approvals.get(r.approvalId);
    expect(stored).toMatchObject({ customerId: 'cus_001', status: 'pending', threadKey: 'slack:T1:C1:customer', channel: 'slack' });
  });

  it('request_card_deactivation by last4 opens a pending approval for the caller\'s card', async () => {
    const r = ok<{ status: string; approvalId: string }>(await call(alice, 'request_card_deactivation', { last4: '4242', reason: 'lost it' }));
    expect(r.status).toBe('pending_approval');
    expect(await h.repos.approvals.get(r.approvalId)).toMatchObject({ customerId: 'cus_001', cardId: 'card_001a', action: 'card_deactivation' });
  });

  it('create_ticket opens a ticket for the caller on this thread', async () => {
    const before = (await allTickets(h.repos)).length;
    const r = await call(alice, 'create_ticket', { subject: 'Need a new card', description: 'My card is worn out, please send a new one.', priority: 'urgent' });
    const { ticket } = ok<{ ticket: { id: string; customerId: string; status: string; priority: string } }>(r);
    expect(ticket).toMatchObject({ customerId: 'cus_001', status: 'open', priority: 'high' }); // a caller outside staff may ask for at most high
    expect(ticket.id).toMatch(/^T-\d+$/);
    expect(await allTickets(h.repos)).toHaveLength(before + 1);
    expect(await h.repos.tickets.get(ticket.id)).toMatchObject({ channel: 'slack', threadKey: 'slack:T1:C1:customer' });
    expect(textOf(r)).toContain(ticket.id);
  });

  it('list_my_tickets lists only the caller\'s tickets, without internal messages, filterable by status', async () => {
    const all = ok<{ tickets: Array<{ id: string; customerId: string; messages: Array<{ visibility: string }> }> }>(await call(alice, 'list_my_tickets'));
    expect(all.tickets.map((t) => t.id).sort()).toEqual(db.tickets.filter((t) => t.customerId === 'cus_001').map((t) => t.id).sort());
    for (const t of all.tickets) expect(t.messages.every((m) => m.visibility === 'public')).toBe(true);
    const resolved = ok<{ tickets: Array<{ id: string }> }>(await call(alice, 'list_my_tickets', { status: 'resolved' }));
    expect(resolved.tickets.map((t) => t.id)).toEqual(['T-1002']);
  });

  it('get_my_ticket shows public messages only and no staff history notes', async () => {
    const r = await call(alice, 'get_my_ticket', { ticketId: 'T-1001' });
    const { ticket } = ok<{ ticket: { id: string; messages: Array<{ body: string }> } }>(r);
    expect(ticket.id).toBe('T-1001');
    expect(ticket.messages.map((m) => m.body)).toEqual(['My card was declined in Paris.']);
    expect(JSON.stringify(r)).not.toContain('INTERNAL');
    const resolved = await call(alice, 'get_my_ticket', { ticketId: 'T-1002' });
    expect(ok<{ ticket: { history: unknown[] } }>(resolved).ticket.history).toHaveLength(3);
    expect(JSON.stringify(resolved)).not.toContain('INTERNAL history note');
  });

  it('search_knowledge_base ranks the matching article first and respects limit', async () => {
    const articleIds = readdirSync(KB_DIR).map((f) => f.replace(/\.md$/, ''));
    const r = await call(alice, 'search_knowledge_base', { query: 'stolen card', limit: 2 });
    const { results } = ok<{ results: Array<{ articleId: string; title: string }> }>(r);
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThanOrEqual(2);
    expect(results[0]?.articleId).toBe('card-lost-stolen');
    for (const hit of results) expect(articleIds).toContain(hit.articleId);
    expect(textOf(r)).toContain('[card-lost-stolen]');
  });
});
