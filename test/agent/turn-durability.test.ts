/**
 * When the agent waits for its saves: a tool with effects runs only once its call is stored (a crash is repaired,
 * never re-run) and its results are stored before the model is asked again; a round of read-only tools is stored
 * with the answer (a crash before it runs the reads again, which changes nothing); the answer is returned only once
 * it is stored; a save that fails fails the turn before anything else runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolClient, TurnInput } from '../../src/agent/types.js';
import { message, reply, toolUse } from '../helpers/fake-anthropic.js';
import { startMiniTools } from './fixtures/mini-tools.js';
import { setupClaudeAgent } from './fixtures/setup.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const events: string[] = [];
  const env = await setupClaudeAgent({ disk: { diskMs: 30, onEvent: (e, n) => events.push(`${e}#${n}`) } });
  const tools = await startMiniTools('customer');
  cleanups.push(env.fake.close, tools.close);
  const client: ToolClient = {
    listTools: () => tools.client.listTools(),
    callTool: (p) => {
      events.push(`tool:${p.name}`);
      return tools.client.callTool(p);
    },
  };
  const caller: TurnInput['caller'] = { kind: 'customer', customerId: 'cus_1' };
  const turn = async (text: string) => {
    const res = await env.agent.runTurn({ messageId: 'm1', threadKey: 'terminal:ada', channel: 'terminal', caller, text, tools: client });
    events.push('returned');
    return res;
  };
  return { ...env, tools, events, turn };
}

describe('agent turn durability', () => {
  it('runs a state-changing tool only after its call is stored', async () => {
    const s = await setup();
    s.fake.script(toolUse('request_card_deactivation', { last4: '4242', reason: 'lost' }, { id: 'tu_card' }), reply('Sent to staff for approval.'));
    await s.turn('I lost my card ending 4242, please block it');
    const tool = s.events.indexOf('tool:request_card_deactivation');
    expect(s.events.indexOf('durable#1')).toBeGreaterThanOrEqual(0);
    expect(tool).toBeGreaterThan(s.events.indexOf('durable#1'));
    expect(s.events.indexOf('applied#2')).toBeGreaterThan(tool);
    expect(s.events.indexOf('durable#2')).toBeGreaterThanOrEqual(0);
    expect(s.events.indexOf('durable#2')).toBeLessThan(s.events.indexOf('applied#3')); // results stored before the model is asked again
  });

  it('stores a round of read-only tools with the answer, and returns the answer only once it is stored', async () => {
    const s = await setup();
    s.fake.script(
      message([{ type: 'tool_use', id: 'a', name: 'get_account_balance', input: {} }, { type: 'tool_use', id: 'b', name: 'search_knowledge_base', input: { query: 'fees' } }], 'tool_use'),
      reply('You have £1,234.56; fees are in the article.'),
    );
    const res = await s.turn('balance and fees?');
    expect(res.reply).toContain('£1,234.56');
    expect(s.events).toEqual([
      'tool:get_account_balance', 'tool:search_knowledge_base', 'applied#1', 'durable#1', 'returned',
    ]);
    expect(s.transcripts.map.get('terminal:ada')!.messages).toHaveLength(4);
  });

  it('fails the turn when a save cannot be stored, before any tool with effects runs', async () => {
    const s = await setup();
    s.fake.script(toolUse('request_card_deactivation', { last4: '4242', reason: 'lost' }, { id: 'tu_card' }), reply('Sent to staff for approval.'));
    s.transcripts.failNextSave(new Error('disk full'));
    await expect(s.turn('I lost my card ending 4242, please block it')).rejects.toThrow('disk full');
    expect(s.events).not.toContain('returned');
    expect(s.events.some((e) => e.startsWith('tool:'))).toBe(false);
  });

  it('fails a turn of reads when its answer cannot be stored: nothing of it was stored before', async () => {
    const s = await setup();
    s.fake.script(toolUse('get_account_balance', {}, { id: 'tu_bal' }), reply('You have £1,234.56.'));
    s.transcripts.failNextSave(new Error('disk full'));
    await expect(s.turn('what is my balance?')).rejects.toThrow('disk full');
    expect(s.events[0]).toBe('tool:get_account_balance');
    expect(s.events.filter((e) => e.startsWith('durable') || e === 'returned')).toEqual([]);
  });
});
