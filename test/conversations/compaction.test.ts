import { describe, expect, it } from 'vitest';
import { createAgent } from '../../src/agent/agent.js';
import type { ModelPort, ModelRequest } from '../../src/agent/model.js';
import { silentLogger } from '../../src/config/logger.js';
import { createCompaction } from '../../src/conversations/compaction.js';
import { createConversations, type ConversationsDeps } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { createMemoryBounds } from '../../src/conversations/memory-bounds.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { AppError } from '../../src/errors.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { emptyDb } from '../../src/store/schema.js';
import { convConfig, fakeAgent, fakeConnect, msg, recordingDelivery, recordingStaff, until } from './fakes.js';
import { reposFor } from '../helpers/test-engine.js';

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

function realStack(repos: Repositories, over: Partial<ConversationsDeps> = {}) {
  const model = recordingModel();
  const agent = createAgent({
    model, transcripts: createTranscripts({ repos }), log: silentLogger(),
    config: { maxRounds: 4, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 256 },
  });
  const slack = recordingDelivery();
  const conv = createConversations({
    repos, agent, connectTools: fakeConnect(), channels: channelPorts({ slack }), staff: recordingStaff(),
    config: convConfig({ keepTranscripts: 2 }), log: silentLogger(), random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0, ...over,
  });
  return { model, slack, conv };
}

const userTexts = (req: ModelRequest) => req.messages.flatMap((m) => m.content).filter((b) => b.type === 'text').map((b) => (b as { text: string }).text);
const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
/** The stored conversation of each key (every one must exist). */
async function conversationsOf(repos: Repositories, keys: readonly string[]) {
  return Promise.all(keys.map(async (k) => {
    const c = await repos.conversations.get(k);
    if (!c) throw new Error(`no conversation ${k}`);
    return c;
  }));
}

