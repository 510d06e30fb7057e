import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createConversations, type ConversationsDeps } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { REPLIES } from '../../src/conversations/replies.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import type { TranscriptPort } from '../../src/agent/types.js';
import { AppError } from '../../src/errors.js';
import { emptyDb } from '../../src/store/schema.js';
import { convConfig, fakeAgent, fakeConnect, msg, recordingDelivery, recordingStaff, until } from './fakes.js';
import { reposFor } from '../helpers/test-engine.js';

type SetupOpts = Partial<ConversationsDeps> & {
  delayMs?: number;
  behave?: NonNullable<Parameters<typeof fakeAgent>[0]>['behave'];
  /** Wraps the real transcripts the fake agent saves through (to make a save fail). */
  wrap?: (t: TranscriptPort) => TranscriptPort;
};

async function setup(over: SetupOpts = {}) {
  const repos = over.repos ?? await reposFor();
  const transcripts = createTranscripts({ repos });
  const { agent, state } = fakeAgent({ transcripts: over.wrap ? over.wrap(transcripts) : transcripts, delayMs: over.delayMs, behave: over.behave });
  const slack = recordingDelivery();
  const staff = recordingStaff();
  const connect = fakeConnect();
  const conv = createConversations({
    repos, agent, connectTools: connect, channels: channelPorts({ slack }), staff, config: convConfig(), log: silentLogger(),
    random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0, ...over,
  });
  return { repos, transcripts, agent, state, slack, staff, connect, conv };
}

