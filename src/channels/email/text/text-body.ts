import type { ParsedMail } from 'mailparser';
import type { BodyPart } from '../reading/body-parts.js';
import { findForward, FORWARD_LABEL, mayHoldForward } from './forwarded.js';
import { htmlToPlainText } from './html-text.js';
import { stripReply } from './strip-reply.js';

export { htmlToPlainText } from './html-text.js';

/**
 * The text the model sees for one message: every inline body part in display order (body-parts.ts; HTML parts
 * converted without hidden content or quoted history, html-text.ts), then quoted history and signatures stripped
 * (strip-reply.ts) — except a mail the customer forwarded to us, whose forwarded part is kept, marked as such
 * (forwarded.ts); a mail forwarded as an attachment follows, in full and marked the same way. Capped at `maxChars`.
 */
const TRUNCATED = '\n[…truncated]';

/** Control characters other than tab and newline are dropped; line endings become `\n`. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/gu, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/gu, '');
}

export function capText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return text.slice(0, Math.max(0, maxChars - TRUNCATED.length)) + TRUNCATED;
}

/** The parts read from the raw MIME tree, or mailparser's text / HTML when there are none. */
function partsOf(mail: ParsedMail & { bodyParts?: BodyPart[] }): BodyPart[] {
  const own = mail.bodyParts ?? [];
  if (own.some((p) => p.text.trim() !== '' || p.kind === 'message')) return own;
  if ((mail.text ?? '').trim() !== '') return [{ kind: 'text', text: mail.text ?? '' }];
  return typeof mail.html === 'string' && mail.html.trim() !== '' ? [{ kind: 'html', text: mail.html }] : [];
}

function render(parts: BodyPart[], keepQuoted: boolean): string {
  return parts
    .filter((p) => p.kind !== 'message')
    .map((p) => cleanText(p.kind === 'html' ? htmlToPlainText(p.text, { keepQuoted }) : p.text).trim())
    .filter((t) => t !== '')
    .join('\n\n');
}

/** A mail forwarded as an attachment, read in full (it is what the sender wants us to read). */
function renderAttached(message: BodyPart): string {
  const header = cleanText(message.text).trim();
  const body = render(message.parts ?? [], true);
  if (header === '' && body === '') return '';
  return `${FORWARD_LABEL}\n${[header, body].filter((t) => t !== '').join('\n\n')}`;
}

/** The sender's own text: reply history stripped, an inline forward kept. */
function ownText(mail: ParsedMail, parts: BodyPart[], maxInputChars: number): string {
  const subject = mail.subject ?? '';
  const limit = { maxInputChars };
  const full = render(parts, false);
  const isReply = (mail.inReplyTo ?? '') !== '';
  let forward = findForward(full.slice(0, maxInputChars), subject, { isReply });
  // HTML quotes were dropped above; a forward inside them shows only when they are kept.
  const html = parts.filter((p) => p.kind === 'html').map((p) => p.text);
  if (!forward && html.length > 0 && mayHoldForward(subject, full, html)) forward = findForward(render(parts, true).slice(0, maxInputChars), subject, { isReply });
  if (forward) return [stripReply(forward.note, limit), `${FORWARD_LABEL}\n${forward.forwarded}`].filter((t) => t !== '').join('\n\n');
  const stripped = stripReply(full, limit);
  // A message that is all quote keeps its text rather than reaching the model empty.
  return stripped === '' ? full : stripped;
}

export function messageText(mail: ParsedMail & { bodyParts?: BodyPart[] }, maxChars: number): { text: string; fromHtml: boolean } {
  const parts = partsOf(mail);
  const fromHtml = parts.some((p) => p.kind === 'html');
  const own = ownText(mail, parts, Math.max(maxChars * 4, 20_000));
  const attached = parts.filter((p) => p.kind === 'message').map(renderAttached);
  return { text: capText([own, ...attached].filter((t) => t !== '').join('\n\n'), maxChars), fromHtml };
}
