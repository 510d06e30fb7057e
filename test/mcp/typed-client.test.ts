/**
 * The typed tool client over the real tools and a real SDK session: each tool's input and result types come from its
 * schemas, failures are the one AppError with a typed code and refused fields, and misuse does not compile
 * (`@ts-expect-error` lines below: `npm run typecheck` fails if any of them stops being an error).
 */
import { McpError, ErrorCode as RpcCode } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { typedTools, type CallsTools, type ToolOutput } from '../../src/mcp/index.js';
import { ALICE, allTickets, ANON, createHarness, STAFF, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.closeAll();
  h = undefined;
});

/** Typed tools of `kind` over a real session of `caller`, counting what reaches the server. */
async function open<K extends 'customer' | 'staff' | 'anonymous'>(kind: K, caller = kind === 'staff' ? STAFF : kind === 'customer' ? ALICE : ANON) {
  h ??= createHarness();
  const conn = await h.connect(caller);
  const sent: string[] = [];
  const client: CallsTools = { callTool: (params) => { sent.push(params.name); return conn.client.callTool(params); } };
  return { tools: typedTools(client, kind), sent };
}

const refusal = (p: Promise<unknown>): Promise<AppError> =>
  p.then(() => { throw new Error('expected the call to fail'); }, (err: unknown) => {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  });