describe('transcript compaction', () => {
  it('keeps whole transcripts only for the most recent threads; an older thread continues from its summary', async () => {
    const repos = await reposFor();
    const { model, slack, conv } = realStack(repos);
    await conv.start();
    const keys = ['slack:T:C:a', 'slack:T:C:b', 'slack:T:C:c', 'slack:T:C:d', 'slack:T:C:e', 'slack:T:C:f', 'slack:T:C:g', 'slack:T:C:h', 'slack:T:C:i', 'slack:T:C:j', 'slack:T:C:k', 'slack:T:C:l', 'slack:T:C:m'];
    for (const k of keys) {
      await conv.handle(msg(k, `my parcel ${k} never arrived`));
      await conv.drain();
    }
    // Every thread keeps its record; the oldest has lost its messages but not who it is for or what was said.
    const all = await conversationsOf(repos, keys);
    const first = all[0]!;
    expect(first.messages).toEqual([]);
    expect(first.summary).toContain(`my parcel ${keys[0]} never arrived`);
    expect(first.summary).toContain('answer 1');
    expect(first.usage.inputTokens).toBe(10);
    const whole = all.filter((c) => c.messages.length > 0);
    expect(whole.length).toBeLessThanOrEqual(2 + 10);
    expect(all.at(-1)!.messages.length).toBeGreaterThan(0);
    expect((await repos.conversations.listLive(100)).map((t) => t.threadKey)).toEqual(whole.map((c) => c.threadKey));

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
    expect((await repos.conversations.get(keys[0]!))!.messages.length).toBe(2);
    await conv.stop();
  });

  it('compacts threads idle past the limit on a sweep, and never a thread with a message still queued', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = () => now;
    const repos = await reposFor();
    const transcripts = createTranscripts({ repos, clock });
    // The agent for thread "busy" hits a model outage, so its message stays queued (retried with backoff).
    const { agent } = fakeAgent({
      transcripts,
      behave: async (input) => {
        if (input.threadKey === 'slack:T:C:busy' && input.text === 'second') throw new AppError('unavailable', 'model overloaded');
      },
    });
    const conv = createConversations({
      repos, agent, connectTools: fakeConnect(), channels: channelPorts({ slack: recordingDelivery() }), staff: recordingStaff(),
      config: convConfig({ transcriptIdleMs: 3600_000, retryBaseMs: 60_000, retryMaxMs: 60_000 }), log: silentLogger(), clock, random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0,
    });
    await conv.start();
    await conv.handle(msg('slack:T:C:idle', 'first'));
    await conv.handle(msg('slack:T:C:busy', 'first'));
    await conv.drain();
    const second = msg('slack:T:C:busy', 'second');
    await conv.handle(second);
    let reason: string | undefined;
    await until(() => {
      void repos.ledger.get(second.id).then((e) => { reason = e?.reason; });
      return reason === 'model unavailable';
    });
    now = new Date(now.getTime() + 2 * 3600_000);

    const compaction = createCompaction({ repos, log: silentLogger(), clock, idleMs: 3600_000 });
    await compaction.start();
    expect(await compaction.sweep()).toBe(1);
    const [idle, busy] = await conversationsOf(repos, ['slack:T:C:idle', 'slack:T:C:busy']);
    expect(idle!.messages).toEqual([]);
    expect(idle!.summary).toContain('first');
    expect(idle!.meta['compactedAt']).toBe(now.toISOString());
    // The queued thread keeps everything the agent needs to retry its message idempotently.
    expect(busy!.messages.length).toBeGreaterThan(0);
    expect(busy!.meta['appliedMessageIds']).toBeDefined();
    expect((await repos.ledger.get(second.id))?.status).toBe('queued');
    expect(compaction.live().threads).toBe(1);
    await conv.stop();
  });

  it('on start, compacts stored transcripts idle past the limit and keeps the recent ones whole', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const repos = await reposFor();
    for (const [key, hoursAgo] of [['slack:T:C:old', 30], ['slack:T:C:new', 1]] as const) {
      const transcripts = createTranscripts({ repos, clock: () => new Date(now.getTime() - hoursAgo * 3600_000) });
      await transcripts.save({ threadKey: key, channel: 'slack', messages: [{ role: 'user', content: [{ type: 'text', text: `hello from ${key}` }] }, { role: 'assistant', content: [{ type: 'text', text: 'hi' }] }], usage, appliedMessageIds: ['x'] });
    }
    const { conv } = realStack(repos, { clock: () => now, config: convConfig({ transcriptIdleMs: 24 * 3600_000 }) });
    await conv.start();
    const [old, recent] = await conversationsOf(repos, ['slack:T:C:old', 'slack:T:C:new']);
    expect(old!.messages).toEqual([]);
    expect(old!.summary).toContain('hello from slack:T:C:old');
    expect(recent!.messages).toHaveLength(2);
    await conv.stop();
  });

  it('bounds the kept transcripts by size as well as by count', async () => {
    const repos = await reposFor();
    const transcripts = createTranscripts({ repos });
    const compaction = createCompaction({ repos, log: silentLogger(), keepRecent: 1000, maxLiveChars: 5000 });
    await compaction.start();
    const big = 'x'.repeat(1500);
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) {
      const key = `slack:T:C:${i}`;
      keys.push(key);
      await transcripts.save({ threadKey: key, channel: 'slack', messages: [{ role: 'user', content: [{ type: 'text', text: big }] }, { role: 'assistant', content: [{ type: 'text', text: 'ok' }] }], usage, appliedMessageIds: [`m${i}`] });
      await compaction.touched(key);
      expect(compaction.live().chars).toBeLessThanOrEqual(5000);
    }
    const all = await conversationsOf(repos, keys);
    expect(all.filter((c) => c.messages.length > 0).map((c) => c.threadKey)).toEqual(['slack:T:C:7', 'slack:T:C:8', 'slack:T:C:9']);
    expect(all[0]!.meta['appliedMessageIds']).toBeUndefined();
  });

  it('leaves a thread alone that was written after it was indexed (by another instance), and compacts the next one', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = () => now;
    const repos = await reposFor();
    const transcripts = createTranscripts({ repos, clock });
    const messages = [{ role: 'user', content: 'hello' }];
    const save = (key: string) => transcripts.save({ threadKey: key, channel: 'slack', messages, usage, appliedMessageIds: ['m'] });
    const size = JSON.stringify(messages).length;
    await save('slack:T:C:a');
    await save('slack:T:C:b');
    const compaction = createCompaction({ repos, log: silentLogger(), clock, maxLiveChars: Math.floor(2.5 * size) });
    await compaction.start(); // a, then b, least recently active first
    now = new Date(now.getTime() + 60_000);
    await save('slack:T:C:a'); // another instance answered in thread a: this index still has it as the oldest
    await save('slack:T:C:c');
    expect(await compaction.touched('slack:T:C:c')).toBe(1); // three over the size bound: one goes
    const [a, b, c] = await conversationsOf(repos, ['slack:T:C:a', 'slack:T:C:b', 'slack:T:C:c']);
    expect(a!.messages).toHaveLength(1);
    expect(b!.messages).toEqual([]);
    expect(c!.messages).toHaveLength(1);
    expect(compaction.live()).toEqual({ threads: 2, chars: 2 * size });
  });
});

