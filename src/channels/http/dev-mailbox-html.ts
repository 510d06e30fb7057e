/** The dev mailbox pages: every character of a message escaped; only http(s) links become clickable. */
import type { DevMail } from '../../conversations/types.js';
import { page } from './reset-html.js';
import { escapeHtml } from './security.js';

/** What the pages show of one message. */
export type DevMailView = DevMail;

const NOTICE = '<p class="notice" id="notice">Dev mailbox: <strong>nothing here was sent</strong> — no SMTP server is configured. ' +
  'Mail Helpline would have sent (password-reset and address-confirmation links, notices) lands here instead. ' +
  'This page exists only outside production and only while no mail server is configured.</p>';

const URL_RE = /https?:\/\/[^\s<>"'`]+/g;

/** The text escaped, with each http(s) URL in it a link (its trailing punctuation left out of the link). */
export function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    const start = m.index ?? 0;
    out += escapeHtml(text.slice(last, start));
    out += `<a href="${escapeHtml(url)}" rel="noreferrer">${escapeHtml(url)}</a>`;
    last = start + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

const when = (iso: string) => escapeHtml(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
const mailHref = (id: string) => `/dev/mailbox/${encodeURIComponent(id)}`;

export function devMailboxListPage(mails: readonly DevMailView[]): string {
  const rows = mails.map((m) => `<tr><td>${when(m.at)}</td><td>${escapeHtml(m.to)}</td><td><a class="mail" href="${escapeHtml(mailHref(m.id))}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`);
  const body = mails.length === 0
    ? '<p id="empty">No messages yet.</p>'
    : `<table id="messages"><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
  return page('Dev mailbox', `${NOTICE}\n${body}`, true);
}

export function devMailPage(m: DevMailView): string {
  return page(m.subject || '(no subject)', `${NOTICE}
<p><a href="/dev/mailbox" id="back">← All messages</a></p>
<dl><dt>From</dt><dd>${escapeHtml(m.from)}</dd><dt>To</dt><dd>${escapeHtml(m.to)}</dd><dt>Received</dt><dd>${when(m.at)}</dd></dl>
<pre id="body">${linkify(m.text)}</pre>`, true);
}

export function devMailMissingPage(): string {
  return page('No such message', `${NOTICE}\n<p><a href="/dev/mailbox">← All messages</a></p>`, true);
}
