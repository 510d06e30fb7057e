/**
 * A hostile model writing phishing links while its answer streams to a live (web) thread: through the real SDK (the
 * fake Messages API cuts the text in 5-character pieces, mid-URL), the real agent and the real conversations with
 * the outbound policy. No subscriber ever sees a disallowed link, even in part; the delivered reply has them removed.
 * Later pushes (an approval decision) arrive on the same numbered stream, and a reconnecting client resumes exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/config/logger.js';
import { createConversations } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { createOutboundPolicy, LINK_REMOVED } from '../../src/conversations/outbound-policy.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import type { ThreadEvent, ThreadResync } from '../../src/conversations/types.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { createClaudeModel } from '../../src/agent/claude-model.js';
import { message, midStreamError, reply, startFakeAnthropic } from '../helpers/fake-anthropic.js';
import { startMiniTools } from '../agent/fixtures/mini-tools.js';
import { convConfig, msg, recordingDelivery } from '../conversations/fakes.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const PHISH = 'Your account is locked. Verify now at https://bank.example.evil.test/verify?id=1 or www.evil.test, evil-bank.com/login, [log in](http://evil.test/x). Help: https://bank.example/help.';

async function setup() {
  const fake = await startFakeAnthropic({ chunkChars: 5 });
  const tools = await startMiniTools('anonymous');
  const repos = createMemoryRepositories();
  cleanups.push(fake.close, tools.close, () => repos.close());
  const model = createClaudeModel({ apiKey: 'sk-test', baseURL: fake.url, model: 'claude-test', timeoutMs: 2000, maxRetries: 2, maxTokens: 512 }, { midStreamRetryMs: 5 });
  const agent = createAgent({ model, transcripts: createTranscripts({ repos }), config: { maxRounds: 6, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 512 }, log: silentLogger() });
  const web = recordingDelivery();
  const conv = createConversations({
    repos, agent, connectTools: async () => ({ client: tools.client, close: async () => {} }), channels: channelPorts({ web }), config: convConfig(), log: silentLogger(),
    deliveryRetryMs: 1, sweepEveryMs: 0, replySweepMs: 0, outbound: createOutboundPolicy({ allowedLinkDomains: ['bank.example'] }),
  });
  await conv.start();
  cleanups.push(() => conv.stop());
  const seen: Array<ThreadEvent | ThreadResync> = [];
  const threadKey = 'web:visitor-1';
  const stop = conv.subscribe(threadKey, (e) => seen.push(e));
  const ask = async (text: string) => {
    await conv.handle(msg(threadKey, text, { channel: 'web', sender: { id: 'visitor-1', verified: false } }));
    await conv.drain();
  };
  return { fake, conv, web, seen, threadKey, stop, ask };
}

const streamed = (seen: Array<ThreadEvent | ThreadResync>) => seen.filter((e): e is Extract<ThreadEvent, { type: 'text' }> => e.type === 'text').map((e) => e.text);

describe('hostile model, streamed to a live thread', () => {
  it('no disallowed link reaches a subscriber, in a preamble, a restarted stream or the answer', async () => {
    const s = await setup();
    s.fake.script(
      message([{ type: 'text', text: `Checking. ${PHISH}` }, { type: 'tool_use', id: 'toolu_1', name: 'search_knowledge_base', input: { query: 'https://evil.test/secret-arg' } }], 'tool_use'),
      midStreamError({ text: `Partial: ${PHISH}` }),
      reply(PHISH),
    );
    await s.ask('I cannot log in');
    const all = JSON.stringify(s.seen);
    expect(streamed(s.seen).length).toBeGreaterThan(3);
    expect(streamed(s.seen).join('')).toContain(`Verify now at ${LINK_REMOVED}`); // the links' places did stream, filtered
    expect(all).not.toMatch(/evil\.test|evil-bank|secret-arg/u);
    const types = s.seen.map((e) => e.type);
    expect(types).toContain('working');
    expect(types.filter((t) => t === 'retract').length).toBe(2); // the preamble, and the stream cut by the overload
    const answer = s.seen.at(-1) as Extract<ThreadEvent, { type: 'message' }>;
    expect(answer).toMatchObject({ type: 'message', kind: 'reply' });
    expect(answer.text).toContain(LINK_REMOVED);
    expect(answer.text).toContain('https://bank.example/help');
    expect(s.web.sent.map((x) => x.reply.text)).toEqual([answer.text]);
    // The text left on screen (after the last retract) is the start of the reply that was delivered.
    const last = types.lastIndexOf('retract');
    expect(answer.text.startsWith(streamed(s.seen.slice(last + 1)).join(''))).toBe(true);
    const seqs = s.seen.map((e) => (e as ThreadEvent).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('a later push (an approval decision) is the next numbered event; a reconnect resumes without loss or repetition', async () => {
    const s = await setup();
    s.fake.script(reply('I have passed your request to our staff; you will hear back here soon.'));
    await s.ask('please deactivate my card');
    const beforeDrop = s.seen.length;
    const cursor = (s.seen[Math.floor(beforeDrop / 2)] as ThreadEvent).id;
    s.stop(); // the client's connection drops halfway through what it had read...
    await s.conv.notifyThread(s.threadKey, 'Your card deactivation was approved.');
    const resumed: Array<ThreadEvent | ThreadResync> = [];
    s.conv.subscribe(s.threadKey, (e) => resumed.push(e), { after: cursor });
    const all = [...s.seen.slice(0, Math.floor(beforeDrop / 2) + 1), ...resumed];
    expect(all.map((e) => (e as ThreadEvent).seq)).toEqual(all.map((_, i) => i + 1));
    expect(resumed.at(-1)).toMatchObject({ type: 'message', kind: 'notice', text: 'Your card deactivation was approved.' });
    expect(s.seen.filter((e) => e.type === 'message')).toHaveLength(1); // the reply, once
    expect(resumed.filter((e) => e.type === 'message' && e.kind === 'reply')).toHaveLength(1);
    expect(s.conv.cursor(s.threadKey)).toBe((resumed.at(-1) as ThreadEvent).id);
  });
});
