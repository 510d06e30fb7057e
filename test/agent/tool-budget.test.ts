import { afterEach, describe, expect, it } from 'vitest';
import type { TurnInput } from '../../src/agent/types.js';
import { message, reply, type FakeBlock, type RecordedRequest } from '../helpers/fake-anthropic.js';
import { startMiniTools } from './fixtures/mini-tools.js';
import { setupClaudeAgent } from './fixtures/setup.js';

/** A hostile model that floods: many tool calls in one response, and response after response. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const env = await setupClaudeAgent({});
  const tools = await startMiniTools('customer');
  cleanups.push(env.fake.close, tools.close);
  const caller: TurnInput['caller'] = { kind: 'customer', customerId: 'cus_1' };
  const turn = (text: string, messageId: string) => env.agent.runTurn({ messageId, threadKey: 'terminal:ada', channel: 'terminal', caller, text, tools: tools.client });
  return { ...env, tools, turn };
}

const tickets = (n: number, from = 0) =>
  message(Array.from({ length: n }, (_, i): FakeBlock => ({ type: 'tool_use', id: `t${from + i}`, name: 'create_ticket', input: { subject: `flood ${from + i}`, description: 'x', priority: 'urgent' } })), 'tool_use');
const results = (req: RecordedRequest) => {
  const last = req.body.messages[req.body.messages.length - 1]!;
  return (typeof last.content === 'string' ? [] : last.content).filter((b) => b.type === 'tool_result');
};

describe('tool-call limits against a flooding model', () => {
  it('runs at most 8 calls of one response; the other 142 come back refused, in order, and are counted', async () => {
    const s = await setup();
    s.fake.script(tickets(150), reply('done'));
    const res = await s.turn('open a ticket', 'm1');
    expect(s.tools.state.tickets).toHaveLength(8);
    const r = results(s.fake.requests[1]!);
    expect(r).toHaveLength(150); // every tool_use gets its result, so the transcript stays valid
    expect(r.map((b) => b.tool_use_id)).toEqual(Array.from({ length: 150 }, (_, i) => `t${i}`));
    expect(r.slice(8).every((b) => b.is_error === true && String(b.content).startsWith('Not run: at most 8 tool calls'))).toBe(true);
    expect(res.refusedToolCalls).toBe(142);
    expect(res.reply).toBe('done');
  });

  it('runs at most 24 calls in one turn, however the model spreads them over responses', async () => {
    const s = await setup();
    s.fake.script(tickets(8, 0), tickets(8, 8), tickets(8, 16), tickets(8, 24), reply('done'));
    const res = await s.turn('tickets please', 'm1');
    expect(s.tools.state.tickets).toHaveLength(24);
    expect(res.refusedToolCalls).toBe(8);
    expect(String(results(s.fake.requests[4]!)[0]?.content)).toMatch(/^Not run: at most 24 tool calls are run per turn/);
    // The next turn starts with a fresh allowance.
    s.fake.script(tickets(1, 100), reply('one more'));
    await s.turn('and one more', 'm2');
    expect(s.tools.state.tickets).toHaveLength(25);
  });
});
