/**
 * The SMTP client itself (run in the sender's worker thread, see smtp-sender): a pooled nodemailer transport
 * (a few long-lived connections, reused message after message instead of a connect + greeting per mail) sending
 * the MIME text built by mime-build (`raw`, explicit envelope), with timeouts on every phase so a stuck server
 * can only delay the outbox, never hang it. Classifies the outcome: accepted, transient (4xx, timeouts,
 * connection errors: retry) or permanent (5xx: do not retry, the recipient is marked undeliverable).
 */
import { createTransport } from 'nodemailer';
import type { Config } from '../../config/config.js';
import { fromAddress } from './compose-reply.js';
import { buildMime } from './mime-build.js';

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
  /** Get ready to send (start the worker thread, load the client) without sending anything. */
  warm(): void;
  close(): void;
}

export function classifySmtpError(err: unknown): { permanent: boolean; error: string; responseCode?: number | undefined } {
  const e = err as { responseCode?: unknown; code?: unknown; message?: unknown; command?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : 'ERROR';
  const text = typeof e.message === 'string' ? e.message : String(err);
  const error = `${code}${responseCode ? ` ${responseCode}` : ''}: ${text}`.slice(0, 500);
  // 5xx is a permanent refusal; everything else (4xx, timeouts, refused/reset connections) is worth a retry.
  return { permanent: responseCode !== undefined && responseCode >= 500 && responseCode < 600, error, responseCode };
}

export interface SmtpSenderOptions {
  timeoutMs: number;
  /** Pooled connections (the most sends in flight at once). Default 4. */
  maxConnections?: number | undefined;
  /** Run nodemailer on this thread instead of a worker thread (default false). */
  inProcess?: boolean | undefined;
}

/** The nodemailer transport in this thread. */
export function createTransportSender(cfg: Config['email']['smtp'], opts: SmtpSenderOptions): SmtpSender {
  const transport = createTransport({
    pool: true,
    maxConnections: opts.maxConnections ?? 4,
    maxMessages: 1_000,
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? '' } : undefined,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    dnsTimeout: opts.timeoutMs,
    logger: false,
  });

  async function send(msg: SmtpMessage): Promise<SendResult> {
    const hardStop = opts.timeoutMs * 3; // nodemailer's own timeouts are per phase; bound the whole send too
    let timer: NodeJS.Timeout | undefined;
    try {
      const info = await Promise.race([
        transport.sendMail({ envelope: { from: fromAddress(msg.from), to: [msg.to] }, raw: buildMime(msg), disableFileAccess: true, disableUrlAccess: true }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error('SMTP send timed out'), { code: 'ETIMEDOUT' })), hardStop);
        }),
      ]);
      return { ok: true, response: String(info.response ?? '').slice(0, 300) };
    } catch (err) {
      return { ok: false, ...classifySmtpError(err) };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  return { send, warm: () => undefined, close: () => transport.close() };
}
