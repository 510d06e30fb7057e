import type { LoopKind } from './loop-guard.js';
import { hasMailClient } from './loop-guard-headers.js';
import type { RawHeaders } from '../reading/parse-headers.js';

/**
 * Sender rules of the loop guard: what the local part of From, Sender, Return-Path and Errors-To says about who
 * sent the mail. Mailer daemons under any spelling, list software, no-reply, notification and bulk senders.
 * `postmaster@` must reach a person (RFC 5321 §4.5.1): mail from it written with a mail client is a person's.
 */
export interface SenderHit { kind: LoopKind; reason: string }

const MAX_ADDRESSES = 20;
const SUFFIX = '(?:[+=].*)?$';
const DAEMON = new RegExp(`^(?:mailer[-_.]?daemon|mail[-_.]?daemon)${SUFFIX}`, 'iu');
const POSTMASTER = new RegExp(`^post[-_.]?master${SUFFIX}`, 'iu');
/** List software: Mailman (-bounces, -owner, -request), Majordomo/LISTSERV (owner-), ezmlm (-return-), by name. */
const LIST_ROBOT = new RegExp(`^(?:.+-(?:owner|request|bounces)|owner-.+|.+-return-\\d+-.*|listserv|majordomo|sympa|mailman|ezmlm|listmaster|listproc|lyris|mlmmj|ecartis|smartlist)${SUFFIX}`, 'iu');
const NO_REPLY = /(?:^|[-_.+])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|donotreply|no[-_.]?response|noresponse)(?:$|[-_.+=])/iu;
/** Tokens of the local part (split on - _ . + =) that only machines send from. */
const MACHINE_TOKENS = new Set([
  'notification', 'notifications', 'notify', 'notifier', 'alert', 'alerts', 'automailer', 'autoreply', 'autoresponder', 'bounce', 'bounces',
  'news', 'newsletter', 'newsletters', 'newsflash', 'enews', 'announce', 'announcement', 'announcements', 'marketing', 'mailer', 'robot',
]);
const DAEMON_NAME = /\b(?:mailer[-_. ]?daemon|mail delivery (?:system|subsystem|service))\b/iu;
const ABUSE_LOCAL = new RegExp(`^(?:abuse.*|.+[-_.]abuse|spamcop|fbl|arf|complaints?|spam[-_.]?reports?|feedback[-_.]?loop)${SUFFIX}`, 'iu');

const localPart = (a: string): string => a.slice(0, a.lastIndexOf('@'));

/** The `local@domain` tokens of header values (split on separators: linear, whatever the value). */
function addressesOf(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values.slice(0, 5)) {
    for (const token of v.slice(0, 2000).split(/[\s<>"(),:;[\]]+/u)) {
      const at = token.indexOf('@');
      if (at > 0 && at === token.lastIndexOf('@') && at <= 64 && token.length - at <= 256) out.push(token.toLowerCase());
      if (out.length >= MAX_ADDRESSES) return out;
    }
  }
  return out;
}

export function senderVerdict(h: RawHeaders, fromAddresses: string[]): SenderHit | undefined {
  const authors = [...fromAddresses, ...addressesOf(h.all('sender'))];
  const envelope = addressesOf([...h.all('return-path'), ...h.all('errors-to')]);
  const person = hasMailClient(h);
  for (const a of [...authors, ...envelope]) {
    const local = localPart(a);
    if (DAEMON.test(local)) return { kind: 'bounce', reason: `mailer daemon sender (${a})` };
    if (POSTMASTER.test(local) && !person) return { kind: 'bounce', reason: `postmaster sender (${a})` };
  }
  const name = h.first('from') ?? '';
  if (DAEMON_NAME.test(name)) return { kind: 'bounce', reason: 'mailer daemon sender (display name)' };
  // "Return-Path: <MAILER-DAEMON>" without a domain.
  if (h.all('return-path').some((v) => DAEMON.test(v.trim().replace(/^<|>$/gu, '')))) return { kind: 'bounce', reason: 'mailer daemon sender (Return-Path)' };
  for (const a of [...authors, ...envelope]) {
    if (LIST_ROBOT.test(localPart(a))) return { kind: 'list', reason: `list robot sender (${a})` };
  }
  for (const a of [...authors, ...envelope]) {
    if (NO_REPLY.test(localPart(a))) return { kind: 'auto', reason: `automated sender (${a})` };
  }
  for (const a of authors) {
    if (localPart(a).split(/[-_.+=]/u).some((t) => MACHINE_TOKENS.has(t.toLowerCase()))) return { kind: 'auto', reason: `automated sender (${a})` };
  }
  return undefined;
}

export function isAbuseSender(fromAddresses: string[], h: RawHeaders): boolean {
  return [...fromAddresses, ...addressesOf(h.all('sender'))].some((a) => ABUSE_LOCAL.test(localPart(a)));
}
