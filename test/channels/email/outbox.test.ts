/**
 * The email outbox against a real SMTP server (smtp-server on 127.0.0.1) that can be scripted to refuse:
 * deliver → durable outbox item (Message-ID fixed up front) → worker sends; 4xx retried with the same
 * Message-ID, 5xx not retried and the address marked, a hung server times out without blocking anything.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailDeliver } from '../../../src/channels/email/email-deliver.js';
import { recordInbound, undeliverableUntil } from '../../../src/channels/email/email-state.js';
import { createOutboxWorker, type OutboxWorker } from '../../../src/channels/email/outbox-worker.js';
import { createSmtpSender } from '../../../src/channels/email/smtp-sender.js';
import { silentLogger } from '../../../src/config/logger.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/types.js';
import { createFakeStaff, SUPPORT_FROM, waitUntil, sleep, type FakeStaff } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';

const THREAD = 'email:<q1@customer.test>';

describe('email outbox (smtp-server on loopback)', () => {
  let sink: SmtpSink;
  let worker: OutboxWorker | undefined;
  beforeAll(async () => { sink = await startSmtpSink(); });
  afterAll(async () => { await sink.stop(); });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    sink.messages.length = 0;
    sink.attempts.length = 0;
    sink.setHang(false);
  });

  async function setup(opts: { smtpTimeoutMs?: number } = {}): Promise<{ store: Store; staff: FakeStaff; deliver: ReturnType<typeof createEmailDeliver>; w: OutboxWorker }> {
    const store = createMemoryStore();
    await store.update((db) => recordInbound(db, { threadKey: THREAD, customerEmail: 'quinn@customer.test', subject: 'Refund [T-7]', messageId: '<q1@customer.test>', references: [], now: new Date().toISOString() }));
    const staff = createFakeStaff();
    const sender = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: opts.smtpTimeoutMs ?? 3_000 });
    const w = createOutboxWorker({ store, sender, from: SUPPORT_FROM, log: silentLogger(), staff, clock: () => new Date(), retryBaseMs: 100, retryMaxMs: 400, pollMs: 100, random: () => 0.5 });
    worker = w;
    const deliver = createEmailDeliver({ store, from: SUPPORT_FROM, log: silentLogger(), clock: () => new Date(), queued: () => w.kick() });
    return { store, staff, deliver, w };
  }

  it('retries a 4xx and sends the reply exactly once, with the Message-ID fixed before the first attempt', async () => {
    const { store, deliver, w } = await setup();
    sink.failNext({ code: 451, message: 'try again later' }, 2);
    await deliver.deliver(THREAD, { text: 'Your refund is on its way.', kind: 'reply', inReplyToId: 'email:<q1@customer.test>' });
    const item = store.read().outbox[0]!;
    const messageId = item.payload.messageId as string;
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@helpline\.test>$/);
    expect(item.status).toBe('pending');
    w.start();
    await sink.waitFor(1);
    await waitUntil(() => store.read().outbox[0]!.status === 'sent', 5_000, 'marked sent');
    await sleep(300);
    expect(sink.messages).toHaveLength(1);
    expect(sink.attempts.map((a) => a.answered)).toEqual([451, 451, 250]);
    expect(new Set(sink.attempts.map((a) => a.messageId))).toEqual(new Set([messageId]));
    const m = sink.messages[0]!;
    expect(m.messageId).toBe(messageId);
    expect(m.subject).toBe('Re: Refund [T-7]');
    expect(m.inReplyTo).toBe('<q1@customer.test>');
    expect(store.read().outbox[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(w.status()).toBe('ok');
  });

  it('does not retry a 5xx: the item fails, the address is marked undeliverable, staff are told', async () => {
    const { store, staff, deliver, w } = await setup();
    sink.failNext({ code: 550, message: 'no such user' });
    await deliver.deliver(THREAD, { text: 'Hello', kind: 'reply', inReplyToId: 'email:<q1@customer.test>' });
    w.start();
    await waitUntil(() => store.read().outbox[0]!.status === 'failed', 5_000, 'failed');
    await sleep(500);
    expect(sink.attempts).toHaveLength(1);
    expect(sink.messages).toHaveLength(0);
    expect(store.read().outbox[0]!.lastError).toMatch(/550/);
    expect(undeliverableUntil(store.read(), 'Quinn@Customer.test', new Date())).toBeDefined();
    expect(staff.alerts.some((a) => a.text.includes('5xx'))).toBe(true);
    // Later mail to the marked address is not attempted at all.
    await deliver.deliver(THREAD, { text: 'Second', kind: 'notice' });
    await waitUntil(() => store.read().outbox[1]?.status === 'failed', 5_000, 'second failed');
    expect(sink.attempts).toHaveLength(1);
    // A system mail (reset link) to the marked address fails too, and its one-time link is not kept on disk.
    await store.update((db) => {
      const at = new Date().toISOString();
      db.outbox.push({ id: 'out_sys_q', channel: 'email', threadKey: 'system:password-reset:apr_q', payload: { kind: 'system', to: 'quinn@customer.test', subject: 'Reset', text: 'Use https://x.test/reset/tok.secret' }, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at });
    });
    await waitUntil(() => store.read().outbox.find((i) => i.id === 'out_sys_q')?.status === 'failed', 5_000, 'system mail failed');
    expect(JSON.stringify(store.read().outbox)).not.toContain('/reset/tok.secret');
  });

  it('times out a server that never answers, keeps the item pending, and sends it once the server recovers', async () => {
    const { store, deliver, w } = await setup({ smtpTimeoutMs: 300 });
    sink.setHang(true);
    await deliver.deliver(THREAD, { text: 'Slow', kind: 'reply', inReplyToId: 'email:<q1@customer.test>' });
    w.start();
    await waitUntil(() => (store.read().outbox[0]!.attempts ?? 0) >= 1, 5_000, 'first attempt timed out');
    expect(store.read().outbox[0]!.status).toBe('pending');
    expect(store.read().outbox[0]!.lastError).toMatch(/time/i);
    expect(w.status()).toBe('failing');
    sink.setHang(false);
    await sink.waitFor(1, 10_000);
    await waitUntil(() => store.read().outbox[0]!.status === 'sent', 5_000, 'sent');
    expect(sink.messages[0]!.messageId).toBe(store.read().outbox[0]!.payload.messageId);
  });

  it('sends system mail queued by support (password reset) with its own stored Message-ID', async () => {
    const { store, w } = await setup();
    const at = new Date().toISOString();
    await store.update((db) => {
      db.outbox.push({ id: 'out_sys', channel: 'email', threadKey: 'system:password-reset:apr_1', payload: { kind: 'system', to: 'quinn@customer.test', subject: 'Reset your Helpline password', text: 'Use https://x.test/reset/abc' }, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at });
    });
    w.start();
    const [m] = await sink.waitFor(1);
    await waitUntil(() => store.read().outbox[0]!.status === 'sent', 5_000, 'sent');
    expect(m!.to).toEqual(['quinn@customer.test']);
    expect(m!.subject).toBe('Reset your Helpline password');
    expect(m!.header('auto-submitted')).toBe('auto-generated');
    expect(m!.messageId).toBe(store.read().outbox[0]!.payload.messageId);
    expect(m!.inReplyTo).toBeUndefined();
    expect(m!.raw.toString()).toContain('https://x.test/reset/abc');
    // Once sent, the one-time link is not kept in the store.
    expect(JSON.stringify(store.read().outbox)).not.toContain('/reset/abc');
  });

  it('sends a backlog over several connections: every item exactly once, each thread in its order', async () => {
    const { store, deliver, w } = await setup();
    const threads = ['email:<b1@customer.test>', 'email:<b2@customer.test>', 'email:<b3@customer.test>'];
    await store.update((db) => {
      for (const t of threads) recordInbound(db, { threadKey: t, customerEmail: 'quinn@customer.test', subject: t, messageId: t.slice(6), references: [], now: new Date().toISOString() });
    });
    for (let i = 0; i < 8; i++) {
      for (const t of threads) await deliver.deliver(t, { text: `${t} #${i}`, kind: 'reply', inReplyToId: `email:<m${i}-${t.slice(7)}` });
    }
    w.start();
    await sink.waitFor(24);
    await waitUntil(() => store.read().outbox.every((i) => i.status === 'sent'), 5_000, 'all marked sent');
    await sleep(200);
    expect(sink.messages).toHaveLength(24);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(24);
    for (const t of threads) {
      const order = sink.messages.filter((m) => m.text.startsWith(t)).map((m) => Number(/#(\d+)/.exec(m.text)?.[1]));
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('queues one reply per inbound message and kind even when deliver is called again, and never emails holding notes', async () => {
    const { store, deliver } = await setup();
    await deliver.deliver(THREAD, { text: 'Answer', kind: 'reply', inReplyToId: 'email:<q1@customer.test>' });
    await deliver.deliver(THREAD, { text: 'Answer again (a retried turn)', kind: 'reply', inReplyToId: 'email:<q1@customer.test>' });
    await deliver.deliver(THREAD, { text: 'Still working on it', kind: 'holding', inReplyToId: 'email:<q1@customer.test>' });
    await deliver.deliver(THREAD, { text: 'We removed a card number', kind: 'notice', inReplyToId: 'email:<q1@customer.test>' });
    expect(store.read().outbox.map((i) => [i.payload.replyKind, i.payload.text])).toEqual([['reply', 'Answer'], ['notice', 'We removed a card number']]);
    await expect(deliver.deliver('email:<unknown@x.test>', { text: 'x', kind: 'reply' })).rejects.toThrow(/Unknown email thread/);
    await expect(deliver.deliver('slack:T:C:1', { text: 'x', kind: 'reply' })).rejects.toThrow(/not an email thread/);
  });
});
