/** What redaction can remove, the placeholder each leaves, and what the customer is told. */

/** In the order the warning names them. */
export const REDACTION_KINDS = ['card', 'security_code', 'password', 'one_time_code', 'token', 'private_key'] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];

export interface Redacted {
  text: string;
  /** What was removed (each kind at most once, in REDACTION_KINDS order). Empty when nothing was. */
  kinds: RedactionKind[];
}

/** A stretch of the input to replace with the placeholder of `kind` (`end` exclusive, UTF-16 offsets). */
export interface Span { start: number; end: number; kind: RedactionKind }

export const CARD_PLACEHOLDER = '[card number removed]';
export const PASSWORD_PLACEHOLDER = '[password removed]';
export const SECURITY_CODE_PLACEHOLDER = '[security code removed]';
export const ONE_TIME_CODE_PLACEHOLDER = '[one-time code removed]';
export const TOKEN_PLACEHOLDER = '[access token removed]';
export const PRIVATE_KEY_PLACEHOLDER = '[private key removed]';

export const PLACEHOLDERS: Record<RedactionKind, string> = {
  card: CARD_PLACEHOLDER,
  security_code: SECURITY_CODE_PLACEHOLDER,
  password: PASSWORD_PLACEHOLDER,
  one_time_code: ONE_TIME_CODE_PLACEHOLDER,
  token: TOKEN_PLACEHOLDER,
  private_key: PRIVATE_KEY_PLACEHOLDER,
};

/** When two findings overlap, the merged stretch takes the kind that says most (a key pasted after "password:" is a key). */
export const PRIORITY: Record<RedactionKind, number> = {
  password: 1, one_time_code: 2, security_code: 3, card: 4, token: 5, private_key: 6,
};

const NAMES: Record<RedactionKind, string> = {
  card: 'a card number',
  security_code: 'a card security code',
  password: 'a password',
  one_time_code: 'a one-time code',
  token: 'an access token or API key',
  private_key: 'a private key',
};

function listOf(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'a secret';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What the customer is told (once per thread) after something was removed, naming each kind. */
export function secretWarning(kinds: readonly RedactionKind[]): string {
  const present = REDACTION_KINDS.filter((k) => kinds.includes(k));
  let text = `For your safety I removed ${listOf(present.map((k) => NAMES[k]))} from your message. `
    + 'Please never send passwords or full card numbers in chat; we will never ask for them.';
  if (present.includes('one_time_code') || present.includes('security_code')) {
    text += ' Never share security codes or one-time codes with anyone, including us.';
  }
  if (present.includes('token') || present.includes('private_key')) {
    text += ' A key or token sent in a message should be treated as exposed: revoke it and create a new one.';
  }
  return text;
}
