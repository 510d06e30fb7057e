/**
 * Bounces that are not RFC 3464 reports: the plain-text notices of Postfix, qmail, Exim, old sendmail, Exchange,
 * Lotus Notes/Domino, Courier, Gmail, Yahoo and others. Recognised by the fixed sentence each MTA starts its notice
 * with (as Sisimai and Mailman's bounce detectors do), at the start of a line, in the head of the body only: a
 * quoted (`> `) or far-down copy never counts. From the same text, the failed recipients, the status and the
 * Message-ID of the returned message are read where the notice states them plainly.
 */
const HEAD_CHARS = 12_000;
const MAX_RECIPIENTS = 100;

const MARKERS: Array<[mta: string, marker: RegExp]> = [
  ['postfix', /^This is the (?:mail system|Postfix program) at host\b/mu],
  ['qmail', /^Hi\. This is the qmail-send program\b/mu],
  ['qmail', /^I'm afraid I wasn't able to deliver (?:your message|the following message)\b/mu],
  ['qmail', /^This is the (?:qmail-send|deliver) program at\b/mu],
  ['exim', /^This message was created automatically by mail delivery software\b/mu],
  ['exim', /^A message that you sent (?:could not be delivered|has not yet been delivered|was rejected by the local scanning code|contained one or more recipient)/mu],
  ['exim', /^The \S+ router encountered the following error\(s\):/mu],
  ['exchange', /^Delivery has failed to these recipients or groups:/mu],
  ['exchange', /^Your message did not reach some or all of the intended recipients\b/mu],
  ['exchange', /^The following message to <[^>\n]+> was undeliverable\b/mu],
  ['exchange', /^This is an automatically generated Delivery Status Notification\b/mu],
  ['exchange', /^The email below could not be delivered to the following user/mu],
  ['exchange', /^did not reach the following recipient\(s\):/mu],
  ['sendmail', /^-{2,}\s*The following addresses? had (?:permanent )?(?:fatal )?errors\b/mu],
  ['sendmail', /^-{2,}\s*Transcript of session follows\s*-{2,}/mu],
  ['sendmail', /^The original message was received at .{5,80}\bfrom\b/mu],
  ['notes', /^was not delivered to:\s*$/mu],
  ['notes', /^-{3,}\s*Failure Reasons\s*-{3,}/mu],
  ['gmail', /^Delivery to the following recipients? (?:failed|has been delayed|was aborted)/mu],
  ['yahoo', /^(?:Sorry, we were unable|Unable) to deliver (?:your )?message to the following address/mu],
  ['courier', /^Your message to the following recipients cannot be delivered:/mu],
  ['courier', /^This is a delivery status notification from \S+, running the Courier mail server\b/mu],
  ['opensmtpd', /^This is the MAILER-DAEMON, please DO NOT REPLY to this e-?mail\b/mu],
  ['imail', /^Your mail message to the following address\(es\) could not be delivered\b/mu],
  ['mailru', /^This is the machine generated message from mail service\b/mu],
  ['smail', /^Failed addresses follow:/mu],
  ['messagelabs', /^This is the mail delivery agent at\b/mu],
  ['generic', /^I was unable to deliver your message to the following address/mu],
  ['generic', /^(?:Message|Mail) (?:could not be|not) delivered to the following (?:addresses|recipients?)\b/mu],
  ['generic', /^Could not deliver (?:the )?message to the following recipient/mu],
  ['generic', /^The following recipient\(s\) could not be reached:/mu],
  ['generic', /^Your message could not be delivered to the following (?:addresses|recipients?)\b/mu],
  ['generic', /^-{2,}\s*(?:Failed Recipients|Undelivered Recipients)\s*-{2,}/mu],
  ['de', /^Dies ist eine automatisch erstellte Benachrichtigung über den Zustellstatus\b/mu],
  ['de', /^Ihre Nachricht konnte (?:an folgende Empfänger )?nicht zugestellt werden\b/mu],
  ['fr', /^Ceci est une notification d'état de remise générée automatiquement\b/mu],
  ['es', /^Este es un mensaje de notificación de estado de entrega generado automáticamente\b/mu],
];

/** Failure wording near the top of a notice that returns the original message as a part. */
const FAILURE_TEXT = /\b(?:could ?n[o']t be delivered|was not delivered|wasn't delivered|undeliverable|delivery (?:has )?failed|delivery to the following|permanent(?:ly)? (?:fatal )?error|(?:user|recipient|mailbox) (?:unknown|not found|unavailable)|unknown (?:user|recipient)|no such (?:user|mailbox)|mailbox (?:is )?full|over quota|address rejected|returned to sender|nicht zugestellt|unzustellbar|n'a pas pu être remis|non remis|no se pudo entregar)\b/iu;
const DELAYED = /\b(?:has not yet been delivered|not been delivered yet|will (?:continue to )?(?:be )?retr(?:y|ied)|still (?:being )?retr(?:y|ied)|delivery attempts will continue|has been delayed|is delayed|could not send message for past|temporar(?:y|ily) (?:failure|deferred)|will keep trying)\b/iu;
/** The line that starts the returned copy (tested on short lines only: a marker line is never long). */
const COPY_MARKER = /^(?:-{2,}.{0,120}(?:copy of (?:the|your) message|original message|returned (?:mail|message)|message follows|below this line|headers of (?:the|your) message|undelivered message|message headers).{0,120}|Below this line is a copy of the message\.?|Original message follows\.?|.{0,60}START OF RETURNED MESSAGE.{0,60}|Content-Type: message\/rfc822.{0,200})$/iu;
const MAX_MARKER_LINE = 300;
const RECIPIENT_LINE = /^\s*(?:[*•]\s*)?<?([^\s<>@"(),:;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63})>?(?:\s*$|\s*:|\s+\(|\s+on\s|\s*\.{3}|\s+<)/u;
const DAEMON_LOCAL = /^(?:mailer[-_.]?daemon|post[-_.]?master)$/iu;
const STATUS = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/u;

export interface TextBounce {
  /** e.g. 'bounce text (qmail)', 'returned message with failure text'. */
  reason: string;
  action: 'failed' | 'delayed';
  recipients: string[];
  status?: string;
  originalMessageIds: string[];
}

/** Body text for matching: line ends normalised, every line trimmed (HTML notices keep their indentation otherwise). */
export function noticeLines(text: string): string {
  return text.slice(0, HEAD_CHARS * 4).replace(/\r\n?/gu, '\n').split('\n').map((l) => l.trim()).join('\n');
}

/** A cheap, linear HTML-to-lines for notices that come only as HTML (some Exchange NDRs). */
export function htmlNoticeText(html: string): string {
  return html
    .slice(0, HEAD_CHARS * 4)
    .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]{0,200}>/giu, '\n')
    .replace(/<[^>]{0,2000}>/gu, ' ')
    .replace(/&nbsp;/giu, ' ')
    .replace(/&lt;/giu, '<')
    .replace(/&gt;/giu, '>')
    .replace(/&quot;/giu, '"')
    .replace(/&#39;|&apos;/giu, "'")
    .replace(/&amp;/giu, '&');
}

export function detectTextBounce(body: string, opts: { hasReturnedPart: boolean; subject: string }): TextBounce | undefined {
  const lines = noticeLines(body).split('\n');
  const copyAt = lines.findIndex((l) => l.length <= MAX_MARKER_LINE && COPY_MARKER.test(l));
  const head = (copyAt >= 0 ? lines.slice(0, copyAt) : lines).join('\n').slice(0, HEAD_CHARS);
  let reason: string | undefined;
  for (const [mta, marker] of MARKERS) {
    if (marker.test(head)) {
      reason = `bounce text (${mta})`;
      break;
    }
  }
  // A forward ("Fwd: Undeliverable …") is a person asking about a bounce, not the bounce itself.
  const forwarded = /^\s*(?:fwd?|fw|wg|tr|rv|i)\s*:/iu.test(opts.subject);
  if (!reason && opts.hasReturnedPart && !forwarded && FAILURE_TEXT.test(head.slice(0, 4000))) reason = 'returned message with failure text';
  if (!reason) return undefined;
  const recipients: string[] = [];
  for (const line of head.split('\n')) {
    const m = line.length <= MAX_MARKER_LINE ? line.match(RECIPIENT_LINE) : null;
    const addr = m?.[1]?.toLowerCase();
    if (!addr || DAEMON_LOCAL.test(addr.slice(0, addr.lastIndexOf('@'))) || recipients.includes(addr)) continue;
    recipients.push(addr);
    if (recipients.length >= MAX_RECIPIENTS) break;
  }
  const status = head.match(STATUS)?.[1];
  const originalMessageIds: string[] = [];
  if (copyAt >= 0) {
    const id = lines.slice(copyAt, copyAt + 300).map((l) => l.match(/^Message-ID:\s*(<[^<>\s]{1,500}>)/iu)?.[1]).find(Boolean);
    if (id) originalMessageIds.push(id);
  }
  return { reason, action: DELAYED.test(head) ? 'delayed' : 'failed', recipients, ...(status ? { status } : {}), originalMessageIds };
}
