import { describe, expect, it } from 'vitest';
import { createAgent } from '../../src/agent/agent.js';
import type { ModelPort, ModelRequest } from '../../src/agent/model.js';
import { silentLogger } from '../../src/config/logger.js';
import { createCompaction } from '../../src/conversations/compaction.js';
import { createConversations, type ConversationsDeps } from '../../src/conversations/conversations.js';
import { boundLedger } from '../../src/conversations/ledger.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { AppError } from '../../src/errors.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { convConfig, fakeAgent, fakeConnect, msg, recordingDelivery, recordingStaff, until } from './fakes.js';

/** A model that answers every request with "answer N" and keeps what it was sent. */
function recordingModel(): ModelPort & { requests: ModelRequest[] } {
  const m = {
    name: 'recording model',
    requests: [] as ModelRequest[],
    async createMessage(req: ModelRequest) {
      m.requests.push(structuredClone(req));
      return { content: [{ type: 'text' as const, text: `answer ${m.requests.length}` }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 5 } };
    },
  };
  return m;
}

function realStack(store: Store, over: Partial<ConversationsDeps> = {}) {
  const model = recordingModel();
  const agent = createAgent({
    model, transcripts: createTranscripts({ store }), log: silentLogger(),
    config: { maxRounds: 4, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 256 },
  });
  const slack = recordingDelivery();
  const conv = createConversations({
    store, agent, connectTools: fakeConnect(), resolvers: {}, delivery: { slack }, staff: recordingStaff(),
    config: convConfig({ keepTranscripts: 2 }), log: silentLogger(), random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0, ...over,
  });
  return { model, slack, conv };
}

const userTexts = (req: ModelRequest) => req.messages.flatMap((m) => m.content).filter((b) => b.type === 'text').map((b) => (b as { text: string }).text);

describe('transcript compaction', () => {
  it('keeps whole transcripts only for the most recent threads; an older thread continues from its summary', async () => {
    const store = createMemoryStore();
    const { model, slack, conv } = realStack(store);
    await conv.start();
    const keys = ['slack:T:C:a', 'slack:T:C:b', 'slack:T:C:c', 'slack:T:C:d', 'slack:T:C:e', 'slack:T:C:f', 'slack:T:C:g', 'slack:T:C:h', 'slack:T:C:i', 'slack:T:C:j', 'slack:T:C:k', 'slack:T:C:l', 'slack:T:C:m'];
    for (const k of keys) {
      await conv.handle(msg(k, `my parcel ${k} never arrived`));
      await conv.drain();
    }
    const db = store.read();
    const first = db.conversations[keys[0]!]!;
    // Every thread keeps its record; the oldest has lost its messages but not who it is for or what was said.
    expect(Object.keys(db.conversations)).toHaveLength(keys.length);
    expect(first.messages).toEqual([]);
    expect(first.summary).toContain(`my parcel ${keys[0]} never arrived`);
    expect(first.summary).toContain('answer 1');
    expect(first.usage.inputTokens).toBe(10);
    const whole = Object.values(db.conversations).filter((c) => c.messages.length > 0);
    expect(whole.length).toBeLessThanOrEqual(2 + 10);
    expect(db.conversations[keys.at(-1)!]!.messages.length).toBeGreaterThan(0);

    // The customer comes back to the compacted thread: the model sees the summary and the new message only.
    await conv.handle(msg(keys[0]!, 'any news on it?'));
    await conv.drain();
    const last = model.requests.at(-1)!;
    const texts = userTexts(last).join('\n');
    expect(texts).toContain('Summary of earlier parts of this conversation');
    expect(texts).toContain(`my parcel ${keys[0]} never arrived`);
    expect(texts).toContain('any news on it?');
    expect(last.messages).toHaveLength(1);
    expect(slack.sent.at(-1)?.reply.text).toBe(`answer ${model.requests.length}`);
    expect(store.read().conversations[keys[0]!]!.messages.length).toBe(2);
  });

  it('compacts threads idle past the limit on a sweep, and never a thread with a message still queued', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = () => now;
    const store = createMemoryStore();
    const transcripts = createTranscripts({ store, clock });
    // The agent for thread "busy" hits a model outage, so its message stays queued (retried with backoff).
    const { agent } = fakeAgent({
      transcripts,
      behave: async (input) => {
        if (input.threadKey === 'slack:T:C:busy' && input.text === 'second') throw new AppError('unavailable', 'model overloaded');
      },
    });
    const conv = createConversations({
      store, agent, connectTools: fakeConnect(), resolvers: {}, delivery: { slack: recordingDelivery() }, staff: recordingStaff(),
      config: convConfig({ transcriptIdleMs: 3600_000, retryBaseMs: 60_000, retryMaxMs: 60_000 }), log: silentLogger(), clock, random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0,
    });
    await conv.start();
    await conv.handle(msg('slack:T:C:idle', 'first'));
    await conv.handle(msg('slack:T:C:busy', 'first'));
    await conv.drain();
    const second = msg('slack:T:C:busy', 'second');
    await conv.handle(second);
    await until(() => store.read().processed[second.id]?.reason === 'model unavailable');
    now = new Date(now.getTime() + 2 * 3600_000);

    const compaction = createCompaction({ store, log: silentLogger(), clock, idleMs: 3600_000 });
    compaction.start();
    expect(await compaction.sweep()).toBe(1);
    const db = store.read();
    expect(db.conversations['slack:T:C:idle']!.messages).toEqual([]);
    expect(db.conversations['slack:T:C:idle']!.summary).toContain('first');
    // The queued thread keeps everything the agent needs to retry its message idempotently.
    expect(db.conversations['slack:T:C:busy']!.messages.length).toBeGreaterThan(0);
    expect(db.conversations['slack:T:C:busy']!.meta['appliedMessageIds']).toBeDefined();
    expect(db.processed[second.id]?.status).toBe('queued');
    expect(compaction.live().threads).toBe(1);
    await conv.stop();
  });

  it('on start, compacts stored transcripts idle past the limit and keeps the recent ones whole', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const store = createMemoryStore();
    const transcripts = createTranscripts({ store, clock: () => now });
    const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
    for (const [key, hoursAgo] of [['slack:T:C:old', 30], ['slack:T:C:new', 1]] as const) {
      await transcripts.save({ threadKey: key, channel: 'slack', messages: [{ role: 'user', content: [{ type: 'text', text: `hello from ${key}` }] }, { role: 'assistant', content: [{ type: 'text', text: 'hi' }] }], usage, appliedMessageIds: ['x'] });
      await store.update((db) => { db.conversations[key]!.updatedAt = new Date(now.getTime() - hoursAgo * 3600_000).toISOString(); });
    }
    const { conv } = realStack(store, { clock: () => now, config: convConfig({ transcriptIdleMs: 24 * 3600_000 }) });
    await conv.start();
    expect(store.read().conversations['slack:T:C:old']!.messages).toEqual([]);
    expect(store.read().conversations['slack:T:C:old']!.summary).toContain('hello from slack:T:C:old');
    expect(store.read().conversations['slack:T:C:new']!.messages).toHaveLength(2);
    await conv.stop();
  });

  it('bounds the kept transcripts by size as well as by count', async () => {
    const store = createMemoryStore();
    const transcripts = createTranscripts({ store });
    const compaction = createCompaction({ store, log: silentLogger(), keepRecent: 1000, maxLiveChars: 5000 });
    compaction.start();
    const big = 'x'.repeat(1500);
    for (let i = 0; i < 10; i++) {
      const key = `slack:T:C:${i}`;
      await transcripts.save({ threadKey: key, channel: 'slack', messages: [{ role: 'user', content: [{ type: 'text', text: big }] }, { role: 'assistant', content: [{ type: 'text', text: 'ok' }] }], usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, appliedMessageIds: [`m${i}`] });
      await compaction.touched(key);
      expect(compaction.live().chars).toBeLessThanOrEqual(5000);
    }
    const whole = Object.values(store.read().conversations).filter((c) => c.messages.length > 0).map((c) => c.threadKey);
    expect(whole).toEqual(['slack:T:C:7', 'slack:T:C:8', 'slack:T:C:9']);
    expect(store.read().conversations['slack:T:C:0']!.meta['appliedMessageIds']).toBeUndefined();
  });
});

