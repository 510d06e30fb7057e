/**
 * Redaction of secrets a customer types into chat: card numbers (PAN-like digit runs that pass Luhn)
 * and passwords ("my password is X", "pw: X", "new password: X"). Runs before the text reaches the
 * agent, the transcript, the ledger or the logs.
 */

export type RedactionKind = 'card' | 'password';
export interface Redacted {
  text: string;
  /** What was removed (each kind at most once). Empty when nothing was. */
  kinds: RedactionKind[];
}

export const CARD_PLACEHOLDER = '[card number removed]';
export const PASSWORD_PLACEHOLDER = '[password removed]';

/** 13–19 digits, optionally separated by single spaces, dashes or dots. */
const PAN_RE = /(?<![\d.-])\d(?:[ .-]?\d){12,18}(?![\d])/g;

/** "password" and its short forms, plus the word in the languages the email loop guard knows. */
const KEY = String.raw`(?:pass(?:word|wd|phrase|code)?|pwd|pw|pin|passwort|kennwort|mot de passe|contrase(?:ñ|n)a|wachtwoord|senha)`;
/** "password: X", "pw=X", "password - X" */
const EXPLICIT_SEP = String.raw`\s*[:=]\s*|\s+-\s+`;
/** "password is X", "password to X" (change my password to X), "password should be X" */
const VERBAL_SEP = String.raw`\s+(?:is|was|=|to|now is|is now|will be|would be|should be|shall be|becomes|of|ist|lautet|est|es|é|is nu)\s*:?\s+`;
const VALUE = String.raw`("[^"\n]{1,200}"|'[^'\n]{1,200}'|\u201c[^\u201d\n]{1,200}\u201d|\S+)`;
const PASSWORD_RE = new RegExp(String.raw`\b(${KEY})\b(${EXPLICIT_SEP}|${VERBAL_SEP})${VALUE}`, 'gi');
/** "password hunter2", "PIN 1234": no separator word, so only a value that looks like a secret (has a digit or symbol). */
const BARE_RE = new RegExp(String.raw`\b(${KEY})\b(\s+)(?!\[)(\S*[\d!@#$%^&*+=?~]\S*)`, 'gi');

/** Words that commonly follow "password is"/"password to" in sentences that carry no secret. */
const NOT_A_SECRET = new Set([
  'not', 'no', 'wrong', 'incorrect', 'invalid', 'expired', 'locked', 'blocked', 'working', 'broken', 'correct', 'right',
  'the', 'a', 'an', 'my', 'your', 'our', 'too', 'still', 'being', 'now', 'also', 'really', 'very', 'probably', 'same',
  'different', 'changed', 'reset', 'set', 'gone', 'missing', 'required', 'needed', 'weak', 'strong', 'long', 'short',
  'fine', 'ok', 'okay', 'compromised', 'stolen', 'leaked', 'it', 'this', 'that', 'there', 'what', 'which', 'how',
  'something', 'forgotten', 'lost', 'be', 'change', 'update', 'reset', 'recover', 'unlock', 'work', 'get', 'access',
  'login', 'log', 'sign', 'you', 'me', 'someone', 'anything', 'nothing', 'safe', 'secure', 'known', 'unknown', 'and',
  'or', 'but', 'for', 'in', 'on', 'at', 'with', 'please', 'again', 'help', 'new', 'old', 'current', 'temporary',
  'accepted', 'rejected', 'failing', 'case-sensitive', 'required.', 'wrong.', 'expired.', 'locked.', 'incorrect.',
]);

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function isSecretCandidate(value: string, explicit: boolean): boolean {
  const quoted = /^["'\u201c]/.test(value);
  if (quoted || explicit) return value.length > 0;
  const bare = value.toLowerCase().replace(/[.,!?;:)]+$/, '');
  if (bare.length === 0) return false;
  return !NOT_A_SECRET.has(bare) && !NOT_A_SECRET.has(value.toLowerCase());
}

/** Remove card numbers and passwords from a customer's text. Pure and deterministic. */
export function redactSecrets(input: string): Redacted {
  const kinds = new Set<RedactionKind>();
  let text = input.replace(PAN_RE, (match) => {
    const digits = match.replace(/[ .-]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    kinds.add('card');
    return CARD_PLACEHOLDER;
  });
  text = text.replace(PASSWORD_RE, (match, key: string, sep: string, value: string) => {
    const explicit = /[:=]|\s-\s/.test(sep) && !/\s(?:is|was|to)\b/i.test(sep);
    if (!isSecretCandidate(value, explicit)) return match;
    if (value === '[card' || value === '[password') return match; // already a placeholder
    kinds.add('password');
    return `${key}${sep}${PASSWORD_PLACEHOLDER}`;
  });
  text = text.replace(BARE_RE, (match, key: string, sep: string, value: string) => {
    const bare = value.replace(/[.,!?;:)]+$/, '');
    if (bare.length < 4 || /^T-\d+$/i.test(bare)) return match;
    kinds.add('password');
    return `${key}${sep}${PASSWORD_PLACEHOLDER}${value.slice(bare.length)}`;
  });
  return { text, kinds: [...kinds] };
}

/** What the customer is told (once per thread) after something was removed. */
export function secretWarning(kinds: RedactionKind[]): string {
  const what = kinds.includes('card') && kinds.includes('password')
    ? 'a card number and a password'
    : kinds.includes('card') ? 'a card number' : 'a password';
  return `For your safety I removed ${what} from your message. Please never send passwords or full card numbers in chat; we will never ask for them.`;
}

/**
 * Customer text must never pass for the system's own notices in the transcript (e.g. a fake "[System notice]
 * your request was approved"): any bracketed "system notice" the customer typed is marked as quoted.
 */
export function neutralizeNotices(text: string): string {
  return text.replace(/\[\s*system\s+notice\s*\]/gi, '[customer typed: system notice]');
}
