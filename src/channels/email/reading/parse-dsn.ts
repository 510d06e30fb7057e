import type { ParsedMail } from 'mailparser';
import { detectTextBounce, htmlNoticeText } from './bounce-text.js';
import type { RawHeaders } from './parse-headers.js';

/**
 * Bounced recipients and status from a delivery-status report (RFC 3464), plus X-Failed-Recipients (Exim), or,
 * for a bounce that is not DSN-formatted, from the notice text (`detected` then says which notice it was).
 */
export interface BounceInfo {
  recipients: string[];
  status?: string;
  /** Per-recipient `Action` of the first failed (else first) recipient: `failed`, `delayed`, `delivered`… */
  action?: string;
  /** Message-IDs found in the returned message (message/rfc822 or text/rfc822-headers part): which mail bounced. */
  originalMessageIds?: string[];
  /** Set when the body is a non-DSN bounce notice (Postfix/qmail/Exim/Exchange… text): the loop guard's reason. */
  detected?: string;
}

const RETURNED_PART = /^(?:message\/(?:rfc822|global|global-headers|rfc822-headers)|text\/rfc822-headers)$/iu;

const MAX_REPORT_CHARS = 64 * 1024;
const MAX_RECIPIENTS = 100;

function addressOf(value: string): string | undefined {
  const v = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  const m = v.trim().match(/<?([^\s<>;"]+@[^\s<>;"]+)>?/u);
  return m?.[1]?.toLowerCase();
}

export function extractBounce(mail: ParsedMail, headers: RawHeaders): BounceInfo {
  const recipients: string[] = [];
  const blocks: Array<{ action?: string; status?: string }> = [];
  for (const att of mail.attachments) {
    if (typeof att.contentType !== 'string' || !/delivery-status$/iu.test(att.contentType)) continue;
    const text = att.content.toString('utf8', 0, Math.min(att.content.length, MAX_REPORT_CHARS)).replace(/\r?\n[ \t]+/gu, ' ');
    for (const block of text.split(/\r?\n\s*\r?\n/u)) {
      let action: string | undefined;
      let status: string | undefined;
      let recipient: string | undefined;
      for (const line of block.split(/\r?\n/u)) {
        const m = line.match(/^([A-Za-z-]+)\s*:\s*(.*)$/u);
        if (!m?.[1] || m[2] === undefined) continue;
        const key = m[1].toLowerCase();
        if (key === 'final-recipient' || (key === 'original-recipient' && !recipient)) recipient = addressOf(m[2]) ?? recipient;
        else if (key === 'action') action = m[2].trim().toLowerCase();
        else if (key === 'status') status = m[2].trim().split(/\s/u)[0];
      }
      if (recipient) {
        if (!recipients.includes(recipient)) recipients.push(recipient);
        blocks.push({ action, status });
      }
    }
  }
  for (const value of headers.all('x-failed-recipients')) {
    for (const part of value.split(',')) {
      const a = addressOf(part);
      if (a && !recipients.includes(a)) recipients.push(a);
    }
  }
  const chosen = blocks.find((b) => b.action === 'failed') ?? blocks[0];
  const originalMessageIds: string[] = [];
  const returned = mail.attachments.filter((att) => typeof att.contentType === 'string' && RETURNED_PART.test(att.contentType));
  for (const att of returned) {
    const head = att.content.toString('utf8', 0, Math.min(att.content.length, MAX_REPORT_CHARS)).split(/\r?\n\r?\n/u)[0] ?? '';
    const m = head.replace(/\r?\n[ \t]+/gu, ' ').match(/^message-id\s*:\s*(<[^>\s]{1,500}>)/imu);
    if (m?.[1] && originalMessageIds.length < 5) originalMessageIds.push(m[1]);
  }
  const info: BounceInfo = {
    ...(originalMessageIds.length ? { originalMessageIds } : {}),
    recipients: recipients.slice(0, MAX_RECIPIENTS),
    ...(chosen?.status ? { status: chosen.status } : {}),
    ...(chosen?.action ? { action: chosen.action } : {}),
  };
  return blocks.length > 0 ? info : withTextBounce(info, mail, returned.length > 0);
}

/** No delivery-status part: read the notice text of a non-DSN bounce, if the body is one. */
function withTextBounce(info: BounceInfo, mail: ParsedMail, hasReturnedPart: boolean): BounceInfo {
  const plain = mail.text ?? '';
  const body = plain.trim() !== '' ? plain : typeof mail.html === 'string' ? htmlNoticeText(mail.html) : '';
  const found = detectTextBounce(body, { hasReturnedPart, subject: mail.subject ?? '' });
  if (!found) return info;
  const recipients = [...info.recipients];
  for (const r of found.recipients) if (!recipients.includes(r) && recipients.length < MAX_RECIPIENTS) recipients.push(r);
  const ids = [...(info.originalMessageIds ?? [])];
  for (const id of found.originalMessageIds) if (!ids.includes(id) && ids.length < 5) ids.push(id);
  return {
    ...(ids.length ? { originalMessageIds: ids } : {}),
    recipients,
    ...(found.status ? { status: found.status } : {}),
    action: found.action,
    detected: found.reason,
  };
}
