/**
 * Subject rules of the loop guard: out-of-office and automatic replies in many languages, bounce notices, list
 * software notices, ticket-system auto-replies and abuse reports. Matched on the decoded subject, after any
 * bracketed tags a filter or list put in front ("[SPAM]", "[External]").
 */
const TAGS = /^(?:\s*(?:\[[^\]\n]{0,60}\]|\*{1,3}[^*\n]{0,30}\*{1,3}|\{[^}\n]{0,30}\})\s*)+/u;
const clean = (subject: string): string => subject.normalize('NFC').trim().slice(0, 300).replace(TAGS, '');

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
const AUTO_SUBJECT_ANYWHERE = /\b(?:is|am|will be) (?:currently )?out of (?:the )?office\b|\bout of office (?:reply|notice|autoreply)\b|\((?:automatic|auto)[- ]?(?:response|reply)\)/iu;

/** Lotus Notes labels its automatic replies "AUTO:" (upper case; "Auto: loan question" is a person's). */
const NOTES_AUTO = /^AUTO:\s/u;

export function isOutOfOfficeSubject(subject: string): boolean {
  const s = clean(subject);
  return AUTO_SUBJECT_START.test(s) || AUTO_SUBJECT_LABEL.test(s) || AUTO_SUBJECT_ANYWHERE.test(s) || NOTES_AUTO.test(s);
}

/** Notices only a mail server words this way. */
const BOUNCE_STRONG = new RegExp(
  '^(?:' +
    [
      'undelivered mail returned to sender',
      'delivery status notification',
      'mail delivery (?:failed|system|subsystem)',
      'failure notice',
      'returned mail\\s*:',
      'undeliverable(?: mail| message)?\\s*:',
      'undeliverable (?:mail|message|e-?mail)\\b',
      'non-?deliverable (?:mail|message)',
      'non-?delivery (?:report|notification)',
      'message delivery (?:has )?failed',
      'mail system error',
      'warning: could not send message',
      'warning: message \\S+ delayed',
      'delayed mail',
      '(?:unzustellbar|nicht zustellbar|non remis|non distribuable|onbestelbaar|non recapitabile|no se puede entregar|olevererbart|kan ikke leveres|nedoručitelné|niedostarczalne)\\s*:',
    ].join('|') +
    ')',
  'iu',
);
/** Wording a customer might use too: a bounce only with a returned message attached. */
const BOUNCE_WEAK = /^(?:(?:mail )?delivery (?:failure|failed|error|problem|delayed)|undeliverable|undelivered|(?:message|mail) (?:not delivered|could not be delivered|returned)|returned mail|could not deliver|delivery (?:notification|report)\s*:)/iu;

export function bounceSubject(subject: string, hasReturnedPart: boolean): boolean {
  const s = clean(subject);
  return BOUNCE_STRONG.test(s) || (hasReturnedPart && BOUNCE_WEAK.test(s));
}

/** What Mailman, Sympa, ezmlm, Majordomo and LISTSERV send about a post or a subscription. */
const LIST_NOTICE = new RegExp(
  '\\b(?:' +
    [
      '(?:awaits|requires|pending|waiting for) moderator(?:\'s)? approval',
      'held for moderat(?:ion|or)',
      'posting to a moderated (?:list|newsgroup)',
      'request to mailing list .{1,80} rejected',
      'your (?:message|post(?:ing)?) to .{1,80}? (?:awaits|is being held|has been held|was rejected|has been rejected|was not distributed)',
      'you are not (?:a )?subscriber',
      'non-?member (?:submission|post(?:ing)?)',
      'you are not (?:a member|subscribed|allowed to post)',
      'not a member of (?:the |this )?(?:\\S+ )?(?:mailing )?list',
      'welcome to the .{1,80} mailing list',
      'mailing list memberships? reminder',
      'confirm [0-9a-f]{20,}\\b',
      'confirm (?:your )?(?:un)?subscription to',
      'majordomo results',
      'results of your email commands',
      'ezmlm response',
      'listserv (?:output|results)',
      'message rejected by (?:the )?(?:mailing )?list',
    ].join('|') +
    ')',
  'iu',
);

export function listNoticeSubject(subject: string): boolean {
  return LIST_NOTICE.test(clean(subject));
}

/** Request Tracker and other help desks: "[rt.example #123] AutoReply: …" (the label may stand anywhere). */
const TICKET_TAG = /\[[^\]\n]{0,60}#\s?\d+\s*\]/u;
const AUTO_LABEL = /(?:^|[\s\]:])auto[-\s]?(?:reply|response)\s*:/iu;

export function autoReplyLabel(subject: string): 'ticket-system' | 'auto' | undefined {
  const s = subject.slice(0, 300);
  if (TICKET_TAG.test(s) && /\bauto[-\s]?(?:reply|response)\b/iu.test(s)) return 'ticket-system';
  return AUTO_LABEL.test(s) ? 'auto' : undefined;
}

/** Provider complaints: a person's "Spam complaint" needs an abuse sender or an attached message to count. */
const ABUSE = /\b(?:abuse (?:report|complaint|notification|notice|case)|spam (?:complaint|report)|reported as spam|complaint about (?:spam|unsolicited)|unsolicited (?:commercial |bulk )?e-?mail|phishing (?:report|complaint)|e-?mail feedback report|feedback report)\b/iu;

export function abuseSubject(subject: string): boolean {
  return ABUSE.test(subject.slice(0, 300));
}

/** SpamCop's own reports: unmistakable on their own. */
export function spamcopSubject(subject: string): boolean {
  return /^\s*\[SpamCop\b/iu.test(subject);
}
