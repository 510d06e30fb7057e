import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, ANON, STAFF, call, createHarness, ok, textOf, type Harness } from './fixtures.js';
import type { InProcessConnection } from '../../src/mcp/index.js';
import type { Caller } from '../../src/support/caller.js';

/** One valid argument set per (caller kind, tool): the base that each bad-input case breaks in one place. */
const VALID: Record<Caller['kind'], Record<string, Record<string, unknown>>> = {
  customer: {
    get_account_details: {},
    get_account_balance: {},
    get_recent_transactions: { limit: 5, since: '2026-01-01', until: '2026-03-15T12:00:00Z', accountId: 'acc_001a' },
    update_address: { line1: '1 Main St', line2: 'Apt 1', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    request_password_change: { reason: 'forgot it' },
    request_card_deactivation: { last4: '4242', cardId: 'card_001a', reason: 'lost' },
    // In this order: the card is frozen before it is asked to be unfrozen.
    freeze_card: { last4: '4242' },
    unfreeze_card: { last4: '4242', reason: 'found it' },
    create_ticket: { subject: 'Help', description: 'Please help me', priority: 'high' },
    list_my_tickets: { status: 'open' },
    get_my_ticket: { ticketId: 'T-1001' },
    search_knowledge_base: { query: 'fees', limit: 3 },
  },
  anonymous: {
    search_knowledge_base: { query: 'fees', limit: 3 },
    create_ticket: { subject: 'Help', description: 'Please help me', priority: 'low', contact: 'someone@example.com' },
  },
  staff: {
    find_customer: { query: 'alice' },
    list_tickets: { status: 'open', priority: 'normal', category: 'card', customerId: 'cus_001', channel: 'slack', limit: 5 },
    handle_ticket: { ticketId: 'T-1001' },
    respond_to_ticket: { ticketId: 'T-1001', message: 'hello', visibility: 'public', status: 'in_progress', note: 'n' },
    update_ticket_status: { ticketId: 'T-1001', status: 'resolved', note: 'n' },
    add_customer_note: { customerId: 'cus_001', body: 'b', ticketId: 'T-1001' },
    list_pending_approvals: {},
    decide_approval: { approvalId: 'apr_old', decision: 'deny', note: 'n' },
    get_support_metrics: {},
    send_draft: { draftId: 'drf_none', edits: { body: 'edited' } },
    discard_draft: { draftId: 'drf_none' },
    get_draft: { draftId: 'drf_none' },
    search_knowledge_base: { query: 'fees', limit: 3 },
    create_ticket: { subject: 'Help', description: 'Please help me', priority: 'low', customerId: 'cus_001', contact: 'a@example.com' },
  },
};
const CALLERS: Record<Caller['kind'], Caller> = { customer: ALICE, anonymous: ANON, staff: STAFF };

type Prop = { type?: string; enum?: unknown[] };
let h: Harness;
const conns = {} as Record<Caller['kind'], InProcessConnection>;
beforeEach(async () => {
  h = createHarness();
  for (const kind of ['customer', 'anonymous', 'staff'] as const) conns[kind] = await h.connect(CALLERS[kind]);
});
afterEach(async () => { await h.closeAll(); });

/** Expects an isError result naming what was wrong, an unchanged store, and a server that still works. */
async function rejects(kind: Caller['kind'], name: string, args: unknown, pattern: RegExp) {
  const before = await h.snapshot();
  const r = await call(conns[kind], name, args as Record<string, unknown>);
  expect(r.isError, `${kind}/${name} accepted ${JSON.stringify(args)?.slice(0, 200)}`).toBe(true);
  expect(textOf(r)).toMatch(pattern);
  expect(textOf(r).length).toBeLessThan(2_000);
  expect(await h.snapshot(), `${kind}/${name} changed the store`).toBe(before);
  expect(ok(await call(conns[kind], 'search_knowledge_base', { query: 'fees' }))).toBeDefined();
}

describe('schema violations give isError results for every tool', () => {
  it('the valid base arguments are accepted (so each case below fails for its one defect)', async () => {
    for (const kind of ['customer', 'anonymous', 'staff'] as const) {
      const names = (await conns[kind].client.listTools()).tools.map((t) => t.name).sort();
      expect(Object.keys(VALID[kind]).sort()).toEqual(names);
      const h2 = createHarness();
      const conn = await h2.connect(CALLERS[kind]);
      // decide_approval needs a live approval: ask for one first
      const alice = await h2.connect(ALICE);
      const { approvalId } = ok<{ approvalId: string }>(await call(alice, 'request_password_change', { reason: 'r' }));
      // send_draft / discard_draft need live drafts: a model-driven staff session drafts them
      const drafting = await h2.connect(STAFF, { context: { channel: 'slack', threadKey: 'slack:T1:D1:1.1', drafting: true } });
      const draftIds = await Promise.all([1, 2].map(async () => ok<{ draftId: string }>(await call(drafting, 'add_customer_note', { customerId: 'cus_001', body: 'b' })).draftId));
      for (const [name, base] of Object.entries(VALID[kind])) {
        const args = name === 'decide_approval' ? { ...base, approvalId } : name === 'send_draft' ? { ...base, draftId: draftIds[0] } : name === 'discard_draft' || name === 'get_draft' ? { ...base, draftId: draftIds[1] } : base;
        const r = await call(conn, name, args);
        expect(r.isError, `${kind}/${name}: ${textOf(r)}`).toBeFalsy();
      }
      await h2.closeAll();
    }
  });

  it('unknown fields are rejected by name', async () => {
    for (const kind of ['customer', 'anonymous', 'staff'] as const) {
      for (const [name, args] of Object.entries(VALID[kind])) {
        await rejects(kind, name, { ...args, extra_field: 1 }, /Unrecognized key.*extra_field/);
      }
    }
  });

  it('100k-character strings are rejected for every string field', async () => {
    const huge = 'x'.repeat(100_000);
    for (const kind of ['customer', 'anonymous', 'staff'] as const) {
      for (const tool of (await conns[kind].client.listTools()).tools) {
        for (const [prop, s] of Object.entries((tool.inputSchema.properties ?? {}) as Record<string, Prop>)) {
          if (s.type !== 'string') continue;
          await rejects(kind, tool.name, { ...VALID[kind][tool.name], [prop]: huge }, new RegExp(`${prop}`));
        }
      }
    }
  });

  it('wrong types are rejected for every field', async () => {
    for (const kind of ['customer', 'anonymous', 'staff'] as const) {
      for (const tool of (await conns[kind].client.listTools()).tools) {
        for (const [prop, s] of Object.entries((tool.inputSchema.properties ?? {}) as Record<string, Prop>)) {
          const wrong = s.type === 'string' ? 12345 : s.type === 'integer' || s.type === 'number' ? '10' : 'x';
          for (const bad of [wrong, null, ['array'], { nested: true }, true]) {
            await rejects(kind, tool.name, { ...VALID[kind][tool.name], [prop]: bad }, new RegExp(`${prop}`));
          }
        }
      }
    }
  });

  it('prototype keys are refused, at the top level and nested, and pollute nothing', async () => {
    const polluted = [
      JSON.parse('{"__proto__": {"customerId": "cus_002"}}'),
      Object.assign(JSON.parse('{"__proto__": {"ticketId": "T-1003"}}'), { ticketId: 'T-1001' }),
      JSON.parse('{"constructor": {"prototype": {"isStaff": true}}}'),
      JSON.parse('{"prototype": "x"}'),
    ];
    for (const args of polluted) {
      await rejects('customer', 'get_my_ticket', args, /not allowed|Unrecognized key/);
      await rejects('customer', 'get_account_balance', args, /not allowed|Unrecognized key/);
    }
    await rejects('staff', 'respond_to_ticket', { ...VALID.staff.respond_to_ticket, note: JSON.parse('{"__proto__": {"x": 1}}') }, /__proto__/);
    expect(({} as Record<string, unknown>).customerId).toBeUndefined();
    expect(({} as Record<string, unknown>).isStaff).toBeUndefined();
  });

  it('arguments that are not an object give isError, not a protocol error', async () => {
    for (const args of [['a'], 'text', 42, null]) {
      await rejects('customer', 'get_account_balance', args, /arguments must be a JSON object/);
    }
  });

  it('oversized argument structures are refused before any tool runs', async () => {
    await rejects('customer', 'search_knowledge_base', { query: 'fees', padding: Array.from({ length: 1_000 }, (_, i) => i) }, /maximum of 200 elements/);
    await rejects('customer', 'search_knowledge_base', { query: 'fees', padding: Array.from({ length: 20_000 }, (_, i) => i) }, /too large/);
  });

  it('an unknown tool gives isError', async () => {
    await rejects('customer', 'delete_everything', {}, /not found/);
  });
});

describe('value checks', () => {
  const cases: Array<[Caller['kind'], string, Record<string, unknown>, RegExp]> = [
    ['customer', 'update_address', { ...VALID.customer.update_address, country: 'usa' }, /country/],
    ['customer', 'update_address', { ...VALID.customer.update_address, country: 'us' }, /country/],
    ['customer', 'update_address', { ...VALID.customer.update_address, city: '   ' }, /blank.*city/],
    ['customer', 'update_address', { line1: '1 Main St', city: 'X', country: 'US' }, /postalCode/],
    ['customer', 'get_recent_transactions', { since: 'yesterday' }, /since/],
    ['customer', 'get_recent_transactions', { since: '2026-13-45' }, /since/],
    ['customer', 'get_recent_transactions', { since: '2026-03-10', until: '2026-03-01' }, /since.*until/],
    ['customer', 'get_recent_transactions', { limit: 0 }, /limit/],
    ['customer', 'get_recent_transactions', { limit: 101 }, /limit/],
    ['customer', 'get_recent_transactions', { limit: 2.5 }, /limit/],
    ['customer', 'get_recent_transactions', { accountId: '../../etc/passwd' }, /accountId/],
    ['customer', 'get_my_ticket', { ticketId: 'T-abc' }, /ticketId/],
    ['customer', 'get_my_ticket', { ticketId: 'T-9999' }, /not_found/],
    ['customer', 'get_my_ticket', {}, /ticketId/],
    ['customer', 'request_card_deactivation', { reason: 'lost' }, /last4.*cardId/],
    ['customer', 'request_card_deactivation', { last4: '12345', reason: 'lost' }, /last4/],
    ['customer', 'request_card_deactivation', { last4: '4242', reason: '' }, /reason/],
    ['customer', 'request_card_deactivation', { last4: '0000', reason: 'lost' }, /not_found/],
    ['customer', 'freeze_card', {}, /last4/],
    ['customer', 'freeze_card', { last4: '12345' }, /last4/],
    ['customer', 'freeze_card', { last4: '0000' }, /not_found/],
    ['customer', 'freeze_card', { last4: '5555' }, /conflict.*deactivated/],
    ['customer', 'freeze_card', { cardId: 'card_001a' }, /cardId|last4/],
    ['customer', 'unfreeze_card', { last4: '4242' }, /conflict.*not frozen/],
    ['customer', 'unfreeze_card', { last4: '5555' }, /conflict.*deactivated/],
    ['customer', 'unfreeze_card', { last4: 'abcd' }, /last4/],
    ['customer', 'unfreeze_card', { last4: '4242', reason: '' }, /reason/],
    ['customer', 'request_password_change', {}, /reason/],
    ['customer', 'create_ticket', { subject: '', description: 'd' }, /subject/],
    ['customer', 'create_ticket', { subject: 's', description: 'd', priority: 'critical' }, /priority/],
    ['customer', 'list_my_tickets', { status: 'pending' }, /status/],
    ['customer', 'search_knowledge_base', { query: 'fees', limit: 11 }, /limit/],
    ['anonymous', 'create_ticket', { subject: 's', description: 'd', contact: 'not-an-email' }, /contact/],
    ['staff', 'decide_approval', { approvalId: 'apr_old', decision: 'maybe' }, /decision/],
    ['staff', 'decide_approval', { approvalId: 'apr_nope', decision: 'deny' }, /not_found/],
    ['staff', 'add_customer_note', { customerId: 'cus_404', body: 'b' }, /not_found|cus_404/],
    ['staff', 'respond_to_ticket', { ticketId: 'T-1001', message: 'hi', visibility: 'secret' }, /visibility/],
    ['staff', 'list_tickets', { category: 'gossip' }, /category/],
    ['staff', 'handle_ticket', { ticketId: 'T-0' }, /not_found/],
  ];
  it.each(cases)('%s/%s %j is refused', async (kind, name, args, pattern) => {
    await rejects(kind, name, args, pattern);
  });

  const transitions: Array<[string, string]> = [['T-1002', 'in_progress'], ['T-1004', 'resolved'], ['T-1001', 'open'], ['T-1003', 'open']];
  it.each(transitions)('%s cannot move to %s; respond_to_ticket with that status adds no message either', async (ticketId, status) => {
    await rejects('staff', 'update_ticket_status', { ticketId, status }, /invalid_transition/);
    await rejects('staff', 'respond_to_ticket', { ticketId, message: 'should not be stored', visibility: 'public', status }, /invalid_transition/);
  });
});
