import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/agent/agent.js';
import { createOfflineModel } from '../../src/agent/offline/index.js';
import type { TurnEvent, TurnInput } from '../../src/agent/types.js';
import { silentLogger } from '../../src/config/logger.js';
import { connectInProcess } from '../../src/mcp/index.js';
import { httpError, message, midStreamError, reply } from '../helpers/fake-anthropic.js';
import { fixtureSupport } from './fixtures/helpline-db.js';
import { memoryTranscripts } from './fixtures/memory-transcripts.js';
import { startMiniTools } from './fixtures/mini-tools.js';
import { setupClaudeAgent } from './fixtures/setup.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const env = await setupClaudeAgent({ maxRetries: 1 });
  const tools = await startMiniTools('customer');
  cleanups.push(env.fake.close, tools.close);
  const caller: TurnInput['caller'] = { kind: 'customer', customerId: 'cus_1' };
  const events: TurnEvent[] = [];
  let n = 0;
  const turn = (text: string, onEvent: TurnInput['onEvent'] = (e) => events.push(e)) =>
    env.agent.runTurn({ messageId: `m${++n}`, threadKey: 'terminal:ada', channel: 'terminal', caller, text, tools: tools.client, onEvent });
  return { ...env, tools, events, turn };
}

/** The text a listener is left showing: the pieces after the last retract. */
function shown(events: TurnEvent[]): string {
  const from = events.findLastIndex((e) => e.type === 'retract') + 1;
  return events.slice(from).map((e) => (e.type === 'text' ? e.text : '')).join('');
}

describe('turn events (what a live channel is told while a turn runs)', () => {
  it('a tool turn: the preamble is retracted, the tool is named without its arguments, the answer streams, then done', async () => {
    const s = await setup();
    s.fake.script(
      message([{ type: 'text', text: 'Let me request that for you.' }, { type: 'tool_use', id: 'toolu_1', name: 'request_card_deactivation', input: { last4: '4242', reason: 'lost it at Secret Street 7' } }], 'tool_use'),
      reply('I have asked our staff to deactivate your card; you will hear from us here.'),
    );
    const r = await s.turn('deactivate my card 4242, I lost it');
    const types = s.events.map((e) => e.type);
    const retract = types.indexOf('retract');
    const working = types.indexOf('working');
    expect(retract).toBeGreaterThan(0);
    expect(types.slice(0, retract).every((t) => t === 'text')).toBe(true);
    expect(s.events[working]).toEqual({ type: 'working', tool: 'request_card_deactivation' });
    expect(s.events[working + 1]).toEqual({ type: 'tool_done', tool: 'request_card_deactivation', ok: true });
    expect(retract).toBeLessThan(working);
    expect(s.events.at(-1)).toEqual({ type: 'done', handoff: false });
    expect(shown(s.events)).toBe(r.reply);
    expect(types.filter((t) => t === 'text').length).toBeGreaterThan(5);
    const all = JSON.stringify(s.events);
    expect(all).not.toContain('4242');
    expect(all).not.toContain('Secret Street');
  });

  it('an overload in the middle of the answer: the partial text is retracted and the answer streams once', async () => {
    const s = await setup();
    s.fake.script(midStreamError({ text: 'Your balance is 1,000,000' }), reply('Your balance is 12.34 EUR.'));
    const r = await s.turn('balance?');
    expect(s.events.filter((e) => e.type === 'retract')).toHaveLength(1);
    expect(shown(s.events)).toBe('Your balance is 12.34 EUR.');
    expect(r.reply).toBe('Your balance is 12.34 EUR.');
  });

  it('a refusal is handed to a person: what the model wrote is retracted, the turn ends done with handoff', async () => {
    const s = await setup();
    s.fake.script(message([{ type: 'text', text: 'I will not help with that at all.' }], 'refusal'));
    const r = await s.turn('something odd');
    expect(r.handoff).toBe(true);
    expect(shown(s.events)).toBe('');
    expect(s.events.at(-1)).toEqual({ type: 'done', handoff: true });
  });

  it('text blocks of the answer are joined as the reply joins them', async () => {
    const s = await setup();
    s.fake.script(message([{ type: 'text', text: 'First part.' }, { type: 'text', text: 'Second part.' }]));
    const r = await s.turn('two parts please');
    expect(r.reply).toBe('First part.\nSecond part.');
    expect(shown(s.events)).toBe(r.reply);
  });

  it('a failing model ends with failed and its code; a listener that throws never fails the turn', async () => {
    const s = await setup();
    s.fake.script(httpError(400));
    await expect(s.turn('hello')).rejects.toMatchObject({ code: 'model_error' });
    expect(s.events.at(-1)).toEqual({ type: 'failed', code: 'model_error' });
    s.fake.script(reply('Still here.'));
    const r = await s.turn('hello again', () => {
      throw new Error('listener broke');
    });
    expect(r.reply).toBe('Still here.');
  });

  it('the offline model streams its reply in pieces too', async () => {
    const { repos, support } = fixtureSupport();
    cleanups.push(() => repos.close());
    const agent = createAgent({ model: createOfflineModel(), transcripts: memoryTranscripts().port, config: { maxRounds: 4, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 512 }, log: silentLogger() });
    const caller: TurnInput['caller'] = { kind: 'customer', customerId: 'cus_a' };
    const conn = await connectInProcess({ support, caller, context: { threadKey: 'terminal:off', channel: 'terminal' } });
    cleanups.push(() => conn.close());
    const events: TurnEvent[] = [];
    const r = await agent.runTurn({ messageId: 'o1', threadKey: 'terminal:off', channel: 'terminal', caller, text: 'what is my balance?', tools: conn.client, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
    expect(events.some((e) => e.type === 'working')).toBe(true);
    expect(shown(events)).toBe(r.reply);
  });
});
