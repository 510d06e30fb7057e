import type { RawHeaders } from '../reading/parse-headers.js';

/**
 * Header rules of the loop guard, by class. Where a vendor marks its mail with a family of headers (`X-Zendesk-*`,
 * `X-GitHub-*`, `X-Mailman-*`) the family is matched by prefix, not one name. Only top-level headers are seen:
 * the headers of a quoted or attached message never decide.
 */
export interface HeaderHit { name: string; reason: string }

const display = (name: string): string => name.replace(/(^|-)([a-z])/gu, (_m, dash: string, c: string) => dash + c.toUpperCase());

/** Spam verdicts written by filters (SpamAssassin, Rspamd, Amazon SES, Barracuda, Exchange Online Protection…). */
const SPAM_YES = /^\s*(?:yes|true|spam)\b/iu;
const SPAM_VERDICTS: Array<{ name: RegExp; value: RegExp }> = [
  // X-Spam-Flag, X-Spam-Status, X-Spam, X-Barracuda-Spam-Status, X-Zone-Spam-Status, X-Spam-Flag2…: "Yes…"
  { name: /^x-(?:[a-z0-9]+-)*spam(?:-flag\d*|-status)?$/u, value: SPAM_YES },
  { name: /^x-(?:[a-z0-9]+-)*spam-verdict$/u, value: /^\s*(?:fail|spam)\b/iu },
  { name: /^x-(?:[a-z0-9]+-)*virus-verdict$/u, value: /^\s*fail\b/iu },
  { name: /^x-(?:[a-z0-9]+-)*virus-status$/u, value: /^\s*(?:yes|infected)\b/iu },
  { name: /^x-(?:[a-z0-9]+-)*virus(?:-flag)?$/u, value: /^\s*(?:yes|infected)\b/iu },
  // Rspamd: the action taken ("add header", "rewrite subject", "reject"); "no action" and greylisting are not verdicts.
  { name: /^x-spam-action$/u, value: /^\s*(?:add header|rewrite subject|reject)\b/iu },
  // Exchange spam confidence level: 5-9 is spam (-1 internal, 0-4 not spam).
  { name: /^x-ms-exchange-organization-scl$/u, value: /^\s*[5-9]\s*$/u },
  // Exchange Online Protection: SFV:SPM spam, SKS marked by rule, SKB/BLK blocked sender (NSPM is "not spam").
  { name: /^x-forefront-antispam-report(?:-untrusted)?$/u, value: /(?:^|;)\s*SFV:(?:SPM|SKS|SKB|BLK)\s*(?:;|$)/iu },
  { name: /^x-[a-z0-9-]*mailscanner-spamcheck$/u, value: /^\s*spam\b/iu },
  { name: /^x-amavis-alert$/u, value: /^\s*(?:infected|banned)\b/iu },
  // bogofilter, DSPAM, CRM114, Kaspersky, Rspamd's result line, Mailgun's flag.
  { name: /^x-(?:bogosity|dspam-result|crm114-status|spamtest-status)$/u, value: /^\s*(?:spam|yes|virus)\b/iu },
  { name: /^x-spamd-result$/u, value: /^\s*default:\s*true\b/iu },
  { name: /^x-mailgun-sflag$/u, value: /^\s*yes\b/iu },
  // Exchange Online delivered it to the Junk folder.
  { name: /^x-microsoft-antispam-mailbox-delivery$/u, value: /(?:^|;)\s*dest:J\s*(?:;|$)/iu },
];

export function spamVerdict(h: RawHeaders): HeaderHit | undefined {
  const names = h.names();
  for (const rule of SPAM_VERDICTS) {
    const name = names.find((n) => rule.name.test(n) && h.all(n).some((v) => rule.value.test(v)));
    if (name) return { name, reason: `spam verdict header (${display(name)})` };
  }
  return undefined;
}

/** List traffic and list robots: RFC 2369/2919 fields and what Mailman, ezmlm, Sympa, fml, LISTSERV and Google Groups add. */
const LIST_EXACT = new Set([
  'list-id', 'list-unsubscribe', 'list-subscribe', 'list-post', 'list-help', 'list-owner', 'list-archive', 'list-unsubscribe-post',
  'mailing-list', 'x-mailing-list', 'x-mlserver', 'x-loop', 'x-beenthere', 'x-google-group-id', 'x-google-loop', 'x-sympa-to',
  'x-listserver', 'x-listprocessor-version', 'x-ecartis-version', 'x-lyris-message-id',
]);
const LIST_PREFIX = /^(?:x-mailman-|x-ml-|x-mlserver|x-list|x-ezmlm-|x-sympa-|x-majordomo|x-listserv|x-mailing-list-)/u;