describe('typed tool client', () => {
  it('returns each tool\'s result typed by its output schema', async () => {
    const { tools } = await open('staff');
    const { tickets } = await tools.call('list_tickets', { status: 'open', limit: 10 });
    const subjects: string[] = tickets.map((t) => t.subject);
    expect(subjects).toContain('Card declined abroad');
    expect(tickets.every((t) => t.status === 'open')).toBe(true);
    const worked = await tools.call('handle_ticket', { ticketId: 'T-1001' });
    const label: 'negative' | 'neutral' | 'positive' = worked.analysis.sentiment.label;
    expect(['negative', 'neutral', 'positive']).toContain(label);
    expect(worked.customer?.email).toBe('alice@example.com');

    const customer = await open('customer');
    const { balances } = await customer.tools.call('get_account_balance', {});
    const minor: number[] = balances.map((b) => b.balanceMinor);
    expect(minor).toContain(123_456);
  });

  it('a sensitive request and a staff decision, typed end to end (a code-only tool included)', async () => {
    const customer = await open('customer');
    const pending = await customer.tools.call('request_card_deactivation', { last4: '4242', reason: 'Lost it on the train' });
    expect(pending.status).toBe('pending_approval');
    const { tools } = await open('staff');
    const decided: ToolOutput<'staff', 'decide_approval'> = await tools.call('decide_approval', { approvalId: pending.approvalId, decision: 'deny', note: 'call us first' });
    expect(decided.approval).toMatchObject({ id: pending.approvalId, status: 'denied' });
    expect(decided.customerMessage.length).toBeGreaterThan(0);
    // the first decision wins: a second one is the tool's own typed refusal
    const again = await refusal(tools.call('decide_approval', { approvalId: pending.approvalId, decision: 'approve' }));
    expect(again.code).toBe('already_decided');
  });

  it('a business failure is an AppError with the tool\'s code and sentence', async () => {
    const { tools } = await open('customer');
    const err = await refusal(tools.call('get_my_ticket', { ticketId: 'T-9999' }));
    expect(err.code).toBe('not_found');
    expect(err.issues).toEqual([]);
    expect(err.message).not.toMatch(/failed \(|MCP error/);
    expect(err.details).toMatchObject({ tool: 'get_my_ticket' });
    const staff = await open('staff');
    expect((await refusal(staff.tools.call('decide_approval', { approvalId: 'apr_old', decision: 'approve' }))).code).toBe('expired');
  });

  it('input the tool\'s schema refuses is refused before sending: bad_input with zod\'s issues, no tool runs', async () => {
    const { tools, sent } = await open('anonymous');
    const before = (await allTickets(h!.repos)).length;
    const err = await refusal(tools.call('create_ticket', { subject: 's'.repeat(201), description: 'It is stuck', contact: 'a@b.c' }));
    expect(err.code).toBe('bad_input');
    expect(err.issues.map((i) => i.path).sort()).toEqual(['contact', 'subject']);
    expect(err.issues.find((i) => i.path === 'subject')?.message).toMatch(/200/);
    expect(sent).toEqual([]);
    expect(await allTickets(h!.repos)).toHaveLength(before);
    // the same input, corrected, goes through
    const { ticket } = await tools.call('create_ticket', { subject: 'Card stuck', description: 'It is stuck', contact: 'ada@example.com' });
    expect(ticket.id).toMatch(/^T-\d+$/);
    expect(sent).toEqual(['create_ticket']);
  });

  it('a refusal from the SDK itself (JSON-RPC InvalidParams: here a tool this session does not have) is bad_input, its text kept for logs only', async () => {
    // a staff-typed view over a customer's session: the server has no list_tickets and the SDK refuses as text
    h ??= createHarness();
    const conn = await h.connect(ALICE);
    const err = await refusal(typedTools(conn.client, 'staff').call('list_tickets', {}));
    expect(err.code).toBe('bad_input');
    expect(err.message).not.toMatch(/MCP error|-32602/);
    expect(String(err.details?.['detail'])).toMatch(/list_tickets/);
  });

  it('errors thrown by the transport become AppErrors by their JSON-RPC code', async () => {
    const throwing = (code: number) => typedTools({ callTool: () => Promise.reject(new McpError(code, 'x')) }, 'staff');
    expect((await refusal(throwing(RpcCode.InvalidParams).call('list_pending_approvals', {}))).code).toBe('bad_input');
    expect((await refusal(throwing(RpcCode.RequestTimeout).call('list_pending_approvals', {}))).code).toBe('timeout');
    expect((await refusal(throwing(RpcCode.ConnectionClosed).call('list_pending_approvals', {}))).code).toBe('unavailable');
    const cause = new Error('socket hang up');
    const err = await refusal(typedTools({ callTool: () => Promise.reject(cause) }, 'staff').call('list_pending_approvals', {}));
    expect(err).toMatchObject({ code: 'internal', cause });
  });

  it('a result that does not match the tool\'s output schema is refused (internal), never passed on as typed', async () => {
    const liar = typedTools({ callTool: async () => ({ structuredContent: { approvals: [{ id: 1 }] }, content: [] }) }, 'staff');
    const err = await refusal(liar.call('list_pending_approvals', {}));
    expect(err.code).toBe('internal');
    expect(err.issues.length).toBeGreaterThan(0);
  });

  it('misuse is a compile error (checked by npm run typecheck); at run time the schema refuses it too', async () => {
    const { tools, sent } = await open('staff');
    const customer = await open('customer');
    const misuse = [
      // @ts-expect-error a customer tool is not a staff tool
      () => tools.call('get_my_ticket', { ticketId: 'T-1001' }),
      // @ts-expect-error an unknown key (inputs are strict)
      () => tools.call('list_tickets', { bogus: 1 }),
      // @ts-expect-error a value outside the schema's enum
      () => tools.call('list_tickets', { status: 'pending' }),
      // @ts-expect-error a required field missing
      () => tools.call('decide_approval', { approvalId: 'apr_1' }),
      // @ts-expect-error the customer's create_ticket takes no customerId: the customer comes from the session
      () => customer.tools.call('create_ticket', { subject: 'x', description: 'y', customerId: 'cus_002' }),
      // @ts-expect-error a staff tool is not a customer tool
      () => customer.tools.call('list_tickets', {}),
    ];
    for (const call of misuse) expect((await refusal(call())).code).toMatch(/^(bad_input|not_found)$/);
    expect(sent).toEqual([]);
    expect(customer.sent).toEqual([]);
    const { tickets } = await tools.call('list_tickets', { limit: 1 });
    // @ts-expect-error a result field has the type its output schema gives it
    const wrong: number = tickets[0]?.subject;
    expect(typeof wrong).toBe('string');
  });
});
