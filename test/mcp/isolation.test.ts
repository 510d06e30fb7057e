import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, call, createHarness, fixtureDb, ok, textOf, type Harness, type Snapshot } from './fixtures.js';
import { z } from 'zod';
import { defineTool, type InProcessConnection } from '../../src/mcp/index.js';
import { READ_ONLY } from '../../src/mcp/define-tool.js';

const db = fixtureDb();
/** Strings that only occur in other customers' records. */
const FOREIGN = ['cus_002', 'cus_003', 'Bob Chen', 'bob@example.org', 'acc_002', 'card_002a', 'card_002b', 'T-1003', 'Bob secret details', 'VIP customer', 'Carol'];

let h: Harness;
let alice: InProcessConnection;
beforeEach(async () => {
  h = createHarness();
  alice = await h.connect(ALICE);
});
afterEach(async () => { await h.closeAll(); });

/** Calls a tool expecting a refusal, and checks the store did not change and nothing foreign leaked. */
async function refused(name: string, args: Record<string, unknown>, pattern?: RegExp) {
  const before = await h.snapshot();
  const r = await call(alice, name, args);
  expect(r.isError, `${name} ${JSON.stringify(args)} should fail`).toBe(true);
  const text = textOf(r);
  if (pattern) expect(text).toMatch(pattern);
  for (const f of ['Bob Chen', 'bob@example.org', 'Bob secret details', 'VIP customer']) expect(text).not.toContain(f);
  expect(await h.snapshot(), `${name} changed the store`).toBe(before);
  return r;
}

describe('a customer caller can never reach another customer', () => {
  it('another customer\'s ticket is not found', async () => {
    await refused('get_my_ticket', { ticketId: 'T-1003' }, /not found|no ticket/i);
  });

  it('an anonymous ticket is not found either', async () => {
    await refused('get_my_ticket', { ticketId: 'T-1004' }, /not found|no ticket/i);
  });

  it('another customer\'s account id gives no transactions', async () => {
    await refused('get_recent_transactions', { accountId: 'acc_002' });
  });

  it('another customer\'s card id cannot be deactivated, by id or by last4', async () => {
    await refused('request_card_deactivation', { cardId: 'card_002b', reason: 'lost' });
    await refused('request_card_deactivation', { last4: '9999', reason: 'lost' });
    await refused('request_card_deactivation', { cardId: 'card_002a', last4: '4242', reason: 'lost' });
    expect((JSON.parse(await h.snapshot()) as Snapshot).approvals.filter((a) => a?.customerId === 'cus_002')).toHaveLength(0);
  });

  it('another customer\'s card can be neither frozen nor unfrozen', async () => {
    await refused('freeze_card', { last4: '9999' }, /not_found/);
    await refused('unfreeze_card', { last4: '9999' }, /not_found/);
    await refused('freeze_card', { last4: '9999', cardId: 'card_002b' }, /cardId/);
    expect((await h.repos.customers.getCard('card_002b'))?.status).toBe('active');
  });

  it('last4 shared with another customer resolves to the caller\'s own card', async () => {
    const r = ok<{ approvalId: string }>(await call(alice, 'request_card_deactivation', { last4: '4242', reason: 'stolen' }));
    expect((await h.repos.approvals.get(r.approvalId))?.cardId).toBe('card_001a');
  });

  const SMUGGLED: Array<[string, Record<string, unknown>]> = [
    ['get_account_details', { customerId: 'cus_002' }],
    ['get_account_balance', { customerId: 'cus_002' }],
    ['get_recent_transactions', { customerId: 'cus_002' }],
    ['update_address', { line1: 'x', city: 'y', postalCode: '1', country: 'US', customerId: 'cus_002' }],
    ['request_password_change', { reason: 'r', customerId: 'cus_002' }],
    ['request_card_deactivation', { last4: '9999', reason: 'r', customerId: 'cus_002' }],
    ['freeze_card', { last4: '9999', customerId: 'cus_002' }],
    ['unfreeze_card', { last4: '9999', customerId: 'cus_002' }],
    ['create_ticket', { subject: 's', description: 'd', customerId: 'cus_002' }],
    ['list_my_tickets', { customerId: 'cus_002' }],
    ['get_my_ticket', { ticketId: 'T-1003', customerId: 'cus_002' }],
    ['search_knowledge_base', { query: 'fees', customerId: 'cus_002' }],
    ['get_account_balance', { caller: { kind: 'staff', staffId: 'U_STAFF1' } }],
    ['list_my_tickets', { customer_id: 'cus_002' }],
  ];
  it.each(SMUGGLED)('%s rejects a smuggled identity %j', async (name, args) => {
    const key = Object.keys(args).find((k) => /customer|caller/.test(k)) ?? '';
    const r = await refused(name, args, /Unrecognized key/);
    expect(textOf(r)).toContain(key);
  });

  it('nothing the customer can read mentions another customer', async () => {
    const reads: Array<[string, Record<string, unknown>]> = [
      ['get_account_details', {}], ['get_account_balance', {}], ['get_recent_transactions', { limit: 100 }],
      ['list_my_tickets', {}], ['get_my_ticket', { ticketId: 'T-1001' }], ['get_my_ticket', { ticketId: 'T-1002' }],
      ['search_knowledge_base', { query: 'card' }],
    ];
    for (const [name, args] of reads) {
      const json = JSON.stringify(await call(alice, name, args));
      for (const f of FOREIGN) expect(json, `${name} leaked ${f}`).not.toContain(f);
    }
    // sanity: the foreign markers really are in the database
    const all = JSON.stringify(db);
    for (const f of FOREIGN) expect(all).toContain(f);
  });

  it('results are detached copies: changing one does not change the store', async () => {
    // A tool that hands back a record object as it came from the repositories, to prove the server copies results.
    const peek = defineTool({
      name: 'peek_own_customer', audience: ['customer'], title: 'peek', description: 'test tool returning a stored record',
      inputSchema: z.strictObject({}), outputSchema: z.looseObject({ customer: z.looseObject({ name: z.string() }) }), annotations: READ_ONLY,
      run: async () => ({ customer: (await h.repos.customers.get('cus_001')) as object }),
      summarize: () => 'peeked',
    });
    const conn = await h.connect(ALICE, { extraTools: [peek] });
    const before = await h.snapshot();
    for (const name of ['peek_own_customer', 'get_my_ticket', 'get_account_details']) {
      const r = await call(conn, name, name === 'get_my_ticket' ? { ticketId: 'T-1001' } : {});
      const data = ok<Record<string, Record<string, unknown>>>(r);
      for (const v of Object.values(data)) {
        if (v && typeof v === 'object') for (const k of Object.keys(v)) v[k] = 'tampered';
      }
    }
    expect(await h.snapshot()).toBe(before);
  });
});