describe('conversations', () => {
  it('answers a message once even when it is delivered twice', async () => {
    const { conv, slack, state, repos, connect } = await setup();
    await conv.start();
    const m = msg('slack:T:C:1', 'hello');
    expect(await conv.handle(m)).toEqual({ accepted: true });
    expect(await conv.handle({ ...m })).toEqual({ accepted: false, reason: 'duplicate' });
    await conv.drain();
    expect(await conv.handle({ ...m })).toEqual({ accepted: false, reason: 'duplicate' });
    await conv.drain();
    expect(slack.sent.map((s) => s.reply)).toEqual([{ text: 'echo: hello', kind: 'reply', inReplyToId: m.id }]);
    expect(state.calls).toHaveLength(1);
    expect((await repos.ledger.get(m.id))?.status).toBe('done');
    expect((await repos.ledger.get(m.id))?.message).toBeUndefined();
    expect(connect.opened).toBe(1);
    expect(connect.closed).toBe(1);
  });

  it('answers 100 threads at once, in parallel up to the limit, each thread in order', async () => {
    const { conv, slack, state } = await setup({ delayMs: 15, config: convConfig({ concurrency: 8 }) });
    await conv.start();
    const sent: Record<string, string[]> = {};
    const handles: Array<Promise<unknown>> = [];
    for (let t = 0; t < 100; t++) {
      const key = `slack:T:C:${t}`;
      sent[key] = [];
      for (let i = 0; i < 3; i++) {
        const text = `t${t}-m${i}`;
        sent[key].push(`echo: ${text}`);
        handles.push(conv.handle(msg(key, text)));
      }
    }
    const results = await Promise.all(handles);
    expect(results.every((r) => (r as { accepted: boolean }).accepted)).toBe(true);
    await conv.drain();
    const got: Record<string, string[]> = {};
    for (const s of slack.sent) got[s.threadKey] = [...(got[s.threadKey] ?? []), s.reply.text];
    expect(got).toEqual(sent);
    expect(state.maxActive).toBeLessThanOrEqual(8);
    expect(state.maxActive).toBeGreaterThan(1);
    expect(conv.stats()).toEqual({ queued: 0, running: 0, threads: 0 });
  });

  it('during a model outage sends one holding reply, keeps the thread waiting and answers each message once', async () => {
    let down = true;
    const { conv, slack, state, repos } = await setup({
      behave: async () => { if (down) throw new AppError('unavailable', 'model overloaded'); },
    });
    await conv.start();
    const key = 'slack:T:C:outage';
    const first = msg(key, 'first');
    await conv.handle(first);
    await conv.handle(msg(key, 'second'));
    await until(() => state.calls.length >= 4);
    // Still down: one holding reply only, nothing else, the second message has not been tried yet.
    expect(slack.sent.map((s) => s.reply.kind)).toEqual(['holding']);
    expect(state.calls.every((c) => c.text === 'first')).toBe(true);
    expect(await repos.ledger.get(first.id)).toMatchObject({ status: 'queued', reason: 'model unavailable' });
    expect((await repos.conversations.get(key))?.meta['holdingSentAt']).toBeDefined();
    down = false;
    await conv.drain();
    expect((await repos.conversations.get(key))?.meta['holdingSentAt']).toBeUndefined();
    expect(slack.sent.map((s) => [s.reply.kind, s.reply.text])).toEqual([
      ['holding', REPLIES.holding], ['reply', 'echo: first'], ['reply', 'echo: second'],
    ]);
    // A later outage on the same thread gets a fresh holding reply.
    down = true;
    await conv.handle(msg(key, 'third'));
    await until(() => slack.sent.length === 4);
    down = false;
    await conv.drain();
    expect(slack.sent.map((s) => s.reply.kind)).toEqual(['holding', 'reply', 'reply', 'holding', 'reply']);
  });

  it('re-queues a message left pending by a stopped process and answers it after restart', async () => {
    const repos = await reposFor();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const a = await setup({ repos, stopTimeoutMs: 20, behave: () => gate });
    await a.conv.start();
    const inflight = msg('slack:T:C:r', 'stuck in flight');
    const waiting = msg('slack:T:C:r', 'waiting behind it');
    await a.conv.handle(inflight);
    await a.conv.handle(waiting);
    await until(() => a.state.calls.length === 1);
    await a.conv.stop();
    expect(await a.conv.handle(msg('slack:T:C:r', 'late'))).toEqual({ accepted: false, reason: 'stopped' });
    expect((await repos.ledger.get(inflight.id))?.status).toBe('queued');
    expect((await repos.ledger.get(waiting.id))?.status).toBe('queued');

    const b = await setup({ repos });
    await b.conv.start();
    await b.conv.drain();
    expect(b.slack.sent.map((s) => s.reply.text)).toEqual(['echo: stuck in flight', 'echo: waiting behind it']);
    release(); // the old process's turn finishing late must not answer again
    await new Promise((r) => setTimeout(r, 20));
    expect(a.slack.sent).toHaveLength(0);
    expect((await repos.ledger.get(inflight.id))?.status).toBe('done');
    // The transcript holds each user message once.
    const t = await b.transcripts.load('slack:T:C:r');
    expect(t?.messages.filter((m) => (m as { role: string }).role === 'user')).toHaveLength(2);
  });

  it('knows a thread it answered, from the repositories, in a later process too', async () => {
    const repos = await reposFor();
    const a = await setup({ repos });
    await a.conv.start();
    expect(await a.conv.hasThread('slack:T:C:known')).toBe(false);
    await a.conv.handle(msg('slack:T:C:known', 'hello'));
    await a.conv.drain();
    expect(await a.conv.hasThread('slack:T:C:known')).toBe(true);
    await a.conv.stop();
    const b = await setup({ repos });
    expect(await b.conv.hasThread('slack:T:C:known')).toBe(true);
    expect(await b.conv.hasThread('slack:T:C:other')).toBe(false);
  });

  it('answers a message once when two instances on the same repositories both receive it', async () => {
    const repos = await reposFor();
    const a = await setup({ repos });
    const b = await setup({ repos });
    await a.conv.start();
    await b.conv.start();
    const m = msg('slack:T:C:twice', 'hello from both sides');
    const results = await Promise.all([a.conv.handle(m), b.conv.handle({ ...m }), a.conv.handle({ ...m }), b.conv.handle({ ...m })]);
    expect(results.filter((r) => r.accepted)).toHaveLength(1);
    expect(results.filter((r) => !r.accepted).map((r) => r.reason)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    await Promise.all([a.conv.drain(), b.conv.drain()]);
    expect([...a.slack.sent, ...b.slack.sent].map((s) => s.reply.text)).toEqual(['echo: hello from both sides']);
    expect(a.state.calls.length + b.state.calls.length).toBe(1);
    await Promise.all([a.conv.stop(), b.conv.stop()]);
  });

  it('delivers a reply recorded before a crash without running the turn again', async () => {
    const repos = await reposFor();
    const a = await setup({ repos, stopTimeoutMs: 20 });
    a.slack.deliver = () => new Promise(() => {}); // the process dies while delivering
    await a.conv.start();
    const m = msg('slack:T:C:d', 'hi');
    await a.conv.handle(m);
    await until(() => a.state.calls.length === 1);
    await new Promise((r) => setTimeout(r, 10));
    await a.conv.stop();
    expect(await repos.ledger.get(m.id)).toMatchObject({ status: 'queued', message: { reply: { text: 'echo: hi' } } });

    const b = await setup({ repos });
    await b.conv.start();
    await b.conv.drain();
    expect(b.state.calls).toHaveLength(0);
    expect(b.slack.sent.map((x) => x.reply)).toEqual([{ text: 'echo: hi', kind: 'reply', inReplyToId: m.id, inReplyToMeta: undefined, maybeDelivered: true }]); // the channel is told it may already have posted it
    expect((await repos.ledger.get(m.id))?.status).toBe('done');
  });

  it('when a reply cannot be delivered after retries, records the failure and alerts staff', async () => {
    const a = await setup();
    a.slack.failNext = 3;
    await a.conv.start();
    const m = msg('slack:T:C:f', 'hi');
    await a.conv.handle(m);
    await a.conv.drain();
    expect(await a.repos.ledger.get(m.id)).toMatchObject({ status: 'failed' });
    expect(a.staff.alerts).toContain('A reply could not be delivered to a customer');
    a.slack.failNext = 2; // two failures, third try works
    await a.conv.handle(msg('slack:T:C:f', 'again'));
    await a.conv.drain();
    expect(a.slack.sent.map((x) => x.reply.text)).toEqual(['echo: again']);
  });

  it('past the queue bound replies "busy" and records it; nothing is lost silently', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { conv, slack, repos } = await setup({ behave: () => gate, config: convConfig({ queueLimit: 2 }) });
    await conv.start();
    const m1 = msg('slack:T:C:b1', 'one');
    const m2 = msg('slack:T:C:b2', 'two');
    const m3 = msg('slack:T:C:b3', 'three');
    expect(await conv.handle(m1)).toEqual({ accepted: true });
    expect(await conv.handle(m2)).toEqual({ accepted: true });
    expect(await conv.handle(m3)).toEqual({ accepted: false, reason: 'busy' });
    expect(slack.sent).toEqual([{ threadKey: 'slack:T:C:b3', reply: { text: REPLIES.busy, kind: 'busy', inReplyToId: m3.id } }]);
    expect(await repos.ledger.get(m3.id)).toMatchObject({ status: 'ignored', reason: 'busy' });
    release();
    await conv.drain();
    expect(slack.sent.filter((s) => s.reply.kind === 'reply').map((s) => s.threadKey).sort()).toEqual(['slack:T:C:b1', 'slack:T:C:b2']);
    expect(await conv.handle(msg('slack:T:C:b3', 'again'))).toEqual({ accepted: true });
    await conv.drain();
  });

  it('on other errors apologises, records the failure and alerts staff, then carries on with the thread', async () => {
    const { conv, slack, staff, repos } = await setup({
      behave: async (input) => { if (input.text === 'boom') throw new Error('tool exploded'); },
    });
    await conv.start();
    const bad = msg('slack:T:C:e', 'boom');
    await conv.handle(bad);
    await conv.handle(msg('slack:T:C:e', 'after'));
    await conv.drain();
    expect(slack.sent.map((s) => s.reply.text)).toEqual([REPLIES.apology, 'echo: after']);
    expect(await repos.ledger.get(bad.id)).toMatchObject({ status: 'failed' });
    expect((await repos.ledger.get(bad.id))?.reason).toContain('tool exploded');
    expect(staff.alerts).toEqual(['A conversation turn failed']);
  });

  it('never delivers a reply whose transcript could not be saved: apologises and records the failure', async () => {
    const { conv, slack, repos } = await setup({
      behave: async (input) => (input.text === 'unsaved' ? { reply: 'this must not be sent' } : undefined),
      wrap: (t) => ({
        load: (k) => t.load(k),
        save: async (x) => { if (x.threadKey === 'slack:T:C:s') throw new Error('disk full'); await t.save(x); },
      }),
    });
    await conv.start();
    const m = msg('slack:T:C:s', 'unsaved');
    await conv.handle(m);
    await conv.drain();
    expect(slack.sent.map((s) => s.reply.text)).toEqual([REPLIES.apology]);
    expect(await repos.ledger.get(m.id)).toMatchObject({ status: 'failed' });
    expect((await repos.ledger.get(m.id))?.reason).toContain('disk full');
  });

  it('posts approvals created in a turn to staff, and resolves the caller through the channel resolver', async () => {
    const db = emptyDb();
    db.approvals.push({ id: 'apr_1', customerId: 'cus_001', action: 'card_deactivation', cardId: 'card_1', reason: 'lost', requestedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-02T00:00:00Z', status: 'pending' });
    const repos = await reposFor(db);
    const { conv, staff, connect, state } = await setup({
      repos,
      channels: channelPorts({ slack: recordingDelivery() }, { slack: { resolve: async (sender) => (sender.id === 'U1' ? { kind: 'customer', customerId: 'cus_001' } : { kind: 'anonymous' }) } }),
      behave: async () => ({ approvalIds: ['apr_1'] }),
    });
    await conv.start();
    await conv.handle(msg('slack:T:C:a', 'please block my card'));
    await conv.drain();
    expect(staff.approvals.map((a) => a.id)).toEqual(['apr_1']);
    expect(connect.callers).toEqual([{ kind: 'customer', customerId: 'cus_001' }]);
    expect(state.calls[0]?.caller).toEqual({ kind: 'customer', customerId: 'cus_001' });
    expect(await repos.conversations.get('slack:T:C:a')).toMatchObject({ callerKind: 'customer', customerId: 'cus_001' });
  });

  it('notifyThread delivers a notice to the owning channel and notes it in the transcript', async () => {
    const email = recordingDelivery();
    const { conv, slack, state } = await setup({ channels: channelPorts({ slack: recordingDelivery(), email }) });
    await conv.notifyThread('email:<abc@x>', 'Your card was deactivated.');
    expect(email.sent).toEqual([{ threadKey: 'email:<abc@x>', reply: { text: 'Your card was deactivated.', kind: 'notice' } }]);
    expect(state.notes).toEqual([{ threadKey: 'email:<abc@x>', text: 'Your card was deactivated.' }]);
    expect(slack.sent).toHaveLength(0);
    await expect(conv.notifyThread('fax:1', 'x')).rejects.toMatchObject({ code: 'not_found' });
  });
});
