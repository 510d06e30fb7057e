import { htmlToText } from 'html-to-text';
import type { ParsedMail } from 'mailparser';
import { capHtmlDepth } from './html-depth.js';
import { stripReply } from './strip-reply.js';

/**
 * The text the model sees for one message: the plain-text part when there is one, else the HTML converted to text
 * (quoted blocks dropped), then quoted history and signatures stripped, then capped at `maxChars`.
 */
const MAX_HTML_CHARS = 1_000_000;
const TRUNCATED = '\n[…truncated]';

const QUOTE_SELECTORS = [
  'blockquote',
  'div.gmail_quote',
  'div.gmail_extra',
  'div.yahoo_quoted',
  'div#OLK_SRC_BODY_SECTION',
  'div#mail-editor-reference-message-container',
  'div.protonmail_quote',
];

export function htmlToPlainText(html: string): string {
  // Nesting is bounded first (html-depth.ts): tree building and conversion are super-linear in depth.
  const capped = capHtmlDepth(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html);
  return htmlToText(capped, {
    wordwrap: false,
    limits: { maxDepth: 100, maxChildNodes: 5000, maxInputLength: MAX_HTML_CHARS },
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      ...QUOTE_SELECTORS.map((selector) => ({ selector, format: 'skip' })),
    ],
  });
}

/** Control characters other than tab and newline are dropped; line endings become `\n`. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/gu, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/gu, '');
}

export function capText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return text.slice(0, Math.max(0, maxChars - TRUNCATED.length)) + TRUNCATED;
}

export function messageText(mail: ParsedMail, maxChars: number): { text: string; fromHtml: boolean } {
  const plain = cleanText(mail.text ?? '').trim();
  const fromHtml = plain === '' && typeof mail.html === 'string' && mail.html.trim() !== '';
  const full = fromHtml ? cleanText(htmlToPlainText(mail.html as string)).trim() : plain;
  const stripped = stripReply(full, { maxInputChars: Math.max(maxChars * 4, 20_000) });
  // A message that is all quote (e.g. a bare forward) keeps its text rather than reaching the model empty.
  return { text: capText(stripped === '' ? full : stripped, maxChars), fromHtml };
}
