import { afterEach, describe, expect, it } from 'vitest';
import { createClaudeModel } from '../../src/agent/claude-model.js';
import type { ModelRequest, ModelStreamEvent } from '../../src/agent/model.js';
import { isAppError } from '../../src/errors.js';
import { httpError, message, midStreamError, reply, startFakeAnthropic, toolUse, type FakeAnthropic } from '../helpers/fake-anthropic.js';

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  while (fakes.length) await fakes.pop()!.close();
});

async function setup(opts: { maxRetries?: number; chunkDelayMs?: number } = {}) {
  const fake = await startFakeAnthropic({ chunkDelayMs: opts.chunkDelayMs ?? 0 });
  fakes.push(fake);
  const model = createClaudeModel({ apiKey: 'sk-test', baseURL: fake.url, model: 'claude-test', timeoutMs: 2000, maxRetries: opts.maxRetries ?? 2, maxTokens: 512 }, { midStreamRetryMs: 5 });
  const events: ModelStreamEvent[] = [];
  const req: ModelRequest = { system: [{ type: 'text', text: 'sys' }], tools: [{ name: 'get_account_balance', description: 'b', input_schema: { type: 'object', properties: {} } }], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 512 };
  const call = () => model.createMessage(req, { onEvent: (e) => events.push(e) });
  /** What a listener shows: the text since the last restart, block by block. */
  const shown = () => {
    const since = events.slice(events.findLastIndex((e) => e.type === 'restart') + 1);
    const blocks = new Map<number, string>();
    for (const e of since) if (e.type === 'text') blocks.set(e.index, (blocks.get(e.index) ?? '') + e.text);
    return [...blocks.values()];
  };
  return { fake, model, events, call, shown };
}

describe('Claude adapter streaming (real SDK → fake Messages API over SSE)', () => {
  it('asks for a stream, reports text in pieces as written and resolves with the same whole message', async () => {
    const s = await setup();
    const text = 'Your balance is 12.34 EUR on the main account.';
    s.fake.script(reply(text, { input_tokens: 40, output_tokens: 17, cache_read_input_tokens: 30 }));
    const res = await s.call();
    expect(s.fake.requests[0]!.body.stream).toBe(true);
    expect(res).toEqual({ content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 40, output_tokens: 17, cache_read_input_tokens: 30, cache_creation_input_tokens: 0 } });
    expect(s.events.filter((e) => e.type === 'text').length).toBeGreaterThan(5);
    expect(s.shown()).toEqual([text]);
  });

  it('rebuilds tool_use input from input_json_delta pieces; text blocks keep their index', async () => {
    const s = await setup();
    s.fake.script(message([{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_1', name: 'request_card_deactivation', input: { last4: '4242', reason: 'lost on the train' } }], 'tool_use'));
    const res = await s.call();
    expect(res.stop_reason).toBe('tool_use');
    expect(res.content[1]).toEqual({ type: 'tool_use', id: 'toolu_1', name: 'request_card_deactivation', input: { last4: '4242', reason: 'lost on the train' } });
    expect(s.events.every((e) => e.type === 'text' && e.index === 0)).toBe(true);
    expect(s.shown()).toEqual(['Let me check.']);
  });

  it('reports text while the model is still writing', async () => {
    const s = await setup({ chunkDelayMs: 15 });
    s.fake.script(reply('one two three four five six seven eight nine ten'));
    let firstAt = 0;
    const res = s.model.createMessage({ system: [], tools: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'count' }] }], max_tokens: 64 }, {
      onEvent: (e) => {
        if (e.type === 'text' && !firstAt) firstAt = Date.now();
      },
    });
    await res;
    expect(firstAt).toBeGreaterThan(0);
    expect(Date.now() - firstAt).toBeGreaterThan(100); // the first piece came well before the last (~10 paced pieces after it)
  });

  it('a 429 and a 529 before the stream starts are retried by the SDK: no restart, text once', async () => {
    const s = await setup();
    s.fake.script(httpError(429), httpError(529), reply('Hello there, how can I help?'));
    const res = await s.call();
    expect(s.fake.requests).toHaveLength(3);
    expect(s.events.some((e) => e.type === 'restart')).toBe(false);
    expect(s.shown()).toEqual(['Hello there, how can I help?']);
    expect(res.content).toEqual([{ type: 'text', text: 'Hello there, how can I help?' }]);
  });

  it('an overloaded_error in the middle of the stream: restart is told, the retry streams the answer, nothing twice', async () => {
    const s = await setup();
    s.fake.script(midStreamError({ text: 'Your balance is 99' }), reply('Your balance is 12.34 EUR.'));
    const res = await s.call();
    expect(s.fake.requests).toHaveLength(2);
    const types = s.events.map((e) => e.type);
    expect(types.filter((t) => t === 'restart')).toHaveLength(1);
    expect(types.indexOf('restart')).toBeGreaterThan(0); // after the partial text
    expect(s.shown()).toEqual(['Your balance is 12.34 EUR.']);
    expect(res.content).toEqual([{ type: 'text', text: 'Your balance is 12.34 EUR.' }]);
  });

  it('a mid-stream error before any text retries without a restart', async () => {
    const s = await setup();
    s.fake.script(midStreamError({ type: 'rate_limit_error' }), reply('Done.'));
    await s.call();
    expect(s.events.map((e) => e.type)).toEqual(['text']);
  });

  it('mid-stream errors past the retry budget are an outage (unavailable), like a 529', async () => {
    const s = await setup({ maxRetries: 1 });
    s.fake.script(midStreamError({ text: 'Partial answer' }), midStreamError({ text: 'Partial again' }));
    const err = await s.call().catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect(s.fake.requests).toHaveLength(2);
    expect(s.events.filter((e) => e.type === 'restart')).toHaveLength(1);
  });

  it('streams a tool call without text: no text events at all', async () => {
    const s = await setup();
    s.fake.script(toolUse('get_account_balance', {}));
    const res = await s.call();
    expect(res.stop_reason).toBe('tool_use');
    expect(s.events).toEqual([]);
  });
});
