/**
 * The email outbox against a real SMTP server (smtp-server on 127.0.0.1) that can be scripted to refuse:
 * deliver → durable outbox item (Message-ID fixed up front) → worker sends; 4xx retried with the same
 * Message-ID, 5xx not retried and the address marked, a hung server times out without blocking anything.
 * A system mail's one-time link is minted per attempt as it leaves (never stored), and every one minted works until
 * one is used.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailDeliver } from '../../../src/channels/email/outbound/deliver.js';
import { createOutboxWorker, type OutboxWorker } from '../../../src/channels/email/outbound/outbox-worker.js';
import { createSmtpSender, type SmtpSender } from '../../../src/channels/email/outbound/smtp-sender.js';
import { recordInbound } from '../../../src/channels/email/threads/thread-record.js';
import { silentLogger } from '../../../src/config/logger.js';
import { SCRUBBED_SYSTEM_TEXT, type OutboxRecord, type Repositories } from '../../../src/store/repos/index.js';
import { dbSchema } from '../../../src/store/schema.js';
import { createSupport, LINK_PLACEHOLDER, NO_LINK } from '../../../src/support/index.js';
import { createFakeStaff, SUPPORT_FROM, waitUntil, sleep, type FakeStaff } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';
import { systemMailRenderer } from '../../helpers/system-mail.js';

const THREAD = 'email:<q1@customer.test>';
const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const CUSTOMER = { kind: 'customer' as const, customerId: 'cus_001' };
const STAFF = { kind: 'staff' as const, staffId: 'U0STAFF0001' };
const LINK = /https:\/\/help\.example\.com\/reset\/(rst_[a-f0-9]+\.(\d+)\.[A-Za-z0-9_-]{43})/;
const SOURCE = 'email:<q1@customer.test>';

/** A pending system mail (reset link) as support queues it. */
function systemMail(id: string, text: string) {
  const at = new Date().toISOString();
  return { id, threadKey: `system:password-reset:${id}`, payload: { kind: 'system' as const, to: 'quinn@customer.test', subject: 'Reset your Helpline password', text }, nextAttemptAt: at, createdAt: at };
}

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

  async function setup(opts: { smtpTimeoutMs?: number } = {}): Promise<{ repos: Repositories; staff: FakeStaff; deliver: ReturnType<typeof createEmailDeliver>; w: OutboxWorker; reply: (kind?: string) => Promise<OutboxRecord | undefined> }> {
    const repos = await reposFor();
    await recordInbound(repos, { threadKey: THREAD, customerEmail: 'quinn@customer.test', subject: 'Refund [T-7]', messageId: '<q1@customer.test>', references: [], now: new Date().toISOString() });
    const staff = createFakeStaff();
    const sender = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: opts.smtpTimeoutMs ?? 3_000 });
    const w = createOutboxWorker({ repos, sender, from: SUPPORT_FROM, log: silentLogger(), staff, clock: () => new Date(), holder: 'test-instance', render: systemMailRenderer(repos), retryBaseMs: 100, retryMaxMs: 400, pollMs: 100, random: () => 0.5 });
    worker = w;
    const deliver = createEmailDeliver({ repos, from: SUPPORT_FROM, log: silentLogger(), clock: () => new Date(), queued: () => w.kick() });
    return { repos, staff, deliver, w, reply: (kind = 'reply') => repos.outbox.findReply(THREAD, SOURCE, kind) };
  }

  it('retries a 4xx and sends the reply exactly once, with the Message-ID fixed before the first attempt', async () => {
    const { deliver, w, reply } = await setup();
    sink.failNext({ code: 451, message: 'try again later' }, 2);
    await deliver.deliver(THREAD, { text: 'Your refund is on its way.', kind: 'reply', inReplyToId: SOURCE });
    const item = (await reply())!;
    const messageId = item.payload.messageId as string;
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@helpline\.test>$/);
    expect(item.status).toBe('pending');
    w.start();
    await sink.waitFor(1);
    await waitUntil(async () => (await reply())?.status === 'sent', 5_000, 'marked sent');
    await sleep(300);
    expect(sink.messages).toHaveLength(1);
    expect(sink.attempts.map((a) => a.answered)).toEqual([451, 451, 250]);
    expect(new Set(sink.attempts.map((a) => a.messageId))).toEqual(new Set([messageId]));
    const m = sink.messages[0]!;
    expect(m.messageId).toBe(messageId);
    expect(m.subject).toBe('Re: Refund [T-7]');
    expect(m.inReplyTo).toBe('<q1@customer.test>');
    expect(await reply()).toMatchObject({ status: 'sent', attempts: 3 });
    expect(w.status()).toBe('ok');
  });

  it('does not retry a 5xx: the item fails, the address is marked undeliverable, staff are told', async () => {
    const { repos, staff, deliver, w, reply } = await setup();
    sink.failNext({ code: 550, message: 'no such user' });
    await deliver.deliver(THREAD, { text: 'Hello', kind: 'reply', inReplyToId: SOURCE });
    w.start();
    await waitUntil(async () => (await reply())?.status === 'failed', 5_000, 'failed');
    await sleep(500);
    expect(sink.attempts).toHaveLength(1);
    expect(sink.messages).toHaveLength(0);
    expect((await reply())!.lastError).toMatch(/550/);
    expect(await repos.emailLimits.undeliverable('quinn@customer.test', new Date().toISOString())).toBeDefined();
    expect(staff.alerts.some((a) => a.text.includes('5xx'))).toBe(true);
    // Later mail to the marked address is not attempted at all.
    await deliver.deliver(THREAD, { text: 'Second', kind: 'notice', inReplyToId: SOURCE });
    await waitUntil(async () => (await reply('notice'))?.status === 'failed', 5_000, 'second failed');
    expect(sink.attempts).toHaveLength(1);
    // A system mail (reset link) to the marked address fails too, and its one-time link is not kept in the store.
    await repos.outbox.enqueue(systemMail('out_sys_q', 'Use https://x.test/reset/tok.secret'));
    w.kick();
    await waitUntil(async () => (await repos.outbox.get('out_sys_q'))?.status === 'failed', 5_000, 'system mail failed');
    expect((await repos.outbox.get('out_sys_q'))?.payload.text).toBe(SCRUBBED_SYSTEM_TEXT.failed);
  });

  it('times out a server that never answers, keeps the item pending, and sends it once the server recovers', async () => {
    const { deliver, w, reply } = await setup({ smtpTimeoutMs: 300 });
    sink.setHang(true);
    await deliver.deliver(THREAD, { text: 'Slow', kind: 'reply', inReplyToId: SOURCE });
    w.start();
    await waitUntil(async () => ((await reply())?.attempts ?? 0) >= 1, 5_000, 'first attempt timed out');
    expect((await reply())!.status).toBe('pending');
    expect((await reply())!.lastError).toMatch(/time/i);
    expect(w.status()).toBe('failing');
    sink.setHang(false);
    await sink.waitFor(1, 10_000);
    await waitUntil(async () => (await reply())?.status === 'sent', 5_000, 'sent');
    expect(sink.messages[0]!.messageId).toBe((await reply())!.payload.messageId);
  });

  it('sends system mail queued by support (password reset) with its own stored Message-ID', async () => {
    const { repos, w } = await setup();
    await repos.outbox.enqueue(systemMail('out_sys', 'Use https://x.test/reset/abc'));
    w.start();
    const [m] = await sink.waitFor(1);
    await waitUntil(async () => (await repos.outbox.get('out_sys'))?.status === 'sent', 5_000, 'sent');
    expect(m!.to).toEqual(['quinn@customer.test']);
    expect(m!.subject).toBe('Reset your Helpline password');
    expect(m!.header('auto-submitted')).toBe('auto-generated');
    expect(m!.messageId).toBe((await repos.outbox.get('out_sys'))!.payload.messageId);
    expect(m!.inReplyTo).toBeUndefined();
    expect(m!.raw.toString()).toContain('https://x.test/reset/abc');
    // Once sent, the one-time link is not kept in the store.
    expect((await repos.outbox.get('out_sys'))!.payload.text).toBe(SCRUBBED_SYSTEM_TEXT.sent);
  });

  it('sends a backlog over several connections: every item exactly once, each thread in its order', async () => {
    const { repos, deliver, w } = await setup();
    const threads = ['email:<b1@customer.test>', 'email:<b2@customer.test>', 'email:<b3@customer.test>'];
    for (const t of threads) await recordInbound(repos, { threadKey: t, customerEmail: 'quinn@customer.test', subject: t, messageId: t.slice(6), references: [], now: new Date().toISOString() });
    for (let i = 0; i < 8; i++) {
      for (const t of threads) await deliver.deliver(t, { text: `${t} #${i}`, kind: 'reply', inReplyToId: `email:<m${i}-${t.slice(7)}` });
    }
    w.start();
    await sink.waitFor(24);
    await waitUntil(async () => (await repos.outbox.countPending()) === 0, 5_000, 'all marked sent');
    await sleep(200);
    expect(sink.messages).toHaveLength(24);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(24);
    for (const t of threads) {
      const order = sink.messages.filter((m) => m.text.startsWith(t)).map((m) => Number(/#(\d+)/.exec(m.text)?.[1]));
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('shares the outbox between two instances: every item sent once, by whichever claimed it, each thread in order', async () => {
    const { repos, deliver, w } = await setup();
    const sender = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: 3_000 });
    const other = createOutboxWorker({ repos, sender, from: SUPPORT_FROM, log: silentLogger(), clock: () => new Date(), holder: 'other-instance', render: systemMailRenderer(repos), pollMs: 50 });
    const threads = ['email:<c1@customer.test>', 'email:<c2@customer.test>', 'email:<c3@customer.test>', 'email:<c4@customer.test>'];
    for (const t of threads) await recordInbound(repos, { threadKey: t, customerEmail: 'quinn@customer.test', subject: t, messageId: t.slice(6), references: [], now: new Date().toISOString() });
    for (let i = 0; i < 6; i++) {
      for (const t of threads) await deliver.deliver(t, { text: `${t} #${i}`, kind: 'reply', inReplyToId: `email:<n${i}-${t.slice(7)}` });
    }
    try {
      w.start();
      other.start();
      await sink.waitFor(24);
      await waitUntil(async () => (await repos.outbox.countPending()) === 0, 5_000, 'all marked sent');
      await sleep(300);
    } finally {
      await other.stop();
      sender.close();
    }
    expect(sink.messages).toHaveLength(24);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(24);
    for (const t of threads) {
      const order = sink.messages.filter((m) => m.text.startsWith(t)).map((m) => Number(/#(\d+)/.exec(m.text)?.[1]));
      expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    }
  });

  it('queues one reply per inbound message and kind even when deliver is called again, and never emails holding notes', async () => {
    const { repos, deliver, reply } = await setup();
    await deliver.deliver(THREAD, { text: 'Answer', kind: 'reply', inReplyToId: SOURCE });
    await deliver.deliver(THREAD, { text: 'Answer again (a retried turn)', kind: 'reply', inReplyToId: SOURCE });
    await deliver.deliver(THREAD, { text: 'Still working on it', kind: 'holding', inReplyToId: SOURCE });
    await deliver.deliver(THREAD, { text: 'We removed a card number', kind: 'notice', inReplyToId: SOURCE });
    expect((await reply())?.payload.text).toBe('Answer');
    expect((await reply('notice'))?.payload.text).toBe('We removed a card number');
    expect(await reply('holding')).toBeUndefined();
    expect(await repos.outbox.countPending()).toBe(2);
    // Our Message-ID is indexed as soon as the reply is queued: an answer to it threads even after a crash.
    const [indexed] = await repos.email.lookupMessageIds([(await reply())!.payload.messageId as string]);
    expect(indexed).toMatchObject({ threadKey: THREAD, dir: 'out' });
    await expect(deliver.deliver('email:<unknown@x.test>', { text: 'x', kind: 'reply' })).rejects.toThrow(/Unknown email thread/);
    await expect(deliver.deliver('slack:T:C:1', { text: 'x', kind: 'reply' })).rejects.toThrow(/not an email thread/);
  });

  // One-time links are minted as their mail leaves, per attempt (support's systemMail.render): every link minted for a
  // token works until one is used or it expires, since a timed-out attempt may still have been delivered.
  /** Real support on the seed data, and a worker whose SMTP sender records each text it is handed. */
  async function linkSetup() {
    const repos = await reposFor(dbSchema.parse(JSON.parse(readFileSync(root('data/seed.json'), 'utf8'))));
    const support = createSupport({
      repos, kbDir: root('data/kb'), staff: { isStaff: (id) => id === STAFF.staffId }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30,
      publicBaseUrl: 'https://help.example.com',
    });
    const smtp = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: 300 });
    /** Each text handed to SMTP, whether or not the server answered. */
    const handed: string[] = [];
    const sender: SmtpSender = { ...smtp, send: (mail) => { handed.push(mail.text ?? ''); return smtp.send(mail); } };
    worker = createOutboxWorker({
      repos, sender, from: SUPPORT_FROM, log: silentLogger(), clock: () => new Date(), holder: 'links-test', pollMs: 50, retryBaseMs: 50, retryMaxMs: 100,
      render: support.systemMail.render,
    });
    return { repos, support, handed, w: worker };
  }

  it('a retry mints a fresh link; the timed-out attempt\'s link works too, until either is used', async () => {
    const { repos, support, handed, w } = await linkSetup();
    const pending = await support.approvals.requestPasswordChange(CUSTOMER, {}, 'I forgot my password');
    await support.approvals.decide(STAFF, { approvalId: pending.approvalId, decision: 'approve' });
    const token = await repos.resetTokens.findByApproval(pending.approvalId);
    expect(token?.tokenHashes).toEqual([]); // nothing minted before the mail leaves
    const key = `password-reset:${pending.approvalId}`;
    const queued = () => repos.outbox.findReply(`system:${key}`, key, 'system');
    expect((await queued())?.payload.text).toContain(LINK_PLACEHOLDER);
    expect((await queued())?.payload.text).not.toContain('/reset/');

    // The server takes the mail and never answers: the attempt times out, though the mail may have gone out.
    sink.setHang(true);
    w.start();
    await waitUntil(async () => ((await queued())?.attempts ?? 0) >= 1, 5_000, 'first attempt timed out');
    sink.setHang(false);
    await sink.waitFor(1, 10_000);
    await waitUntil(async () => (await repos.outbox.countPending()) === 0, 5_000, 'sent');

    expect(handed).toHaveLength(2);
    const [first, second] = handed.map((t) => LINK.exec(t));
    expect([first?.[2], second?.[2]]).toEqual(['0', '1']);
    expect(sink.messages[0]?.text).toContain(second?.[0]);
    expect((await repos.resetTokens.get(token?.id ?? ''))?.tokenHashes).toHaveLength(2);
    for (const m of [first, second]) expect(await support.passwords.inspectToken(m?.[1] ?? '')).toMatchObject({ valid: true, customerId: 'cus_001' });
    // No link, token secret or any part of one is in the store, the sent mail's row included.
    const stored = JSON.stringify(await storedRows(repos));
    for (const m of [first, second]) expect(stored).not.toContain((m?.[1] ?? '').split('.').at(-1));

    // The mail that timed out did reach her: its link works, and using it uses the token (the retry's link too).
    await support.passwords.resetWithToken(first?.[1] ?? '', 'a quiet and long passphrase');
    await expect(support.passwords.resetWithToken(second?.[1] ?? '', 'another long passphrase')).rejects.toMatchObject({ code: 'conflict' });
    expect(await support.passwords.inspectToken(first?.[1] ?? '')).toEqual({ valid: false, reason: 'used' });
    // A late retry mints nothing any more: it says to ask again.
    expect(await support.systemMail.render({ sourceId: `password-reset:${pending.approvalId}`, text: `Here: ${LINK_PLACEHOLDER}` })).toBe(`Here: ${NO_LINK}`);
  });

  it('mints nothing from mail text: only a system mail\'s own key names the token, and other mail goes as stored', async () => {
    const { repos, support } = await linkSetup();
    const pending = await support.approvals.requestPasswordChange(CUSTOMER, {}, 'forgot');
    await support.approvals.decide(STAFF, { approvalId: pending.approvalId, decision: 'approve' });
    const token = await repos.resetTokens.findByApproval(pending.approvalId);
    // A placeholder under another key (a notice whose text a customer influenced) gets no link.
    expect(await support.systemMail.render({ sourceId: 'address-changed:adr_1', text: `x ${LINK_PLACEHOLDER}` })).toBe(`x ${NO_LINK}`);
    expect(await support.systemMail.render({ sourceId: `password-reset:${token?.id}`, text: LINK_PLACEHOLDER })).toBe(NO_LINK);
    expect(await support.systemMail.render({ text: 'no placeholder here' })).toBe('no placeholder here');
    expect((await repos.resetTokens.get(token?.id ?? ''))?.tokenHashes).toEqual([]);
  });
});
