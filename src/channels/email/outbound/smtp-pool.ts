/**
 * A small pool of nodemailer SMTPConnection sessions sending ready-built MIME text (no MailComposer per message).
 * Connections open lazily (at most `maxConnections`), send one message at a time, are reused until `maxMessages`
 * or `idleMs` idle, and are dropped on any connection error or timeout (only the send using one fails).
 * Sends wait FIFO for a free connection; each is bounded as a whole by `sendTimeoutMs`.
 */
import type { ConnectionOptions } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpPoolOptions {
  host?: string | undefined; port: number; secure: boolean;
  auth?: { user: string; pass: string } | undefined;
  /** tls.connect options for implicit TLS and STARTTLS (default: verify the certificate). */
  tls?: ConnectionOptions | undefined;
  /** Connection, greeting, socket-inactivity and DNS timeout. */
  timeoutMs: number;
  /** Bound on a whole send, from the call to the server's answer (queueing included). */
  sendTimeoutMs: number;
  /** Defaults: 4 connections, 1,000 messages per connection, closed after 5 s idle. */
  maxConnections?: number | undefined; maxMessages?: number | undefined; idleMs?: number | undefined;
}

export interface SmtpPool {
  /** Resolves with the server's final reply; rejects with the SMTP error (`code`, `responseCode`). */
  send(envelope: { from: string; to: string[] }, message: string): Promise<string>;
  /** Fails queued sends (code `ECLOSED`), lets sends in flight finish, then quits every connection. */
  close(): void;
  /** Open connections (connecting, busy or idle) and queued sends. */
  stats(): { open: number; queued: number };
}

interface Job { envelope: { from: string; to: string[] }; message: string; conn?: Conn | undefined; done(err: Error | undefined, response?: string): void }
interface Conn { smtp: SMTPConnection; sent: number; job: Job | undefined; dead: boolean; idleTimer: NodeJS.Timeout | undefined }
type SmtpError = Error & { code?: unknown; responseCode?: unknown };

const smtpError = (message: string, code: string): Error => Object.assign(new Error(message), { code });

export function createSmtpPool(opts: SmtpPoolOptions): SmtpPool {
  const { maxConnections = 4, maxMessages = 1_000, idleMs = 5_000 } = opts;
  const conns = new Set<Conn>();
  const idle: Conn[] = []; // most recently released last, so spare connections idle out
  let queue: Job[] = [];
  let closed = false;

  function pump(): void {
    while (queue.length > 0) {
      const conn = idle.pop();
      if (conn) run(conn, queue.shift()!);
      else if (conns.size < maxConnections) open(queue.shift()!);
      else return;
    }
  }

  function open(job: Job): void {
    const smtp = new SMTPConnection({
      host: opts.host, port: opts.port, secure: opts.secure, tls: opts.tls, logger: false,
      connectionTimeout: opts.timeoutMs, greetingTimeout: opts.timeoutMs, socketTimeout: opts.timeoutMs, dnsTimeout: opts.timeoutMs,
    });
    const conn: Conn = { smtp, sent: 0, job, dead: false, idleTimer: undefined };
    job.conn = conn;
    conns.add(conn);
    smtp.on('error', (err: Error) => discard(conn, err)); // a send in flight gets the same error
    smtp.once('end', () => discard(conn));
    const start = (): void => { if (!conn.dead && conn.job) run(conn, conn.job); };
    smtp.connect((err) => {
      if (err) return discard(conn, err);
      if (!opts.auth || !smtp.allowsAuth) return start(); // as nodemailer: no login where AUTH is not offered
      smtp.login({ user: opts.auth.user, pass: opts.auth.pass }, (loginErr) => (loginErr ? discard(conn, loginErr) : start()));
    });
  }

  function run(conn: Conn, job: Job): void {
    conn.job = job;
    job.conn = conn;
    conn.sent++;
    conn.smtp.send(job.envelope, job.message, (err, info: SMTPConnection.SentMessageInfo | undefined) => {
      if (conn.job !== job) return; // already failed (connection error or send timeout)
      conn.job = undefined;
      const refused: SmtpError | undefined = err ?? info?.rejectedErrors?.[0];
      job.done(refused, info?.response);
      if (!refused) release(conn);
      else if ((refused.code === 'EENVELOPE' || refused.code === 'EMESSAGE') && refused.responseCode !== 421 && !conn.smtp.destroyed) {
        conn.smtp.reset((resetErr) => (resetErr ? discard(conn) : release(conn))); // the server refused the message, not the session
      } else discard(conn);
    });
  }

  function release(conn: Conn): void {
    if (conn.dead) return;
    if (closed || conn.sent >= maxMessages) {
      retire(conn);
      return;
    }
    idle.push(conn);
    pump();
    if (!idle.includes(conn)) return;
    conn.idleTimer ??= setTimeout(() => { if (idle.includes(conn)) retire(conn); }, idleMs).unref();
    conn.idleTimer.refresh();
  }

  function forget(conn: Conn): boolean {
    if (conn.dead) return false;
    conn.dead = true;
    conns.delete(conn);
    if (idle.includes(conn)) idle.splice(idle.indexOf(conn), 1);
    clearTimeout(conn.idleTimer);
    return true;
  }

  /** A healthy connection says QUIT. */
  function retire(conn: Conn): void {
    if (forget(conn)) conn.smtp.quit();
    pump();
  }

  /** A failed one is closed and never reused; its send fails with `err`. */
  function discard(conn: Conn, err?: Error): void {
    const job = conn.job;
    const fail = (e: Error): void => { if (conn.job === job) { conn.job = undefined; job?.done(e); } };
    if (err) fail(err);
    // On 'end' the send callback may still bring the server's own reason (e.g. a 421): let it answer first.
    else if (job) setImmediate(() => fail(smtpError('Connection closed unexpectedly', 'ECONNECTION')));
    if (forget(conn)) conn.smtp.close();
    pump();
  }

  return {
    send(envelope, message) {
      if (closed) return Promise.reject(smtpError('SMTP sender closed', 'ECLOSED'));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          const err = smtpError('SMTP send timed out', 'ETIMEDOUT');
          if (job.conn?.job === job) return discard(job.conn, err); // a stuck session is never reused
          queue = queue.filter((j) => j !== job);
          job.done(err);
        }, opts.sendTimeoutMs);
        let settled = false;
        const job: Job = {
          envelope, message,
          done(err, response) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(response ?? '');
          },
        };
        queue.push(job);
        pump();
      });
    },
    close() {
      closed = true;
      const waiting = queue;
      queue = [];
      for (const job of waiting) job.done(smtpError('SMTP sender closed', 'ECLOSED'));
      for (const conn of [...idle]) retire(conn);
    },
    stats: () => ({ open: conns.size, queued: queue.length }),
  };
}
