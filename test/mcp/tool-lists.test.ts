import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_TOOLS, toolsFor } from '../../src/mcp/index.js';
import type { ToolClient } from '../../src/agent/types.js';
import { ALICE, ANON, STAFF, call, createHarness, textOf, type Harness } from './fixtures.js';

const CUSTOMER_TOOLS = [
  'get_account_details', 'get_account_balance', 'get_recent_transactions', 'update_address', 'request_password_change',
  'freeze_card', 'unfreeze_card', 'request_card_deactivation', 'create_ticket', 'list_my_tickets', 'get_my_ticket', 'search_knowledge_base',
];
const STAFF_ONLY = [
  'find_customer', 'list_tickets', 'handle_ticket', 'respond_to_ticket', 'update_ticket_status', 'add_customer_note',
  'list_pending_approvals', 'decide_approval', 'get_support_metrics', 'send_draft', 'discard_draft', 'get_draft',
];
const STAFF_TOOLS = [...STAFF_ONLY, 'search_knowledge_base', 'create_ticket'];
const ANON_TOOLS = ['search_knowledge_base', 'create_ticket'];

type JsonSchema = { type?: string | string[]; enum?: unknown[]; maxLength?: number; properties?: Record<string, JsonSchema>; additionalProperties?: unknown; required?: string[]; anyOf?: JsonSchema[] };

let h: Harness;
beforeEach(() => { h = createHarness(); });
afterEach(async () => { await h.closeAll(); });

async function listed(caller: Parameters<Harness['connect']>[0]) {
  const conn = await h.connect(caller);
  return { conn, tools: (await conn.client.listTools()).tools };
}

