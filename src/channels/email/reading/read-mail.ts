import type { ParsedMail } from 'mailparser';
import { mailboxes, partType, safeFilename, type Mailbox } from './mail-fields.js';
import { parseRawEmail } from './parse.js';
import { extractBounce, type BounceInfo } from './parse-dsn.js';
import { headerFields, headersOf, messageIdList, normalizeMessageId, syntheticMessageId, type HeaderField } from './parse-headers.js';
import { normalizeRaw } from './raw-normalize.js';
import { messageText } from '../text/text-body.js';

/**
 * Reading one raw message: everything that needs the parsed MIME tree, done in one place and returned as plain
 * data. This is the expensive, input-controlled part of handling mail (MIME, charsets, HTML to text, reply
 * stripping), so it is what runs off the main thread under a hard time limit (read-pool.ts); the decisions
 * (loop guard, sender verification, threading) are made from its result in analyze.ts.
 */
export interface ReadLimits {
  maxBytes: number;
  parseTimeoutMs: number;
  maxTextChars: number;
}

export interface ReadMail {
  headers: HeaderField[];
  from: Mailbox[];
  /** `<id@host>`; synthetic (hash of the header section) when the message has none. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  subject: string;
  /** Top-level content type with parameters. */
  contentType: string;
  /** Content types of all non-body parts. */
  partTypes: string[];
  /** What the model would see: quoted history/signatures stripped, HTML→text, capped. */
  text: string;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  /** Delivery-status details when the message carries any (the loop guard decides whether it is a bounce). */
  bounce: BounceInfo;
}

export type ReadOutcome = { ok: true; mail: ReadMail } | { ok: false; reason: string };

/** The reader port: in-process (`readMail`) or a worker pool with hard limits (read-pool.ts). */
export interface MailReader {
  read(raw: Buffer, limits: ReadLimits): Promise<ReadOutcome>;
  close?(): Promise<void>;
}

/**
 * What crosses back from the reader is bounded however the message is built: header fields beyond the first
 * 1,000 (mail servers cap the header section similarly; ours and the sending servers' trace fields come first)
 * and parts beyond the first 500 are not listed.
 */
const MAX_FIELDS = 1000;
const MAX_PARTS = 500;

export function fromParsed(mail: ParsedMail, raw: Buffer, limits: ReadLimits): ReadMail {
  const headers = headerFields(mail).slice(0, MAX_FIELDS);
  const parts = mail.attachments.slice(0, MAX_PARTS);
  const inReplyTo = messageIdList(mail.inReplyTo)[0];
  return {
    headers,
    from: mailboxes(mail.from),
    messageId: normalizeMessageId(mail.messageId ?? '') ?? syntheticMessageId(normalizeRaw(raw)),
    ...(inReplyTo ? { inReplyTo } : {}),
    references: messageIdList(mail.references),
    subject: (mail.subject ?? '').slice(0, 1000),
    contentType: headersOf(headers).first('content-type') ?? 'text/plain',
    partTypes: parts.map((a) => partType(a.contentType)),
    text: messageText(mail, limits.maxTextChars).text,
    attachments: parts.map((a) => ({ filename: safeFilename(a.filename), contentType: partType(a.contentType), size: a.size ?? a.content.length })),
    bounce: extractBounce(mail, headersOf(headers)),
  };
}

/** Parse and read one message on this thread (tests, `email:check`, and the body of the reader worker). */
export async function readMail(raw: Buffer, limits: ReadLimits): Promise<ReadOutcome> {
  const parsed = await parseRawEmail(raw, { maxBytes: limits.maxBytes, parseTimeoutMs: limits.parseTimeoutMs });
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, mail: fromParsed(parsed.mail, raw, limits) };
  } catch (err) {
    return { ok: false, reason: `analysis error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) };
  }
}

export const inProcessReader: MailReader = { read: readMail };