describe('processed ledger bounds', () => {
  it('finished entries keep no payload, and a redelivery is still recognised after the count bound prunes older ones', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = () => now;
    const repos = await reposFor();
    const { agent, state } = fakeAgent({ transcripts: createTranscripts({ repos, clock }) });
    const config = convConfig({ ledgerMaxEntries: 3, ledgerMinRetentionMs: 60 * 60_000 });
    const conv = createConversations({
      repos, agent, connectTools: fakeConnect(), channels: channelPorts({ slack: recordingDelivery() }), staff: recordingStaff(),
      config, log: silentLogger(), clock, random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0, holder: 'instance-1',
    });
    await conv.start();
    const old = [msg('slack:T:C:1', 'a'), msg('slack:T:C:2', 'b'), msg('slack:T:C:3', 'c')];
    for (const m of old) await conv.handle(m);
    await conv.drain();
    for (const m of old) expect(Object.keys((await repos.ledger.get(m.id))!).sort()).toEqual(['channel', 'id', 'receivedAt', 'status', 'threadKey', 'updatedAt']);
    now = new Date(now.getTime() + 2 * 3600_000);
    const recent = [msg('slack:T:C:4', 'd'), msg('slack:T:C:5', 'e')];
    for (const m of recent) await conv.handle(m);
    await conv.drain();
    const bounds = createMemoryBounds({ repos, log: silentLogger(), clock, config, holder: 'instance-1', sweepEveryMs: 0 });
    expect(await bounds.sweep()).toEqual({ compacted: 0, pruned: 2 });
    expect(await repos.ledger.count()).toBe(3);
    for (const m of [old[0]!, old[1]!]) expect(await repos.ledger.get(m.id)).toBeUndefined();
    for (const m of [old[2]!, ...recent]) expect(await repos.ledger.get(m.id)).toBeDefined();
    // Redeliveries inside the retention window are still duplicates; nothing was answered twice.
    for (const m of recent) expect(await conv.handle({ ...m })).toEqual({ accepted: false, reason: 'duplicate' });
    expect(state.calls).toHaveLength(5);
    // Another instance does not sweep while this one holds the retention lease.
    const other = createMemoryBounds({ repos, log: silentLogger(), clock, config, holder: 'instance-2', sweepEveryMs: 0 });
    expect(await other.sweep()).toBeUndefined();
    await conv.stop();
    expect(await other.sweep()).toEqual({ compacted: 0, pruned: 0 });
    await other.stop();
  });

  it('never drops a queued entry or one inside the minimum retention, however full the ledger', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    const db = emptyDb();
    db.processed['q'] = { id: 'q', threadKey: 'slack:T:C:1', channel: 'slack', receivedAt: at, status: 'queued', updatedAt: at, message: { id: 'q' } };
    db.processed['r'] = { id: 'r', threadKey: 'slack:T:C:1', channel: 'slack', receivedAt: at, status: 'done', updatedAt: '2026-01-01T02:00:00.000Z' };
    db.processed['d'] = { id: 'd', threadKey: 'slack:T:C:1', channel: 'slack', receivedAt: at, status: 'done', updatedAt: at };
    const repos = await reposFor(db);
    const config = convConfig({ ledgerMaxEntries: 0, ledgerMinRetentionMs: 60 * 60_000 });
    const bounds = createMemoryBounds({ repos, log: silentLogger(), clock: () => new Date('2026-01-01T02:00:00.000Z'), config, holder: 'h', sweepEveryMs: 0 });
    expect(await bounds.sweep()).toEqual({ compacted: 0, pruned: 1 });
    expect(await repos.ledger.get('d')).toBeUndefined();
    expect(await repos.ledger.get('q')).toMatchObject({ status: 'queued', message: { id: 'q' } });
    expect(await repos.ledger.get('r')).toMatchObject({ status: 'done' });
    await bounds.stop();
  });
});