describe('tool lists per caller kind', () => {
  it('a customer sees exactly the customer tools', async () => {
    const { tools } = await listed(ALICE);
    expect(tools.map((t) => t.name).sort()).toEqual([...CUSTOMER_TOOLS].sort());
  });

  it('staff see the staff tools plus knowledge base search and ticket creation', async () => {
    const { tools } = await listed(STAFF);
    expect(tools.map((t) => t.name).sort()).toEqual([...STAFF_TOOLS].sort());
  });

  it('an anonymous caller sees only search_knowledge_base and create_ticket', async () => {
    const { tools } = await listed(ANON);
    expect(tools.map((t) => t.name).sort()).toEqual([...ANON_TOOLS].sort());
  });

  it('toolsFor agrees with what the server lists and never repeats a name', () => {
    for (const kind of ['customer', 'staff', 'anonymous'] as const) {
      const names = toolsFor(kind).map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(toolsFor('anonymous').map((t) => t.name).sort()).toEqual([...ANON_TOOLS].sort());
  });

  it.each([['customer', ALICE], ['anonymous', ANON]] as const)('a %s calling a staff tool gets isError and nothing changes', async (_k, caller) => {
    const conn = await h.connect(caller);
    const before = await h.snapshot();
    for (const name of STAFF_ONLY) {
      const r = await call(conn, name, name === 'decide_approval' ? { approvalId: 'apr_old', decision: 'approve' } : {});
      expect(r.isError, name).toBe(true);
      expect(textOf(r)).toMatch(/not found/i);
    }
    expect(await h.snapshot()).toBe(before);
  });

  it('an anonymous caller cannot reach customer account tools', async () => {
    const conn = await h.connect(ANON);
    for (const name of CUSTOMER_TOOLS.filter((n) => !ANON_TOOLS.includes(n))) {
      const r = await call(conn, name, {});
      expect(r.isError, name).toBe(true);
    }
  });

  it('a staff caller missing from the allow-list gets "forbidden" from every staff tool', async () => {
    const conn = await h.connect({ kind: 'staff', staffId: 'U_INTRUDER' });
    const before = await h.snapshot();
    const r = await call(conn, 'find_customer', { query: 'alice' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/forbidden/);
    const d = await call(conn, 'list_pending_approvals');
    expect(d.isError).toBe(true);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('tool metadata', () => {
  it('every input schema is strict and caps every string', async () => {
    for (const caller of [ALICE, STAFF, ANON]) {
      const { tools } = await listed(caller);
      for (const tool of tools) {
        const schema = tool.inputSchema as JsonSchema;
        expect(schema.additionalProperties, tool.name).toBe(false);
        for (const [prop, s] of Object.entries(schema.properties ?? {})) {
          if (s.type === 'string' && !s.enum) expect(s.maxLength, `${tool.name}.${prop}`).toBeGreaterThan(0);
          expect(s.type, `${tool.name}.${prop} has a type`).toBeDefined();
        }
      }
    }
  });

  it('every tool has a title, a description, an output schema and complete annotations', async () => {
    for (const caller of [ALICE, STAFF, ANON]) {
      const { tools } = await listed(caller);
      for (const tool of tools) {
        expect(tool.title, tool.name).toBeTruthy();
        expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(60);
        expect(tool.outputSchema?.type, tool.name).toBe('object');
        const a = tool.annotations ?? {};
        expect(typeof a.readOnlyHint, tool.name).toBe('boolean');
        expect(typeof a.destructiveHint, tool.name).toBe('boolean');
        expect(typeof a.idempotentHint, tool.name).toBe('boolean');
        expect(a.openWorldHint, tool.name).toBe(false);
        if (a.readOnlyHint) expect(a.destructiveHint, tool.name).toBe(false);
      }
    }
  });

  it('read-only tools are exactly the ones that only look things up', () => {
    const readOnly = ALL_TOOLS.filter((t) => t.annotations.readOnlyHint).map((t) => t.name);
    expect(new Set(readOnly)).toEqual(new Set([
      'get_account_details', 'get_account_balance', 'get_recent_transactions', 'list_my_tickets', 'get_my_ticket',
      'search_knowledge_base', 'find_customer', 'list_tickets', 'handle_ticket', 'list_pending_approvals', 'get_support_metrics', 'get_draft',
    ]));
  });

  it('sensitive tools are flagged in _meta and say they only open an approval', async () => {
    const { tools } = await listed(ALICE);
    const sensitive = tools.filter((t) => t._meta?.['helpline/sensitive'] === true).map((t) => t.name).sort();
    expect(sensitive).toEqual(['request_card_deactivation', 'request_password_change', 'unfreeze_card']);
    for (const t of tools.filter((x) => sensitive.includes(x.name))) expect(t.description).toMatch(/does NOT .*approval/s);
  });

  it('freeze_card acts at once without an approval, and its description steers a lost card to it before a deactivation', async () => {
    const { tools } = await listed(ALICE);
    const freeze = tools.find((t) => t.name === 'freeze_card')!;
    expect(freeze._meta?.['helpline/sensitive']).toBeUndefined();
    expect(freeze.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(freeze.description).toMatch(/first thing to offer for a lost or stolen card/);
    expect(freeze.inputSchema.properties).toEqual({ last4: expect.objectContaining({ type: 'string' }) });
    expect(tools.find((t) => t.name === 'request_card_deactivation')!.description).toMatch(/offer freeze_card first/);
  });

  it('create_ticket takes a customerId only for staff and requires a contact for anonymous callers', async () => {
    const byCaller = async (caller: Parameters<Harness['connect']>[0]) =>
      (await listed(caller)).tools.find((t) => t.name === 'create_ticket')?.inputSchema as JsonSchema;
    const customer = await byCaller(ALICE);
    const staff = await byCaller(STAFF);
    const anon = await byCaller(ANON);
    expect(Object.keys(customer.properties ?? {})).not.toContain('customerId');
    expect(Object.keys(customer.properties ?? {})).not.toContain('contact');
    expect(Object.keys(staff.properties ?? {})).toContain('customerId');
    expect(anon.required).toContain('contact');
  });

  it('the SDK client satisfies the agent ToolClient port', async () => {
    const conn = await h.connect(ALICE);
    const port: ToolClient = conn.client;
    const r = (await port.callTool({ name: 'get_account_balance', arguments: {} })) as { isError?: boolean };
    expect(r.isError).toBeFalsy();
  });
});
