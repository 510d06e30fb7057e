/**
 * The SMTP sender the outbox uses: a small pool of nodemailer SMTPConnection sessions (smtp-pool: a few long-lived
 * connections, reused message after message) sending the MIME text built by mime-build with an explicit envelope,
 * with timeouts on every phase and on the whole send so a stuck server can only delay the outbox, never hang it.
 * It runs on the main thread: a reply costs ~0.5 ms of CPU here (a worker thread cost more in total: its own
 * isolate, messages to and fro). `send` never throws: it resolves accepted, transient (4xx, timeouts, connection
 * errors, a 5xx to login or sender: retry) or permanent (5xx to RCPT or DATA: the recipient is marked undeliverable).
 */
import type { Config } from '../../../config/config.js';
import { fromAddress } from './compose-reply.js';
import { buildMime } from './mime-build.js';
import { createSmtpPool } from './smtp-pool.js';

export interface SmtpMessage {
  from: string;
  to: string;
  subject: string;
  messageId: string;
  inReplyTo?: string | undefined;
  references?: string[] | undefined;
  text: string;
  html?: string | undefined;
  /** `auto-replied` for answers to a customer's mail, `auto-generated` for system mail (password reset). */
  autoSubmitted: 'auto-replied' | 'auto-generated';
}

export type SendResult =
  | { ok: true; response: string }
  | { ok: false; permanent: boolean; error: string; responseCode?: number | undefined };

export interface SmtpSender {
  send(msg: SmtpMessage): Promise<SendResult>;
  close(): void;
}

export function classifySmtpError(err: unknown): { permanent: boolean; error: string; responseCode?: number | undefined } {
  const e = err as { responseCode?: unknown; code?: unknown; message?: unknown; command?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : 'ERROR';
  const text = typeof e.message === 'string' ? e.message : String(err);
  const error = `${code}${responseCode ? ` ${responseCode}` : ''}: ${text}`.slice(0, 500);
  // Permanent: a 5xx to this message's recipient (RCPT TO) or content (DATA): the address is then marked
  // undeliverable. A 5xx to our session (login, greeting, MAIL FROM: a rotated password, a sender the relay no
  // longer accepts) says nothing about the customer: retried like 4xx, timeouts and dropped connections, while
  // the outbox reports SMTP as failing.
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  const aboutMessage = command === 'RCPT TO' || command === 'DATA';
  return { permanent: aboutMessage && responseCode !== undefined && responseCode >= 500 && responseCode < 600, error, responseCode };
}

export interface SmtpSenderOptions {
  timeoutMs: number;
  /** Pooled connections (the most sends in flight at once). Default 4. */
  maxConnections?: number | undefined;
}

export function createSmtpSender(cfg: Config['email']['smtp'], opts: SmtpSenderOptions): SmtpSender {
  const pool = createSmtpPool({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? '' } : undefined,
    timeoutMs: opts.timeoutMs,
    sendTimeoutMs: opts.timeoutMs * 3, // the per-phase timeouts restart on every reply; bound the whole send too
    maxConnections: opts.maxConnections ?? 4,
    maxMessages: 1_000,
  });

  async function send(msg: SmtpMessage): Promise<SendResult> {
    try {
      const response = await pool.send({ from: fromAddress(msg.from), to: [msg.to] }, buildMime(msg));
      return { ok: true, response: response.slice(0, 300) };
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ECLOSED') return { ok: false, permanent: false, error: 'SMTP sender closed' };
      return { ok: false, ...classifySmtpError(err) };
    }
  }

  return { send, close: () => pool.close() };
}