describe('processed ledger bounds', () => {
  it('finished entries keep no payload, and a redelivery is still recognised after the count bound prunes older ones', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = () => now;
    const store = createMemoryStore();
    const { agent, state } = fakeAgent({ transcripts: createTranscripts({ store, clock }) });
    const conv = createConversations({
      store, agent, connectTools: fakeConnect(), resolvers: {}, delivery: { slack: recordingDelivery() }, staff: recordingStaff(),
      config: convConfig({ ledgerMaxEntries: 3, ledgerMinRetentionMs: 60 * 60_000 }), log: silentLogger(), clock, random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0,
    });
    await conv.start();
    const old = [msg('slack:T:C:1', 'a'), msg('slack:T:C:2', 'b'), msg('slack:T:C:3', 'c')];
    for (const m of old) await conv.handle(m);
    await conv.drain();
    for (const m of old) expect(Object.keys(store.read().processed[m.id]!).sort()).toEqual(['channel', 'id', 'receivedAt', 'status', 'threadKey', 'updatedAt']);
    now = new Date(now.getTime() + 2 * 3600_000);
    const recent = [msg('slack:T:C:4', 'd'), msg('slack:T:C:5', 'e')];
    for (const m of recent) await conv.handle(m);
    await conv.drain();
    const pruned = await store.update((db) => boundLedger(db, 3, new Date(now.getTime() - 3600_000).toISOString()));
    expect(pruned).toBe(2);
    expect(Object.keys(store.read().processed)).toEqual([old[2]!.id, recent[0]!.id, recent[1]!.id]);
    // Redeliveries inside the retention window are still duplicates; nothing was answered twice.
    for (const m of recent) expect(await conv.handle({ ...m })).toEqual({ accepted: false, reason: 'duplicate' });
    expect(state.calls).toHaveLength(5);
    await conv.stop();
  });

  it('never drops a queued entry or one inside the minimum retention, however full the ledger', async () => {
    const store = createMemoryStore();
    const at = '2026-01-01T00:00:00.000Z';
    await store.update((db) => {
      db.processed['q'] = { id: 'q', threadKey: 'slack:T:C:1', channel: 'slack', receivedAt: at, status: 'queued', updatedAt: at, message: { id: 'q' } };
      db.processed['r'] = { id: 'r', threadKey: 'slack:T:C:1', channel: 'slack', receivedAt: at, status: 'done', updatedAt: '2026-01-01T02:00:00.000Z' };
      db.processed['d'] = { id: 'd', threadKey: 'slack:T:C:1', channel: 'slack', receivedAt: at, status: 'done', updatedAt: at };
    });
    const pruned = await store.update((db) => boundLedger(db, 0, '2026-01-01T01:00:00.000Z'));
    expect(pruned).toBe(1);
    expect(Object.keys(store.read().processed)).toEqual(['q', 'r']);
  });
});
