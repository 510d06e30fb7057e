/**
 * The MIME text of one outgoing mail, built here and handed to the SMTP session (smtp-pool) with an explicit
 * envelope. A support reply is always the same shape (text, optional HTML twin, a few threading headers), so this
 * skips nodemailer's general composer (per-header normalisation, address parsing, a stream pipeline per part),
 * which was most of the CPU of a send. Encoding is libmime/libqp's (nodemailer's author's own libraries):
 * RFC 2047 words for non-ASCII header text, folded header lines, quoted-printable UTF-8 bodies, CRLF throughout.
 * Every header value is stripped of CR/LF so no caller text can add a header.
 */
import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import libmime from 'libmime';
import libqp from 'libqp';
import type { SmtpMessage } from './smtp-sender.js';

/** One header line's worth of text: line breaks become spaces, other control characters go (a raw NUL or ESC
 * in a header breaks RFC 5322, and a strict server's 5xx would mark the customer's address undeliverable). */
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim();

const DOT_ATOM = /^[\w!#$%&'*+\-/=?^`{|}~]+(\.[\w!#$%&'*+\-/=?^`{|}~]+)*$/;
/** An RFC 5322 quoted-string. */
const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** `local@domain` for a header: the domain in ASCII (punycode), a local part that is no dot-atom quoted. */
function formatMailbox(addr: string): string {
  const at = addr.lastIndexOf('@');
  if (at < 1) return addr;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  const ascii = /^[\x20-\x7e]*$/.test(domain) ? domain : domainToASCII(domain) || domain;
  const quoted = DOT_ATOM.test(local) || /^".*"$/.test(local) || /[^\x20-\x7e]/.test(local) ? local : quote(local);
  return `${quoted}@${ascii}`;
}

/** `Name <addr>` with the name quoted or RFC 2047-encoded as needed; a bare address as is. */
export function formatAddress(value: string): string {
  const v = oneLine(value);
  const m = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(v);
  if (!m) return formatMailbox(v);
  const raw = (m[1] ?? '').trim();
  const q = /^"(.*)"$/.exec(raw);
  const name = (q ? (q[1] ?? '').replace(/\\(.)/g, '$1') : raw).trim(); // a quoted name arrives escaped: unescape once
  const addr = formatMailbox(m[2] as string);
  if (!name) return addr;
  if (/[^\x20-\x7e]/.test(name)) return `${libmime.encodeWord(name, 'Q', 52)} <${addr}>`;
  if (/^[\w !#$%&'*+\-/=?^`{|}~]+$/.test(name)) return `${name} <${addr}>`;
  return `${quote(name)} <${addr}>`;
}

/** `Name: value`, non-ASCII text as encoded words, folded at 76 columns. */
function header(name: string, value: string, encode = false): string {
  const v = encode ? libmime.encodeWords(oneLine(value), 'Q', 52) : oneLine(value);
  return libmime.foldLines(`${name}: ${v}`, 76, false);
}

/** Quoted-printable UTF-8, soft-wrapped at 76 columns, CRLF line ends. */
function qpBody(text: string): string {
  const crlf = text.replace(/\r\n?|\n/g, '\r\n');
  return libqp.wrap(libqp.encode(Buffer.from(crlf, 'utf8')), 76);
}

function textPart(type: 'plain' | 'html', body: string): string {
  return `Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qpBody(body)}`;
}

/** RFC 5322 date in UTC, e.g. `Wed, 02 Dec 2026 19:34:00 +0000`. */
function rfcDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function buildMime(msg: SmtpMessage, date: Date = new Date(), boundary = `--_helpline_${randomBytes(12).toString('hex')}`): string {
  const lines = [
    header('From', formatAddress(msg.from)),
    header('To', formatAddress(msg.to)),
    header('Subject', msg.subject, true),
    header('Date', rfcDate(date)),
    header('Message-ID', msg.messageId),
  ];
  if (msg.inReplyTo) lines.push(header('In-Reply-To', msg.inReplyTo));
  if (msg.references?.length) lines.push(header('References', msg.references.map(oneLine).join(' ')));
  lines.push(header('Auto-Submitted', msg.autoSubmitted), 'X-Auto-Response-Suppress: All', 'MIME-Version: 1.0');
  if (msg.html === undefined) {
    const part = textPart('plain', msg.text);
    return `${lines.join('\r\n')}\r\n${part}${part.endsWith('\r\n') ? '' : '\r\n'}`; // SMTP DATA ends on a line end
  }
  lines.push(`Content-Type: multipart/alternative;\r\n boundary="${boundary}"`);
  return `${lines.join('\r\n')}\r\n\r\n--${boundary}\r\n${textPart('plain', msg.text)}\r\n--${boundary}\r\n${textPart('html', msg.html)}\r\n--${boundary}--\r\n`;
}
