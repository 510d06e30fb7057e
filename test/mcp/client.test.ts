import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectInProcess, defineTool, READ_ONLY } from '../../src/mcp/index.js';
import { detach } from '../../src/mcp/result.js';
import { toolFailureOf } from '../../src/mcp/tool-failure.js';
import { ALICE, ANON, createHarness, ok } from './fixtures.js';

describe('connectInProcess', () => {
  it('opens a working session per turn and closes it cleanly', async () => {
    const h = createHarness();
    for (let turn = 0; turn < 30; turn++) {
      const conn = await connectInProcess({ support: h.support, caller: ALICE, context: { channel: 'terminal', threadKey: `terminal:turn${turn}` } });
      const { balances } = ok<{ balances: unknown[] }>((await conn.client.callTool({ name: 'get_account_balance', arguments: {} })) as never);
      expect(balances.length).toBeGreaterThan(0);
      await conn.close();
      await expect(conn.client.callTool({ name: 'get_account_balance', arguments: {} })).rejects.toThrow();
    }
  });

  it("a tool's own refusal carries its failure typed (code, message) for code; the text is for a model", async () => {
    const h = createHarness();
    const conn = await connectInProcess({ support: h.support, caller: ALICE });
    const missing = await conn.client.callTool({ name: 'get_my_ticket', arguments: { ticketId: 'T-9999' } });
    expect(missing.isError).toBe(true);
    expect(toolFailureOf(missing)).toMatchObject({ code: 'not_found', issues: [] });
    expect(toolFailureOf(await conn.client.callTool({ name: 'get_account_balance', arguments: {} }))).toBeUndefined();
    await conn.close();
    // Arguments the schema refuses are refused by the SDK before any tool runs: protocol text (`MCP error -32602`),
    // no typed failure; code never reads them from the text: the typed client checks input first (typed-client.ts).
    const anon = await connectInProcess({ support: h.support, caller: ANON });
    const refused = await anon.client.callTool({ name: 'create_ticket', arguments: { subject: 'Card stuck', description: 'It is stuck', contact: 'a@b.c' } });
    expect(refused.isError).toBe(true);
    expect(toolFailureOf(refused)).toBeUndefined();
    await anon.close();
  });

  it('sessions of different callers are independent', async () => {
    const h = createHarness();
    const [alice, anon] = await Promise.all([connectInProcess({ support: h.support, caller: ALICE }), connectInProcess({ support: h.support, caller: ANON })]);
    expect((await alice.client.listTools()).tools.length).toBeGreaterThan((await anon.client.listTools()).tools.length);
    await anon.close();
    expect(ok((await alice.client.callTool({ name: 'get_account_details', arguments: {} })) as never)).toHaveProperty('customer');
    await alice.close();
  });

  it('works without a request context (tickets still open)', async () => {
    const h = createHarness();
    const conn = await connectInProcess({ support: h.support, caller: ALICE });
    const { ticket } = ok<{ ticket: { id: string } }>((await conn.client.callTool({ name: 'create_ticket', arguments: { subject: 'No context', description: 'Opened without a thread' } })) as never);
    expect((await h.repos.tickets.get(ticket.id))?.threadKey).toBeUndefined();
    await conn.close();
  });

  it('a result that does not match the output schema is refused by the server (isError), not passed on', async () => {
    const h = createHarness();
    const liar = defineTool({
      name: 'liar', audience: ['customer'], title: 'liar', description: 'returns the wrong shape', annotations: READ_ONLY,
      inputSchema: z.strictObject({}), outputSchema: z.object({ count: z.number().int() }),
      run: () => ({ count: 'many' }), summarize: () => 'many',
    });
    const conn = await connectInProcess({ support: h.support, caller: ALICE, extraTools: [liar] });
    const r = (await conn.client.callTool({ name: 'liar', arguments: {} })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: unknown };
    expect(r.isError).toBe(true);
    expect(r.content[0]?.text).toMatch(/Output validation error.*count/s);
    expect(r.structuredContent).toBeUndefined();
    await conn.close();
  });
});

describe('tool failures', () => {
  it('an unexpected exception becomes an isError result without internals; the session keeps working', async () => {
    const h = createHarness();
    const boom = defineTool({
      name: 'boom', audience: ['customer'], title: 'boom', description: 'throws', annotations: READ_ONLY,
      inputSchema: z.strictObject({}), outputSchema: z.object({}),
      run: () => { throw new Error('db password is hunter2'); }, summarize: () => '',
    });
    const badSummary = defineTool({
      name: 'bad_summary', audience: ['customer'], title: 'bad summary', description: 'summary throws', annotations: READ_ONLY,
      inputSchema: z.strictObject({}), outputSchema: z.object({ done: z.boolean() }),
      run: () => ({ done: true }), summarize: () => { throw new Error('render bug'); },
    });
    const conn = await connectInProcess({ support: h.support, caller: ALICE, extraTools: [boom, badSummary] });
    const r = (await conn.client.callTool({ name: 'boom', arguments: {} })) as { isError?: boolean; content: Array<{ text: string }> };
    expect(r.isError).toBe(true);
    expect(r.content[0]?.text).toMatch(/internal/);
    expect(r.content[0]?.text).not.toContain('hunter2');
    const s = (await conn.client.callTool({ name: 'bad_summary', arguments: {} })) as { isError?: boolean; structuredContent?: unknown };
    expect(s.isError).toBeFalsy();
    expect(s.structuredContent).toEqual({ done: true });
    expect(ok((await conn.client.callTool({ name: 'get_account_balance', arguments: {} })) as never)).toHaveProperty('balances');
    await conn.close();
  });
});

describe('detach', () => {
  it('copies with JSON semantics', () => {
    const src = { a: [1, { b: 'x', u: undefined, f: () => 1 }], d: new Date('2026-01-02T03:04:05.000Z'), n: null, arr: [undefined] };
    const out = detach(src);
    expect(out).toEqual(JSON.parse(JSON.stringify(src)));
    expect((out as { a: unknown[] }).a).not.toBe(src.a);
  });
});