/** `ownAddresses`: an `X-Loop` naming one of our addresses is our own forwarding (procmail, sieve), not a list's. */
export function listHeader(h: RawHeaders, ownAddresses: ReadonlySet<string>): HeaderHit | undefined {
  for (const name of h.names()) {
    if (name === 'x-loop' && h.all(name).every((v) => ownAddresses.has(v.trim().replace(/^<|>$/gu, '').toLowerCase()))) continue;
    if (LIST_EXACT.has(name) || LIST_PREFIX.test(name)) return { name, reason: `list header (${display(name)})` };
  }
  // ezmlm/qmail: "Delivered-To: mailing list name@host".
  if (h.all('delivered-to').some((v) => /^\s*mailing list\b/iu.test(v))) return { name: 'delivered-to', reason: 'list header (Delivered-To: mailing list)' };
  return undefined;
}

/** Help desks, issue trackers, code hosts and CI that mail on their own: their header family, then RT's own fields. */
const TICKET_PREFIX = /^(?:x-zendesk-|x-freshdesk-|x-freshservice-|x-github-|x-gitlab-|x-zammad-|x-otrs-|x-znuny-|x-bugzilla-|x-redmine-|x-jenkins-|x-jira-|x-trac-|x-phabricator-|x-gerrit-|x-launchpad-|x-mantis-|x-rt-|rt-|x-helpscout-|x-kayako-|x-servicenow-|x-sentry-|x-pagerduty-|x-gitea-|x-gogs-|x-bitbucket-|x-youtrack-|x-asana-|x-trello-|x-confluence-|x-spiceworks-|x-osticket-|x-mantisbt-)/u;
const TICKET_EXACT = new Set(['x-jira-fingerprint', 'x-servicenow-generated', 'x-github-reason', 'x-helpdesk-ticket', 'x-ticket-id', 'x-otrs-loop']);

export function ticketHeader(h: RawHeaders): HeaderHit | undefined {
  for (const name of h.names()) {
    if (TICKET_EXACT.has(name) || TICKET_PREFIX.test(name)) return { name, reason: `ticket-system header (${display(name)})` };
  }
  const managedBy = h.first('managed-by');
  if (managedBy !== undefined && /\b(?:rt|request tracker|otrs|znuny|zammad|jira|redmine|osticket)\b/iu.test(managedBy)) {
    return { name: 'managed-by', reason: `ticket-system header (Managed-By: ${managedBy.slice(0, 40)})` };
  }
  return undefined;
}

/** Markers of auto-responders and mail-server rules (RFC 3834 aside), by name; `X-Auto-Response-Suppress` is NOT one. */
const AUTO_NAME = /^x-(?:[a-z0-9]+-)*(?:auto-?reply|auto-?replied|auto-?respon(?:d|se|der)|autorespond(?:er)?|auto-?generated|vacation|holidayreply|machinegenerated|fc-machinegenerated)(?:-from)?$/u;

export function autoHeader(h: RawHeaders): HeaderHit | undefined {
  for (const name of h.names()) {
    if (name === 'x-auto-response-suppress') continue; // Outlook sets it on ordinary mail: not a robot (DESIGN.md).
    if (AUTO_NAME.test(name)) {
      const values = h.all(name);
      // "X-FC-MachineGenerated: false" / "X-Autoreply: no" say the opposite.
      if (values.length > 0 && values.every((v) => /^\s*(?:no|false|0)\s*$/iu.test(v))) continue;
      return { name, reason: `${display(name)} header` };
    }
  }
  // Not X-MS-Exchange-Inbox-Rules-Loop: a shared mailbox that redirects people's mail to us by a rule sets it too.
  return undefined;
}

/** Abuse reports that are not (or not only) ARF: the X-ARF format, or ARF fields at the top. */
export function abuseHeader(h: RawHeaders): HeaderHit | undefined {
  for (const name of ['x-arf', 'feedback-type', 'x-abuse-report', 'x-abusereport'] as const) {
    if (h.has(name)) return { name, reason: `abuse report (${display(name)})` };
  }
  return undefined;
}

/** The headers a mail client writes; a role mailbox (postmaster@) writing with one is a person. */
const MAIL_CLIENT = /\b(?:outlook|thunderbird|apple mail|iphone mail|ipad mail|android|evolution|mutt|neomutt|claws|kmail|sylpheed|eudora|the bat|seamonkey|postbox|airmail|spark|roundcube|squirrelmail|horde|rainloop|snappymail|sogo|zimbra|mailmate|em client|mailbird|yahoomail|gmail)\b/iu;

export function hasMailClient(h: RawHeaders): boolean {
  return h.has('user-agent') || h.all('x-mailer').some((v) => MAIL_CLIENT.test(v));
}
