/**
 * The email channel against a real Dovecot (IMAP) and a real SMTP server (smtp-server) on 127.0.0.1,
 * with a fake conversations layer that answers `ack <text>`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { createEmailChannel, type EmailChannel } from '../../../src/channels/email/index.js';
import type { Config } from '../../../src/config/config.js';
import type { EmailDecision, Repositories } from '../../../src/store/repos/index.js';
import { emptyDb } from '../../../src/store/schema.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFakeConversations, createFakeStaff, directoryOf, emailConfig, rawDsn, rawMail, waitUntil, type FakeConversations, type FakeStaff } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { reposFor } from '../../helpers/test-engine.js';
import { systemMailRenderer } from '../../helpers/system-mail.js';

const ALICE = { id: 'cus_001', name: 'Alice', email: 'alice@customer.test' };

/**
 * A store that holds the directory's customer, as in the product (the directory reads the store): on PostgreSQL a
 * ticket for a customer the store does not have is refused (foreign key).
 */
function withAlice(db = emptyDb()) {
  db.customers.push({ ...ALICE, createdAt: '2025-01-01T00:00:00.000Z', address: { line1: '1 Main St', city: 'London', postalCode: 'N1 1AA', country: 'GB' } });
  return db;
}

/** The decisions recorded so far, by Message-ID. */
async function decisionsOf(repos: Repositories): Promise<Map<string, EmailDecision>> {
  return new Map((await repos.email.recentDecisions(1000)).items.map((d) => [d.messageId, d]));
}

/** The reply queued for an inbound message that opened its own thread. */
const replyTo = (repos: Repositories, messageId: string) => repos.outbox.findReply(`email:${messageId}`, `email:${messageId}`, 'reply');

