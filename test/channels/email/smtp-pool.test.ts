import { createServer, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpPool, type SmtpPool } from '../../../src/channels/email/outbound/smtp-pool.js';
import { createSmtpSender, type SmtpSender } from '../../../src/channels/email/outbound/smtp-sender.js';

const msg = (i: number, to = `c${i}@customers.example`) => ({
  from: 'Helpline <help@bank.example>', to, subject: `Re: Q${i}`, messageId: `<m${i}@bank.example>`,
  inReplyTo: `<q${i}@customers.example>`, text: `Answer ${i}`, autoSubmitted: 'auto-replied' as const,
});
const mime = (i: number) => `From: help@bank.example\r\nTo: c${i}@customers.example\r\nMessage-ID: <m${i}@bank.example>\r\nSubject: ${i}\r\n\r\nBody ${i}\r\n`;
const env = (i: number) => ({ from: 'help@bank.example', to: [`c${i}@customers.example`] });
const headerOf = (raw: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(raw)?.[1]?.trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

interface Mail { from: string; to: string[]; raw: string; user: string | undefined; secure: boolean }
interface TestServer {
  port: number;
  mails: Mail[];
  /** Connections accepted so far, open now and the most open at once. */
  conns: { total: number; open: number; maxOpen: number };
  rejectRcpt: Map<string, number>;
  /** Reply codes for the next MAIL FROM commands. */
  failMail: number[];
  /** Reply codes for the next messages' end of DATA (after reading the whole message). */
  failData: number[];
  /** Drop the connection instead of answering the next N messages. */
  drop: { next: number };
  stop(): Promise<void>;
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that counts TCP connections. */
async function startServer(o: { auth?: { user: string; pass: string }; starttls?: boolean } = {}): Promise<TestServer> {
  const mails: Mail[] = [];
  const conns = { total: 0, open: 0, maxOpen: 0 };
  const sockets = new Map<number, Socket>();
  const rejectRcpt = new Map<string, number>();
  const failData: number[] = [];
  const failMail: number[] = [];
  const drop = { next: 0 };
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 500,
    disabledCommands: o.starttls ? [] : ['STARTTLS'],
    authOptional: !o.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, cb) {
      const code = failMail.shift();
      cb(code ? Object.assign(new Error('try later'), { responseCode: code }) : null);
    },
    onRcptTo(address, _session, cb) {
      const code = rejectRcpt.get(address.address);
      cb(code ? Object.assign(new Error('no such user'), { responseCode: code }) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (drop.next > 0) {
          drop.next--;
          sockets.get(session.remotePort)?.destroy();
          return;
        }
        const code = failData.shift();
        if (code) return cb(Object.assign(new Error('scripted failure'), { responseCode: code }));
        const { mailFrom, rcptTo } = session.envelope;
        mails.push({ from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: session.user, secure: session.secure });
        cb(null);
      });
    },
  });
  server.on('error', () => {});
  server.server.on('connection', (s: Socket) => {
    conns.total++;
    conns.maxOpen = Math.max(conns.maxOpen, ++conns.open);
    if (s.remotePort) sockets.set(s.remotePort, s);
    s.once('close', () => conns.open--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.server.address();
  return {
    port: typeof a === 'object' && a ? a.port : 0, mails, conns, rejectRcpt, failMail, failData, drop,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A raw TCP server running `onSocket` for each connection (for servers that misbehave below SMTP). */
async function startRaw(onSocket: (s: Socket) => void): Promise<{ port: number; conns: { total: number; open: number }; stop(): Promise<void> }> {
  const conns = { total: 0, open: 0 };
  const live = new Set<Socket>();
  const srv: Server = createServer((s) => {
    conns.total++;
    conns.open++;
    live.add(s);
    s.on('error', () => {});
    s.once('close', () => { conns.open--; live.delete(s); });
    onSocket(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const a = srv.address();
  return {
    port: typeof a === 'object' && a ? a.port : 0, conns,
    stop: () => new Promise<void>((r) => { for (const s of live) s.destroy(); srv.close(() => r()); }),
  };
}

const cfg = (port: number, user?: string, password?: string) => ({ host: '127.0.0.1', port, secure: false, user, password });

describe('SMTP connection pool', () => {
  let server: TestServer | undefined;
  let raw: Awaited<ReturnType<typeof startRaw>> | undefined;
  let sender: SmtpSender | undefined;
  let pool: SmtpPool | undefined;
  afterEach(async () => {
    sender?.close();
    pool?.close();
    await server?.stop();
    await raw?.stop();
    server = raw = sender = pool = undefined;
  });

  it('spreads many concurrent sends over at most maxConnections connections, each with its own envelope', async () => {
    server = await startServer();
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 3 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => sender!.send(msg(i))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.conns.maxOpen).toBe(3);
    expect(server.conns.total).toBe(3);
    expect(server.mails).toHaveLength(40);
    for (const m of server.mails) {
      expect(m.from).toBe('help@bank.example');
      expect(m.to).toHaveLength(1);
      const i = /^c(\d+)@/.exec(m.to[0]!)![1];
      expect(headerOf(m.raw, 'In-Reply-To')).toBe(`<q${i}@customers.example>`);
      expect(headerOf(m.raw, 'Message-ID')).toBe(`<m${i}@bank.example>`);
      expect(m.raw).toContain(`Answer ${i}`);
    }
  });

  it('queues sends FIFO when every connection is busy', async () => {
    server = await startServer();
    pool = createSmtpPool({ host: '127.0.0.1', port: server.port, secure: false, timeoutMs: 3_000, sendTimeoutMs: 9_000, maxConnections: 1 });
    await Promise.all([0, 1, 2, 3, 4].map((i) => pool!.send(env(i), mime(i))));
    expect(server.mails.map((m) => m.to[0])).toEqual([0, 1, 2, 3, 4].map((i) => `c${i}@customers.example`));
    expect(server.conns.total).toBe(1);
  });

  it('reports a 5xx at end of DATA as permanent and sends the next message on the same connection', async () => {
    server = await startServer();
    server.failData.push(554);
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 1 });
    expect(await sender.send(msg(1))).toMatchObject({ ok: false, permanent: true, responseCode: 554 });
    expect(await sender.send(msg(2))).toMatchObject({ ok: true });
    expect(server.mails.map((m) => m.to[0])).toEqual(['c2@customers.example']);
    expect(server.conns.total).toBe(1);
  });

  it('reports a refused recipient (550 to RCPT) as permanent and resets the session for the next message', async () => {
    server = await startServer();
    server.rejectRcpt.set('gone@customers.example', 550);
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 1 });
    const r = await sender.send(msg(1, 'gone@customers.example'));
    expect(r).toMatchObject({ ok: false, permanent: true, responseCode: 550 });
    expect(await sender.send(msg(2))).toMatchObject({ ok: true });
    expect(await sender.send(msg(3))).toMatchObject({ ok: true });
    expect(server.mails.map((m) => m.to)).toEqual([['c2@customers.example'], ['c3@customers.example']]);
    expect(server.conns.total).toBe(1);
  });

  it('a 5xx to MAIL FROM (our sender refused) is transient: it says nothing about the customer address', async () => {
    server = await startServer();
    server.failMail.push(553);
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 1 });
    expect(await sender.send(msg(1))).toMatchObject({ ok: false, permanent: false, responseCode: 553 });
    expect(await sender.send(msg(2))).toMatchObject({ ok: true });
  });

  it('reports a 4xx as transient', async () => {
    server = await startServer();
    server.failData.push(451);
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000 });
    expect(await sender.send(msg(1))).toMatchObject({ ok: false, permanent: false, responseCode: 451 });
    expect(await sender.send(msg(1))).toMatchObject({ ok: true });
  });

  it('reports a 421 (server closing) with its code as transient and does not reuse that connection', async () => {
    server = await startServer();
    server.failMail.push(421);
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 1 });
    expect(await sender.send(msg(1))).toMatchObject({ ok: false, permanent: false, responseCode: 421 });
    expect(await sender.send(msg(2))).toMatchObject({ ok: true });
    expect(server.conns.total).toBe(2);
  });

  it('fails a send whose connection drops mid-send as transient and sends the next on a fresh connection', async () => {
    server = await startServer();
    server.drop.next = 1;
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 1 });
    const r = await sender.send(msg(1));
    expect(r).toMatchObject({ ok: false, permanent: false });
    expect(r.ok || r.responseCode).toBeUndefined();
    expect(await sender.send(msg(2))).toMatchObject({ ok: true });
    expect(server.conns.total).toBe(2);
    expect(server.mails.map((m) => m.to[0])).toEqual(['c2@customers.example']);
  });

  it('times out against a server that accepts and says nothing, within the bound', async () => {
    raw = await startRaw(() => {});
    sender = createSmtpSender(cfg(raw.port), { timeoutMs: 300 });
    const t0 = Date.now();
    const r = await sender.send(msg(1));
    expect(r).toMatchObject({ ok: false, permanent: false });
    expect(r.ok ? '' : r.error).toMatch(/ETIMEDOUT/);
    expect(Date.now() - t0).toBeLessThan(900 + 500);
    await until(() => raw!.conns.open === 0); // the silent connection is not kept
  });

  it('bounds the whole send when a server keeps the socket busy without ever answering, and drops that connection', async () => {
    // Answers the envelope, then trickles "250-" continuation lines forever: no per-phase timeout fires.
    raw = await startRaw((s) => {
      let inData = false;
      let timer: NodeJS.Timeout | undefined;
      s.once('close', () => clearInterval(timer));
      s.write('220 slow.example ESMTP\r\n');
      s.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('latin1').split('\r\n')) {
          if (inData) {
            if (line === '.') timer = setInterval(() => s.write('250-still thinking\r\n'), 100);
          } else if (/^EHLO/i.test(line)) s.write('250 slow.example\r\n');
          else if (/^(MAIL|RCPT)/i.test(line)) s.write('250 ok\r\n');
          else if (/^DATA/i.test(line)) { inData = true; s.write('354 go\r\n'); }
        }
      });
    });
    sender = createSmtpSender(cfg(raw.port), { timeoutMs: 300, maxConnections: 1 });
    const t0 = Date.now();
    const [a, b] = await Promise.all([sender.send(msg(1)), sender.send(msg(2))]); // b waits in the queue
    const elapsed = Date.now() - t0;
    expect(a).toMatchObject({ ok: false, permanent: false, error: 'ETIMEDOUT: SMTP send timed out' });
    expect(b).toMatchObject({ ok: false, permanent: false });
    expect(elapsed).toBeGreaterThanOrEqual(850);
    expect(elapsed).toBeLessThan(900 + 600);
    await until(() => raw!.conns.open === 0);
  });

  it('close() fails queued sends as transient, lets the send in flight finish and quits the connection', async () => {
    server = await startServer();
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000, maxConnections: 1 });
    const pending = [1, 2, 3].map((i) => sender!.send(msg(i)));
    sender.close();
    const [first, ...queued] = await Promise.all(pending);
    expect(first).toMatchObject({ ok: true });
    for (const r of queued) expect(r).toEqual({ ok: false, permanent: false, error: 'SMTP sender closed' });
    expect(await sender.send(msg(4))).toEqual({ ok: false, permanent: false, error: 'SMTP sender closed' });
    expect(server.mails).toHaveLength(1);
    await until(() => server!.conns.open === 0);
  });

  it('closes idle connections and opens a new one when needed', async () => {
    server = await startServer();
    pool = createSmtpPool({ host: '127.0.0.1', port: server.port, secure: false, timeoutMs: 3_000, sendTimeoutMs: 9_000, idleMs: 200 });
    await pool.send(env(1), mime(1));
    await pool.send(env(2), mime(2));
    expect(server.conns.total).toBe(1);
    expect(pool.stats().open).toBe(1);
    await until(() => server!.conns.open === 0, 2_000);
    expect(pool.stats().open).toBe(0);
    await pool.send(env(3), mime(3));
    expect(server.conns.total).toBe(2);
    expect(server.mails).toHaveLength(3);
  });

  it('retires a connection after maxMessages', async () => {
    server = await startServer();
    pool = createSmtpPool({ host: '127.0.0.1', port: server.port, secure: false, timeoutMs: 3_000, sendTimeoutMs: 9_000, maxMessages: 3 });
    for (let i = 0; i < 7; i++) await pool.send(env(i), mime(i));
    expect(server.mails).toHaveLength(7);
    expect(server.conns.total).toBe(3);
  });

  it('logs in when a user is configured', async () => {
    server = await startServer({ auth: { user: 'bot', pass: 's3cret' } });
    sender = createSmtpSender(cfg(server.port, 'bot', 's3cret'), { timeoutMs: 3_000 });
    expect(await sender.send(msg(1))).toMatchObject({ ok: true });
    expect(server.mails[0]!.user).toBe('bot');
    sender.close();
    sender = createSmtpSender(cfg(server.port, 'bot', 'wrong'), { timeoutMs: 3_000 });
    // a refused login is about our session, not the customer: transient (never marks the address undeliverable)
    expect(await sender.send(msg(2))).toMatchObject({ ok: false, permanent: false, responseCode: 535 });
    expect(server.mails).toHaveLength(1);
  });

  it('upgrades with STARTTLS when offered, and does not fall back to plaintext when the certificate fails', async () => {
    server = await startServer({ starttls: true }); // smtp-server's built-in self-signed certificate
    pool = createSmtpPool({ host: '127.0.0.1', port: server.port, secure: false, timeoutMs: 3_000, sendTimeoutMs: 9_000, tls: { rejectUnauthorized: false } });
    await pool.send(env(1), mime(1));
    expect(server.mails[0]!.secure).toBe(true);
    sender = createSmtpSender(cfg(server.port), { timeoutMs: 3_000 });
    expect(await sender.send(msg(2))).toMatchObject({ ok: false, permanent: false });
    expect(server.mails).toHaveLength(1);
  });
});
