/**
 * Pure helpers that shape an outgoing email: our Message-ID, a `Re:` subject that keeps the ticket token,
 * a bounded References chain, and a plain-text body with a simple escaped HTML twin.
 */
import { randomUUID } from 'node:crypto';
import { boundRefs, normalizeMessageId } from '../threads/message-ids.js';

const REPLY_PREFIX = /^\s*((re|aw|sv|vs|antw|wg|réf|rif|odp|ynt)\s*(\[\d+\])?\s*:\s*)+/i;
const TOKEN = /\[#?(T-\d+)\]/i;

/** The bare address of `EMAIL_FROM`, which may be `Name <addr>`. */
export function fromAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  return (m?.[1] ?? from).trim();
}

export function domainOf(from: string): string {
  const addr = fromAddress(from);
  const at = addr.lastIndexOf('@');
  return at >= 0 ? addr.slice(at + 1).toLowerCase() : 'helpline.invalid';
}

/** `<uuid@from-domain>`: generated and stored before the first send, reused by every retry. */
export function newMessageId(from: string): string {
  return `<${randomUUID()}@${domainOf(from)}>`;
}

/** `Re: <subject>` with exactly one reply prefix, any `[T-1234]` token kept (or added for the thread's ticket). */
export function replySubject(subject: string, ticketId?: string): string {
  const clean = subject.replace(/[\r\n\t]+/g, ' ').replace(/\s+/g, ' ').trim();
  const base = clean.replace(REPLY_PREFIX, '').trim() || 'Your message to support';
  const hasToken = TOKEN.test(base);
  const withToken = !hasToken && ticketId && /^T-\d+$/.test(ticketId) ? `${base} [${ticketId}]` : base;
  return `Re: ${withToken}`.slice(0, 250);
}

export function ticketTokenOf(subject: string): string | undefined {
  const m = TOKEN.exec(subject);
  return m ? (m[1] as string).toUpperCase() : undefined;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Paragraphs and line breaks only; every character of the text escaped (no markup from the model survives). */
export function textToHtml(text: string): string {
  const paras = text.replace(/\r\n?/g, '\n').split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body style="font-family:sans-serif">\n${paras.join('\n')}\n</body></html>\n`;
}

/** References for a reply: the thread's chain plus the message answered, bounded (root + last ten). */
export function replyReferences(threadRefs: string[], inReplyTo: string): string[] {
  return boundRefs([...threadRefs.map(normalizeMessageId), normalizeMessageId(inReplyTo)].filter(Boolean));
}