describe.skipIf(!dovecotAvailable())('email channel (Dovecot + SMTP on loopback)', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let n = 0;
  let env: { channel: EmailChannel; repos: Repositories; conv: FakeConversations; staff: FakeStaff; mailbox: string; lastUid: () => Promise<number | undefined> } | undefined;

  beforeAll(async () => {
    [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), sink?.stop()]);
  });
  afterEach(async () => {
    await env?.channel.stop();
    env = undefined;
  });

  /** A fresh mailbox, store and channel per test (mail appended to `mailbox` before start() is "mail present before start"). */
  async function setup(over: Partial<Omit<Config['email'], 'imap' | 'smtp'>> & { imap?: Partial<Config['email']['imap']> } = {}, repos?: Repositories, smtpTimeoutMs = 3_000) {
    repos ??= await reposFor(withAlice());
    const mailbox = `T${++n}`;
    await dovecot.createMailbox(mailbox);
    sink.messages.length = 0;
    const conv = createFakeConversations(repos);
    const staff = createFakeStaff();
    const config = emailConfig(dovecot, sink, { ...over, imap: { mailbox, pollIntervalMs: 500, ...over.imap } });
    const channel = createEmailChannel({
      config, repos, instanceId: `test-${n}`, conversations: conv, directory: directoryOf([ALICE]), staff, log: silentLogger(), renderSystemMail: systemMailRenderer(repos),
      tuning: { imap: { backoffBaseMs: 100, backoffMaxMs: 400, commandTimeoutMs: 10_000 }, outbox: { retryBaseMs: 100, pollMs: 200 }, smtpTimeoutMs },
    });
    conv.attach(channel.deliver);
    const lastUid = async () => (await repos.email.mailbox(mailbox))?.lastUid;
    env = { channel, repos, conv, staff, mailbox, lastUid };
    return env;
  }

  it('EMAIL_FIRST_START=new: the mailbox history is left alone on first start and only new mail is answered', async () => {
    const { channel, conv, mailbox, lastUid } = await setup({ imap: { firstStart: 'new' } });
    await dovecot.append(rawMail({ from: 'old@customer.test', subject: 'Old question', messageId: '<old1@customer.test>', body: 'from last year' }), [], mailbox);
    await dovecot.append(rawMail({ from: 'old@customer.test', subject: 'Older question', messageId: '<old2@customer.test>', body: 'from last year' }), [], mailbox);
    await channel.start();
    await waitUntil(async () => (await lastUid()) === 2, 10_000, 'position set to the end of the mailbox');
    await dovecot.append(rawMail({ from: 'carol@customer.test', subject: 'New question', messageId: '<new1@customer.test>', body: 'hello' }), [], mailbox);
    await sink.waitFor(1);
    expect(conv.calls).toEqual(['email:<new1@customer.test>']);
    expect(sink.messages.map((m) => m.to[0])).toEqual(['carol@customer.test']);
  });

  it('answers a customer email with one threaded reply, continues the thread on their reply, and never lets another address join it', async () => {
    const { channel, repos, conv, mailbox, lastUid } = await setup();
    await dovecot.append(rawMail({ from: 'Alice <alice@customer.test>', subject: 'Card blocked', messageId: '<a1@customer.test>', body: 'My card is blocked.', dmarcPass: true }), [], mailbox);
    await channel.start();

    const [first] = await sink.waitFor(1);
    expect(first!.to).toEqual(['alice@customer.test']);
    expect(first!.subject).toBe('Re: Card blocked');
    expect(first!.inReplyTo).toBe('<a1@customer.test>');
    expect(first!.references).toEqual(['<a1@customer.test>']);
    expect(first!.header('auto-submitted')).toBe('auto-replied');
    expect(first!.header('x-auto-response-suppress')).toBe('All');
    expect(first!.messageId).toMatch(/^<[0-9a-f-]{36}@helpline\.test>$/);
    expect(first!.text).toContain('ack My card is blocked.');
    expect(first!.html).toContain('<p>ack My card is blocked.</p>');
    await waitUntil(async () => (await replyTo(repos, '<a1@customer.test>'))?.status === 'sent', 5_000, 'outbox item marked sent');
    expect((await replyTo(repos, '<a1@customer.test>'))?.payload.messageId).toBe(first!.messageId);

    const m1 = conv.handled[0]!;
    expect(m1.threadKey).toBe('email:<a1@customer.test>');
    expect(m1.id).toBe('email:<a1@customer.test>');
    expect(m1.sender).toMatchObject({ id: 'alice@customer.test', verified: true });
    expect(await channel.identity.resolve(m1.sender, m1)).toEqual({ kind: 'customer', customerId: 'cus_001' });
    expect(channel.status()).toEqual({ imap: 'connected', smtp: 'ok' });

    // Support opened a ticket for the thread: replies carry its token from now on.
    const at = new Date().toISOString();
    const ticket = await repos.tickets.create({ customerId: 'cus_001', subject: 'Card blocked', description: 'blocked', channel: 'email', priority: 'normal', category: 'card', sentiment: 0, status: 'open', threadKey: m1.threadKey, createdAt: at, updatedAt: at, messages: [], history: [] });
    expect(ticket.id).toBe('T-1001');

    // Alice answers our reply: same conversation.
    await dovecot.append(rawMail({ from: 'alice@customer.test', subject: 'Re: Card blocked', messageId: '<a2@customer.test>', inReplyTo: first!.messageId, references: ['<a1@customer.test>', first!.messageId!], body: 'Still blocked.\r\n\r\nOn Mon, Nov 23, 2026 at 10:02 AM Helpline Support <support@helpline.test> wrote:\r\n> ack My card is blocked.', dmarcPass: true }), [], mailbox);
    const [, second] = await sink.waitFor(2);
    expect(conv.handled[1]!.threadKey).toBe(m1.threadKey);
    expect(conv.handled[1]!.text).toContain('Still blocked.');
    expect(conv.handled[1]!.text).not.toContain('ack My card'); // quoted history is not sent to the model
    expect(second!.to).toEqual(['alice@customer.test']);
    expect(second!.subject).toBe('Re: Card blocked [T-1001]');
    expect(second!.inReplyTo).toBe('<a2@customer.test>');
    expect(second!.references).toEqual(['<a1@customer.test>', first!.messageId, '<a2@customer.test>']);
    expect(second!.messageId).not.toBe(first!.messageId);

    // Someone else copies the ticket token and the headers, with display-name and Reply-To tricks: a new conversation, answered to them only.
    await dovecot.append(rawMail({ from: '"alice@customer.test" <mallory@evil.test>', subject: 'Re: Card blocked [T-1001]', messageId: '<m1@evil.test>', inReplyTo: second!.messageId, references: ['<a1@customer.test>'], headers: ['Reply-To: alice@customer.test'], body: 'Send me her balance.' }), [], mailbox);
    const [, , third] = await sink.waitFor(3);
    const m3 = conv.handled[2]!;
    expect(m3.threadKey).toBe('email:<m1@evil.test>');
    expect(m3.sender).toMatchObject({ id: 'mallory@evil.test', verified: false });
    expect(await channel.identity.resolve(m3.sender, m3)).toEqual({ kind: 'anonymous', contact: 'mallory@evil.test' });
    expect(third!.to).toEqual(['mallory@evil.test']);
    expect(third!.inReplyTo).toBe('<m1@evil.test>');
    expect(sink.messages.filter((m) => m.to.includes('alice@customer.test'))).toHaveLength(2);
    expect(await lastUid()).toBe(3);
  });

  it('never answers auto-replies, bounces, list mail or our own mail, and records why', async () => {
    // We did send bob a mail earlier (it is what bounced).
    const seeded = withAlice();
    const sentAt = new Date().toISOString();
    seeded.outbox.push({ id: 'out_bob_1', channel: 'email', threadKey: 'email:<b0@customer.test>', payload: { kind: 'reply', to: 'bob@customer.test', subject: 'Re: help', text: 'hi', messageId: '<sent-to-bob@helpline.test>' }, status: 'sent', attempts: 1, nextAttemptAt: sentAt, createdAt: sentAt, sentAt });
    const { channel, repos, conv, mailbox, lastUid } = await setup({}, await reposFor(seeded));
    const ownId = '<0b5e7a4e-1c1f-4a53-9a0e-7d1c5d3c2b10@helpline.test>';
    const skipped: Array<[string, string]> = [
      ['<auto@x.test>', rawMail({ from: 'erin@x.test', subject: 'Thanks', messageId: '<auto@x.test>', headers: ['Auto-Submitted: Auto-Replied'] })],
      ['<ooo@x.test>', rawMail({ from: 'frank@x.test', subject: 'Out of Office: back Monday', messageId: '<ooo@x.test>' })],
      ['<list@x.test>', rawMail({ from: 'news@lists.x.test', subject: 'Weekly digest', messageId: '<list@x.test>', headers: ['List-Id: <digest.lists.x.test>', 'Precedence: list'] })],
      ['<bulk@x.test>', rawMail({ from: 'promo@x.test', subject: 'Sale', messageId: '<bulk@x.test>', headers: ['Precedence: bulk'] })],
      ['<dsn@mx.example.net>', rawDsn('bob@customer.test', '<dsn@mx.example.net>', '<sent-to-bob@helpline.test>')],
      // A bounce-shaped message about a mail we never sent (anyone can write one): ignored, and carol is NOT cut off.
      ['<fake-dsn@evil.test>', rawDsn('carol@customer.test', '<fake-dsn@evil.test>', '<never-sent@evil.test>')],
      ['<own@helpline.test>', rawMail({ from: 'support@helpline.test', subject: 'Re: hello', messageId: '<own@helpline.test>' })],
      [ownId, rawMail({ from: 'Helpline <helpdesk@helpline.test>', subject: 'Re: hello', messageId: ownId })],
      ['<noreply@x.test>', rawMail({ from: 'no-reply@shop.test', subject: 'Your order', messageId: '<noreply@x.test>' })],
    ];
    for (const [, raw] of skipped) await dovecot.append(raw, [], mailbox);
    await dovecot.append(rawMail({ from: 'carol@customer.test', subject: 'Question', messageId: '<c1@customer.test>', body: 'How do I change my address?' }), [], mailbox);
    await channel.start();

    await sink.waitFor(1);
    await waitUntil(async () => (await lastUid()) === skipped.length + 1, 10_000, 'every message decided');
    expect(conv.calls).toEqual(['email:<c1@customer.test>']); // no conversation call for any of the others
    expect(sink.messages.map((m) => m.to[0])).toEqual(['carol@customer.test']);
    const decisions = await decisionsOf(repos);
    for (const [id] of skipped) expect(decisions.get(id)?.decision, id).toBe('ignored');
    expect(decisions.get('<auto@x.test>')?.reason).toContain('auto-submitted');
    expect(decisions.get('<list@x.test>')?.reason).toMatch(/list/);
    expect(decisions.get('<dsn@mx.example.net>')?.reason).toMatch(/delivery status/);
    expect(decisions.get('<c1@customer.test>')?.decision).toBe('replied');

    // The bounce marked bob undeliverable: mail to him (here a system mail from support) is not attempted.
    const attemptsBefore = sink.attempts.length;
    const at = new Date().toISOString();
    await repos.outbox.enqueue({ id: 'out_sys_bob', threadKey: 'system:test', payload: { kind: 'system', to: 'bob@customer.test', subject: 'Reset', text: 'link' }, nextAttemptAt: at, createdAt: at });
    await waitUntil(async () => (await repos.outbox.get('out_sys_bob'))?.status === 'failed', 5_000, 'system mail to a bounced address failed');
    expect((await repos.outbox.get('out_sys_bob'))?.lastError).toMatch(/undeliverable/);
    expect(sink.attempts.length).toBe(attemptsBefore);
    expect(await repos.emailLimits.undeliverable('bob@customer.test', at)).toMatchObject({ reason: 'bounce 5.1.1' });
    // carol, named only by the forged bounce, still gets her mail.
    expect(await repos.emailLimits.undeliverable('carol@customer.test', at)).toBeUndefined();
    expect(sink.messages.map((m) => m.to[0])).toContain('carol@customer.test');
  });

  it('quarantines a 30 MB message and malformed MIME, moves them aside, and keeps answering the inbox', async () => {
    const { channel, repos, conv, staff, mailbox, lastUid } = await setup({ imap: { quarantineFolder: 'Quarantine' } });
    const huge = rawMail({ from: 'big@x.test', subject: 'Huge', messageId: '<huge@x.test>', body: 'x'.repeat(30 * 1024 * 1024) });
    const noClosingBoundary = ['From: g@x.test', 'To: support@helpline.test', 'Subject: broken', 'Message-ID: <broken@x.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="zz"', '', '--zz', 'Content-Type: text/plain', '', 'never closed', ''].join('\r\n');
    const badCharset = ['From: h@x.test', 'To: support@helpline.test', 'Subject: charset', 'Message-ID: <charset@x.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset="x-no-such-charset"', '', 'Hola \xff\xfe', ''].join('\r\n');
    const depth = 300;
    const nested = ['From: j@x.test', 'To: support@helpline.test', 'Subject: nested', 'Message-ID: <nested@x.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b0"', '',
      ...Array.from({ length: depth }, (_, i) => `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n`), '--b300', 'Content-Type: text/plain', '', 'deep', ''].join('\r\n');
    await dovecot.append(huge, [], mailbox);
    await dovecot.append(noClosingBoundary, [], mailbox);
    await dovecot.append(badCharset, [], mailbox);
    await dovecot.append(nested, [], mailbox);
    await dovecot.append(rawMail({ from: 'ivy@customer.test', subject: 'Normal', messageId: '<ivy@customer.test>', body: 'Normal question' }), [], mailbox);
    const started = Date.now();
    await channel.start();

    await waitUntil(() => sink.messages.some((m) => m.inReplyTo === '<ivy@customer.test>'), 20_000, 'the normal email answered');
    expect(Date.now() - started).toBeLessThan(20_000);
    const decisions = await decisionsOf(repos);
    expect(decisions.get('<huge@x.test>')).toMatchObject({ decision: 'quarantined' });
    expect(decisions.get('<huge@x.test>')?.reason).toMatch(/too large/);
    // Malformed MIME is either quarantined or handled (the parser is lenient) — but decided, never stuck.
    for (const id of ['<broken@x.test>', '<charset@x.test>', '<nested@x.test>']) expect(['quarantined', 'replied']).toContain(decisions.get(id)?.decision);
    expect(conv.handled.map((m) => m.id)).toContain('email:<ivy@customer.test>');
    expect(conv.calls).not.toContain('email:<huge@x.test>');
    const q = (await repos.quarantine.list(100)).find((e) => e.ref === '<huge@x.test>');
    expect(q?.channel).toBe('email');
    expect(staff.alerts.some((a) => a.text.includes('quarantined'))).toBe(true);
    await waitUntil(async () => (await lastUid()) === 5, 5_000, 'position past every message');
    expect(await dovecot.count('Quarantine')).toBeGreaterThanOrEqual(1);
  });

  it('keeps reading the inbox while the SMTP server hangs, and sends the replies once it recovers', async () => {
    const { channel, repos, conv, mailbox } = await setup({}, undefined, 400);
    sink.setHang(true);
    try {
      await dovecot.append(rawMail({ from: 'pat@customer.test', subject: 'One', messageId: '<p1@customer.test>' }), [], mailbox);
      await channel.start();
      await waitUntil(async () => ((await replyTo(repos, '<p1@customer.test>'))?.attempts ?? 0) >= 1, 10_000, 'a send attempt timed out');
      await dovecot.append(rawMail({ from: 'pat@customer.test', subject: 'Two', messageId: '<p2@customer.test>' }), [], mailbox);
      await waitUntil(() => conv.handled.length === 2, 10_000, 'second mail read while SMTP hangs');
      expect(sink.messages).toHaveLength(0);
      expect(channel.status()).toEqual({ imap: 'connected', smtp: 'failing' });
    } finally {
      sink.setHang(false);
    }
    await sink.waitFor(2, 15_000);
    expect(sink.messages.map((m) => m.inReplyTo).sort()).toEqual(['<p1@customer.test>', '<p2@customer.test>']);
  });

  it('stops answering a sender past the reply budget and alerts staff once', async () => {
    const { channel, repos, conv, staff, mailbox, lastUid } = await setup({ replyBudgetPerSenderHour: 2 });
    for (let i = 1; i <= 4; i++) await dovecot.append(rawMail({ from: 'dave@customer.test', subject: `Question ${i}`, messageId: `<d${i}@customer.test>` }), [], mailbox);
    await channel.start();
    await waitUntil(async () => (await lastUid()) === 4, 10_000, 'all four decided');
    await sink.waitFor(2);
    expect(conv.calls).toEqual(['email:<d1@customer.test>', 'email:<d2@customer.test>']);
    const decisions = await decisionsOf(repos);
    expect(decisions.get('<d3@customer.test>')?.decision).toBe('budget');
    expect(decisions.get('<d4@customer.test>')?.decision).toBe('budget');
    expect(staff.alerts.filter((a) => a.text.includes('budget'))).toHaveLength(1);
    expect(sink.messages).toHaveLength(2);
  });

  it('re-syncs by Message-ID after a real UIDVALIDITY change: nothing answered twice, staff told, new mail answered', async () => {
    const { channel, repos, conv, staff, mailbox } = await setup();
    await dovecot.append(rawMail({ from: 'kim@customer.test', subject: 'One', messageId: '<k1@customer.test>' }), [], mailbox);
    await dovecot.append(rawMail({ from: 'kim@customer.test', subject: 'Two', messageId: '<k2@customer.test>' }), [], mailbox);
    await channel.start();
    await sink.waitFor(2);
    const before = await repos.email.mailbox(mailbox);
    expect(before?.lastUid).toBe(2);

    // The server renumbers the mailbox (as after a migration or a rebuilt index) while the bot is connected.
    await dovecot.renumber(mailbox);
    await dovecot.append(rawMail({ from: 'kim@customer.test', subject: 'Three', messageId: '<k3@customer.test>' }), [], mailbox);
    await sink.waitFor(3, 20_000);
    await waitUntil(async () => {
      const now = await repos.email.mailbox(mailbox);
      return now?.lastUid === 3 && now.uidValidity !== before?.uidValidity;
    }, 10_000, 're-sync done');
    expect((await repos.email.mailbox(mailbox))?.previousUidValidity).toBe(before?.uidValidity);
    await new Promise((r) => setTimeout(r, 300));
    // The channel's own Message-ID ledger skipped the renumbered old mail: conversations never saw it again.
    expect(conv.calls).toEqual(['email:<k1@customer.test>', 'email:<k2@customer.test>', 'email:<k3@customer.test>']);
    expect(sink.messages.map((m) => m.inReplyTo)).toEqual(['<k1@customer.test>', '<k2@customer.test>', '<k3@customer.test>']);
    expect(staff.alerts.filter((a) => a.text.includes('UIDVALIDITY'))).toHaveLength(1);
  });
});
