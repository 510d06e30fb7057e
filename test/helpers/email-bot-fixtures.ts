/** Shared pieces for the email channel tests: config, raw mail builders, a fake conversations layer, waits. */
import type { Config } from '../../src/config/config.js';
import type { ConversationsPort, CustomerDirectory, CustomerRef, DeliverPort, InboundMessage, StaffNotifier } from '../../src/conversations/types.js';
import type { Repositories } from '../../src/store/repos/index.js';

export const SUPPORT_FROM = 'Helpline Support <support@helpline.test>';
export const AUTHSERV = 'mx.helpline.test';

export function emailConfig(
  imap: { host: string; port: number; user: string; password: string },
  smtp: { host: string; port: number },
  over: Partial<Omit<Config['email'], 'imap' | 'smtp'>> & { imap?: Partial<Config['email']['imap']> } = {},
): Config['email'] {
  const { imap: imapOver, ...rest } = over;
  return {
    enabled: true,
    imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password, mailbox: 'INBOX', quarantineFolder: undefined, pollIntervalMs: 1_000, ...imapOver },
    smtp: { host: smtp.host, port: smtp.port, secure: false, user: undefined, password: undefined },
    from: SUPPORT_FROM,
    trustedAuthservId: AUTHSERV,
    verifySender: true,
    maxBytes: 10 * 1024 * 1024,
    parseTimeoutMs: 5_000,
    maxTextChars: 8_000,
    replyBudgetPerSenderHour: 5,
    replyBudgetPerThreadHour: 10,
    ...rest,
  };
}

export interface MailSpec {
  from: string;
  subject: string;
  body?: string;
  messageId: string;
  to?: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra header lines, e.g. `['Auto-Submitted: auto-replied']`. */
  headers?: string[];
  /** Add an Authentication-Results header from our trusted server saying DMARC passed. */
  dmarcPass?: boolean;
}

/** A raw RFC 5322 message (CRLF line ends). */
export function rawMail(m: MailSpec): string {
  const domain = m.from.slice(m.from.lastIndexOf('@') + 1).replace(/>$/, '');
  const lines = [
    ...(m.dmarcPass ? [`Authentication-Results: ${AUTHSERV}; dkim=pass header.d=${domain}; spf=pass smtp.mailfrom=${domain}; dmarc=pass header.from=${domain}`] : []),
    `From: ${m.from}`,
    `To: ${m.to ?? 'support@helpline.test'}`,
    `Subject: ${m.subject}`,
    `Message-ID: ${m.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references?.length ? [`References: ${m.references.join(' ')}`] : []),
    ...(m.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    m.body ?? 'Hello, I need help with my card.',
    '',
  ];
  return lines.join('\r\n');
}

/** A real-shaped delivery status notification (RFC 3464) bouncing a mail we sent to `recipient`. */
/** A delivery-status report for `recipient`; `returned` is the Message-ID of the mail that bounced (in its headers part). */
export function rawDsn(recipient: string, messageId: string, returned?: string): string {
  const b = 'dsn-boundary-42';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    'To: support@helpline.test',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: ${messageId}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `I'm sorry to have to inform you that your message could not be delivered to ${recipient}.`,
    '',
    `--${b}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Original-Recipient: rfc822;' + recipient,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
    '',
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    'From: support@helpline.test',
    `To: ${recipient}`,
    'Subject: Re: help',
    ...(returned ? [`Message-ID: ${returned}`] : []),
    '',
    `--${b}--`,
    '',
  ].join('\r\n');
}

export interface FakeConversations extends ConversationsPort {
  handled: InboundMessage[];
  /** Every `handle` call's message id, duplicates included. */
  calls: string[];
  /** Set once the channel exists (the channel's deliver is what the fake answers through). */
  attach(deliver: DeliverPort): void;
}

/**
 * Stands in for the conversations layer: dedupes on the ledger like the real one (`ledger.claim`), and answers each
 * accepted message with `ack <text>` through the channel's deliver port.
 */
export function createFakeConversations(repos: Repositories, opts: { reply?: (m: InboundMessage) => string } = {}): FakeConversations {
  const handled: InboundMessage[] = [];
  const calls: string[] = [];
  let deliver: DeliverPort | undefined;
  return {
    handled,
    calls,
    attach: (d) => { deliver = d; },
    async handle(msg) {
      calls.push(msg.id);
      const at = new Date().toISOString();
      const claimed = await repos.ledger.claim({ id: msg.id, threadKey: msg.threadKey, channel: msg.channel, receivedAt: msg.receivedAt, status: 'queued', updatedAt: at });
      if (!claimed) return { accepted: false, reason: 'duplicate' };
      handled.push(msg);
      setTimeout(() => {
        void (async () => {
          await deliver?.deliver(msg.threadKey, { text: opts.reply ? opts.reply(msg) : `ack ${msg.text.split('\n')[0]}`, kind: 'reply', inReplyToId: msg.id });
          await repos.ledger.update(msg.id, { status: 'done' }, new Date().toISOString());
        })();
      }, 5);
      return { accepted: true };
    },
    async notifyThread() {},
    deliverStaffReplies: async () => [],
    hasThread: async () => false,
  };
}

export interface FakeStaff extends StaffNotifier { alerts: Array<{ text: string; details?: Record<string, unknown> | undefined }> }
export function createFakeStaff(): FakeStaff {
  const alerts: FakeStaff['alerts'] = [];
  return { alerts, async approvalRequested() {}, async alert(text, details) { alerts.push({ text, details }); } };
}

export function directoryOf(customers: CustomerRef[]): CustomerDirectory {
  return {
    byEmail: async (e) => customers.find((c) => c.email.toLowerCase() === e.toLowerCase()),
    byId: async (id) => customers.find((c) => c.id === id),
    bySlackUserId: async () => undefined,
  };
}

/** Polls `cond` (which may ask the repositories) until it holds. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
