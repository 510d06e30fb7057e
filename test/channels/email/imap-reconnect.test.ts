/**
 * The IMAP watcher when the connection goes away: dropped by the server (doveadm kick), server down and
 * back, a connection that silently stops answering (the NOOP watchdog), and a server without IDLE (polling).
 * Mail that arrives meanwhile is answered exactly once.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailChannel } from '../../../src/channels/email/index.js';
import { createLogger } from '../../../src/config/logger.js';
import { dovecotAvailable, startDovecot, } from '../../helpers/dovecot.js';
import { createFakeConversations, createFakeStaff, directoryOf, emailConfig, rawMail, sleep, waitUntil, type FakeConversations } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { reposFor } from '../../helpers/test-engine.js';
import { systemMailRenderer } from '../../helpers/system-mail.js';

/** A TCP relay whose current connections can be frozen: bytes are swallowed, nothing is closed (a silently dead link). */
async function startFreezableProxy(targetPort: number): Promise<{ port: number; freeze(): void; stop(): Promise<void> }> {
  const pairs: Array<{ a: Socket; b: Socket; frozen: boolean }> = [];
  const server: Server = createServer((a) => {
    const b = connect(targetPort, '127.0.0.1');
    const pair = { a, b, frozen: false };
    pairs.push(pair);
    a.on('data', (d) => { if (!pair.frozen) b.write(d); });
    b.on('data', (d) => { if (!pair.frozen) a.write(d); });
    const end = () => { a.destroy(); b.destroy(); };
    a.on('error', end); b.on('error', end); a.on('close', end); b.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    freeze: () => { for (const p of pairs) p.frozen = true; },
    stop: async () => {
      for (const p of pairs) { p.a.destroy(); p.b.destroy(); }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines, count: (msg: string) => lines.filter((l) => l.msg === msg).length };
}

describe.skipIf(!dovecotAvailable())('IMAP reconnects and catch-up', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(opts: { noIdle?: boolean; viaProxy?: boolean } = {}) {
    const [dovecot, sink] = await Promise.all([startDovecot({ noIdle: opts.noIdle }), startSmtpSink()]);
    cleanup.push(() => dovecot.stop(), () => sink.stop());
    const proxy = opts.viaProxy ? await startFreezableProxy(dovecot.port) : undefined;
    if (proxy) cleanup.push(() => proxy.stop());
    const repos = await reposFor();
    const conv = createFakeConversations(repos);
    const cap = logCapture();
    const channel = createEmailChannel({
      config: emailConfig({ ...dovecot, port: proxy?.port ?? dovecot.port }, sink, { imap: { pollIntervalMs: 500 } }),
      repos, conversations: conv, directory: directoryOf([]), staff: createFakeStaff(), log: cap.log, renderSystemMail: systemMailRenderer(repos),
      tuning: { imap: { backoffBaseMs: 200, backoffMaxMs: 800, commandTimeoutMs: 3_000 }, outbox: { retryBaseMs: 100, pollMs: 200 }, smtpTimeoutMs: 3_000 },
    });
    conv.attach(channel.deliver);
    cleanup.push(() => channel.stop());
    return { dovecot, sink, repos, conv, channel, cap, proxy };
  }

  function repliesTo(sink: SmtpSink, id: string): number {
    return sink.messages.filter((m) => m.inReplyTo === id).length;
  }

  async function answeredOnce(env: { sink: SmtpSink; conv: FakeConversations }, id: string): Promise<void> {
    await waitUntil(() => repliesTo(env.sink, id) >= 1, 15_000, `reply to ${id}`);
    await sleep(300);
    expect(repliesTo(env.sink, id)).toBe(1);
    expect(env.conv.handled.filter((m) => m.id === `email:${id}`)).toHaveLength(1);
  }

  it('reconnects after the server drops the IDLE connection and answers mail that came meanwhile once', async () => {
    const env = await setup();
    const { dovecot, channel, cap } = env;
    await dovecot.append(rawMail({ from: 'lee@customer.test', subject: 'One', messageId: '<l1@customer.test>' }));
    await channel.start();
    await answeredOnce(env, '<l1@customer.test>');
    expect(cap.count('IMAP session open')).toBe(1);

    await dovecot.dropConnections();
    dovecot.deliverToMaildir(rawMail({ from: 'lee@customer.test', subject: 'Two', messageId: '<l2@customer.test>' }));
    await answeredOnce(env, '<l2@customer.test>');
    expect(cap.count('IMAP session open')).toBeGreaterThanOrEqual(2);

    // The whole server goes away and comes back; mail delivered while it was down is answered on reconnect.
    await dovecot.pause();
    await waitUntil(() => channel.status().imap !== 'connected', 5_000, 'IMAP seen down');
    dovecot.deliverToMaildir(rawMail({ from: 'lee@customer.test', subject: 'Three', messageId: '<l3@customer.test>' }));
    await sleep(500);
    await dovecot.resume();
    await answeredOnce(env, '<l3@customer.test>');
    await waitUntil(() => channel.status().imap === 'connected', 5_000, 'IMAP connected again');
    expect(repliesTo(env.sink, '<l1@customer.test>')).toBe(1);
    expect((await env.repos.email.mailbox('INBOX'))?.lastUid).toBe(3);
  });

  it('notices a connection that silently stopped answering (NOOP watchdog) and catches up', async () => {
    const env = await setup({ viaProxy: true });
    const { dovecot, channel, cap, proxy } = env;
    await channel.start();
    await dovecot.append(rawMail({ from: 'max@customer.test', subject: 'One', messageId: '<x1@customer.test>' }));
    await answeredOnce(env, '<x1@customer.test>');
    proxy!.freeze(); // the IDLE connection is now a black hole: no close, no data
    await dovecot.append(rawMail({ from: 'max@customer.test', subject: 'Two', messageId: '<x2@customer.test>' }));
    await answeredOnce(env, '<x2@customer.test>');
    expect(cap.lines.some((l) => l.msg === 'IMAP session ended with an error' && String(l.err).includes('NOOP watchdog'))).toBe(true);
    expect(cap.count('IMAP session open')).toBeGreaterThanOrEqual(2);
    await waitUntil(() => channel.status().imap === 'connected', 5_000, 'connected again');
  });

  it('falls back to polling when the server has no IDLE', async () => {
    const env = await setup({ noIdle: true });
    const { dovecot, channel, cap } = env;
    await channel.start();
    await waitUntil(() => cap.count('IMAP session open') === 1, 5_000, 'session');
    expect(cap.lines.find((l) => l.msg === 'IMAP session open')?.idle).toBe(false);
    await dovecot.append(rawMail({ from: 'ned@customer.test', subject: 'Polled', messageId: '<n1@customer.test>' }));
    await answeredOnce(env, '<n1@customer.test>');
    expect(cap.count('IMAP session open')).toBe(1);
  });
});
