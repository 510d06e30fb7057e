import type { RawHeaders } from './parse-headers.js';

/**
 * Loop protection: decides, from headers and sender alone, that a message must never be answered by the bot
 * (auto-replies, bounces, list mail, our own mail). Runs before anything reaches the model.
 */
export interface LoopGuardInput {
  headers: RawHeaders;
  /** Lower-cased From addresses. */
  fromAddresses: string[];
  subject: string;
  messageId: string;
  /** Top-level content type with parameters, e.g. `multipart/report; report-type=delivery-status`. */
  contentType: string;
  /** Content types of all parts (attachments included). */
  partTypes: string[];
  ownAddresses: string[];
  isOwnMessageId: (id: string) => boolean;
}

/** The classes of mail that is never answered. */
export type LoopKind = 'bounce' | 'report' | 'auto' | 'list' | 'own';

/** `undefined` = may be answered; otherwise the reason not to, and whether to quarantine rather than ignore. */
export type LoopVerdict = { kind: LoopKind; reason: string; action?: 'ignore' | 'quarantine' } | undefined;

const NO_REPLY_LOCAL = /^(?:mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|bounces?)(?:[-+_.].*)?$/iu;
const PRECEDENCE = /^(?:bulk|junk|list|auto[-_]?reply)$/iu;

/** Subjects of out-of-office / automatic replies, matched at the start (after any Re:/AW:/TR: prefixes). */
const AUTO_SUBJECT_START = new RegExp(
  '^(?:(?:re|aw|wg|fw|fwd|tr|rv|r|sv|vs|antw|odp)\\s?:\\s*)*(?:' +
    [
      'out of (?:the )?office',
      'automatic reply',
      'auto(?:matic)?[- ]?(?:reply|response|responder|antwort)',
      'autoreply',
      'autoresponse',
      'abwesenheitsnotiz',
      'automatische antwort',
      'automatische (?:abwesenheits)?nachricht',
      'ich bin (?:zurzeit |derzeit )?nicht im büro',
      'réponse automatique',
      'reponse automatique',
      'absence du bureau',
      "message d'absence",
      'absent(?:e)? du bureau',
      'respuesta automática',
      'respuesta automatica',
      'fuera de la oficina',
      'afwezig',
      'automatisch antwoord',
      'niet aanwezig',
      'buiten kantoor',
      'risposta automatica',
      'fuori sede',
      "fuori dall'ufficio",
      'resposta automática',
      'resposta automatica',
      'ausente do escritório',
      'fora do escritório',
      'autosvar',
      'automaattinen vastaus',
      'automatyczna odpowiedź',
      'automatická odpověď',
    ].join('|') +
    ')(?![\\p{L}])',
  'iu',
);
/** Single words that only mean "away" when they head the subject as a label ("Ausencia: …"). */
const AUTO_SUBJECT_LABEL = /^(?:abwesenheit|abwesend|ausencia|ausente|assente|absent|absence|frånvaro|fraværende|fravær|nieobecność|poissa|afwezigheid)\s?:/iu;
const AUTO_SUBJECT_ANYWHERE = /\b(?:is|am|will be) (?:currently )?out of (?:the )?office\b|\bout of office (?:reply|notice|autoreply)\b/iu;

export function isOutOfOfficeSubject(subject: string): boolean {
  const s = subject.normalize('NFC').trim().slice(0, 300);
  return AUTO_SUBJECT_START.test(s) || AUTO_SUBJECT_LABEL.test(s) || AUTO_SUBJECT_ANYWHERE.test(s);
}

const BOUNCE_SUBJECT = /^(?:undeliver(?:able|ed)|undelivered mail returned to sender|delivery status notification \((?:failure|delay)\)|mail delivery (?:failed|failure|system)|returned mail\b|failure notice|delivery failure|nondeliverable|unzustellbar|non remis|non recapitabile|no se puede entregar|onbestelbaar)/iu;

function param(contentType: string, name: string): string | undefined {
  const m = contentType.match(new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*"?([^";]+)"?`, 'iu'));
  return m?.[1]?.trim().toLowerCase();
}

export function checkLoop(input: LoopGuardInput): LoopVerdict {
  const h = input.headers;
  const ct = input.contentType.toLowerCase();
  const types = input.partTypes.map((t) => t.toLowerCase());
  if (ct.startsWith('multipart/report') || types.includes('message/delivery-status') || types.includes('message/global-delivery-status')) {
    const reportType = param(input.contentType, 'report-type') ?? '';
    if (reportType.includes('delivery-status') || types.some((t) => t.endsWith('delivery-status'))) return { kind: 'bounce', reason: 'delivery status report' };
    if (reportType === 'disposition-notification') return { kind: 'report', reason: 'read receipt (disposition notification)' };
    if (reportType === 'feedback-report') return { kind: 'report', reason: 'feedback report (ARF)' };
    return { kind: 'report', reason: `report (${reportType || 'multipart/report'})` };
  }
  const own = new Set(input.ownAddresses.map((a) => a.trim().toLowerCase()).filter(Boolean));
  if (input.fromAddresses.some((a) => own.has(a))) return { kind: 'own', reason: 'from our own address' };
  if (input.messageId && input.isOwnMessageId(input.messageId)) return { kind: 'own', reason: 'our own Message-ID' };
  for (const value of h.all('auto-submitted')) {
    const v = value.split(/[;(]/u)[0]?.trim().toLowerCase() ?? '';
    if (v !== 'no') return { kind: 'auto', reason: `auto-submitted: ${v || '(empty)'}` };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress'] as const) {
    if (h.has(name)) return { kind: 'auto', reason: `${name} header` };
  }
  for (const value of h.all('precedence')) {
    if (PRECEDENCE.test(value.trim())) return { kind: value.trim().toLowerCase() === 'list' ? 'list' : 'auto', reason: `precedence: ${value.trim().toLowerCase()}` };
  }
  if (h.has('list-id')) return { kind: 'list', reason: 'list mail (List-Id)' };
  if (h.has('list-unsubscribe')) return { kind: 'list', reason: 'list mail (List-Unsubscribe)' };
  const returnPath = h.first('return-path');
  if (returnPath !== undefined && /^<?\s*>?$/u.test(returnPath.trim())) return { kind: 'bounce', reason: 'empty Return-Path' };
  const senders = [...input.fromAddresses, ...h.all('sender').flatMap((s) => s.match(/[^\s<>"]+@[^\s<>"]+/gu) ?? [])];
  const automated = senders.find((a) => NO_REPLY_LOCAL.test(a.slice(0, a.lastIndexOf('@'))));
  if (automated) return { kind: 'auto', reason: `automated sender (${automated.toLowerCase()})` };
  if (h.has('x-failed-recipients') || BOUNCE_SUBJECT.test(input.subject.trim())) return { kind: 'bounce', reason: 'bounce (subject / X-Failed-Recipients)' };
  if (isOutOfOfficeSubject(input.subject)) return { kind: 'auto', reason: 'out-of-office subject' };
  return undefined;
}
