/**
 * Judging the word after "password is", "code:" and the like: a secret, or the rest of an ordinary sentence
 * ("my password is not working", "my secret is that I love cats")?
 */

/** Sentence punctuation that ends a value without being part of it ("my PIN is 1234." keeps the full stop). */
const TRAILING = /[.,;:?)\]}>»。，、；：？）]+$/u;
const QUOTED = /^(?:"[^"]*"|'[^']*'|\u201c[^\u201d]*\u201d|\u2018[^\u2019]*\u2019|«[^»]*»|「[^」]*」|`[^`]*`)$/u;

/** Words that follow "password is"/"code is" in sentences that carry no secret (compared lower-cased). */
const NOT_A_SECRET = new Set((
  'not no nope never wrong incorrect invalid valid expired expiring locked blocked working broken correct right the a an my your our their his her '
  + 'too still being now also really very probably same different changed reset set gone missing required needed weak strong long short fine '
  + 'ok okay compromised stolen leaked hacked it its this that these those there here what which how where when why who whose something '
  + 'forgotten forgot lost be change update recover unlock work get access login log sign you me him them someone anything nothing safe secure '
  + 'known unknown and or but for in on at with of from by as please again help new old current temporary accepted rejected failing '
  + 'case-sensitive sensitive simple easy hard difficult complex complicated good bad great blank empty free private secret hidden public '
  + 'personal mine yours definitely just only always usually sometimes asking saying showing telling taking given written shown '
  + 'false true null none undefined unclear confusing annoying useless unavailable disabled enabled active inactive pending sent coming '
  + 'well default original previous standard usual normal falsch vergessen gesperrt abgelaufen nicht faux oublié bloqué expiré pas incorrecto olvidado bloqueado equivocado errado'
).split(' '));

/** Words that start a new clause: an alphabetic value followed by one of these was the end of its own clause. */
const CLAUSE_STARTERS = new Set((
  'and but so or please pls plz thanks thank thx ty can could would will why what how is it i im i\'m i’m does doesnt doesn\'t doesn’t '
  + 'dont don\'t don’t if then when because cause since yet btw also now still help kindly can\'t can’t cant and/or'
).split(' '));

/** Common tokens with digits that are not secrets ("password 2FA", "PIN 4-digit"). */
const SAFE_TOKENS = /^(?:[23]fa|mfa|otp|sms|2-?step|2-?factor|3ds?|24\/7|wi-?fi|4-digit|6-digit|\d+(?:st|nd|rd|th|x|am|pm|h|hrs?|min|mins|days?|chars?|characters?|digits?)|T-\d+|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{2}-\d{2})$/i;

export function stripTrailing(value: string): string {
  if (QUOTED.test(value)) return value;
  return value.replace(TRAILING, '');
}

export function isQuoted(value: string): boolean {
  return value.length >= 3 && QUOTED.test(value);
}

/** Text another redaction already left (running twice changes nothing). */
export function isPlaceholder(value: string): boolean {
  return value.startsWith('[') || value.includes('removed]');
}

/** Shaped like a credential: digits with letters, symbols, odd capitals, or a long run of digits. */
export function credentialLike(raw: string): boolean {
  const v = stripTrailing(raw);
  if (v.length < 4 || isPlaceholder(v) || SAFE_TOKENS.test(v)) return false;
  if (isQuoted(v)) return true;
  const hasDigit = /\p{Nd}/u.test(v);
  const hasLetter = /\p{L}/u.test(v);
  if (hasDigit && hasLetter) return true;
  if (/^\p{Nd}+$/u.test(v)) return true;
  if (/[^\p{L}\p{N}'’-]/u.test(v)) return !/^\p{L}+[.!?]*$/u.test(v); // symbols inside, not just a word and its "!"
  if (/^\p{L}+(?:-\p{L}+)+$/u.test(v)) return false; // case-sensitive, e-mail
  return /\p{Ll}\p{Lu}/u.test(v) || /\p{Lu}{2}\p{Ll}/u.test(v); // hUnter, SunShine, PAssword
}

/** An ordinary word that, at the end of its clause, is most likely the password itself ("my password is sunshine"). */
export function plainWordSecret(raw: string, after: string): boolean {
  const v = stripTrailing(raw);
  if (!/^\p{L}{3,}$/u.test(v)) return false;
  const lower = v.toLowerCase();
  if (NOT_A_SECRET.has(lower) || /(?:ed|ing)$/.test(lower)) return false;
  return clauseEnds(after);
}

/** True when what follows a value closes the clause: end of text, punctuation, a line break, or a clause starter. */
export function clauseEnds(after: string): boolean {
  const m = /^[ \t]*(\S*)/u.exec(after.slice(0, 40));
  const next = m?.[1] ?? '';
  if (next === '' || /^[.,;:!?)\-–—]/u.test(next)) return true;
  return CLAUSE_STARTERS.has(next.toLowerCase().replace(/[.,!?]+$/u, ''));
}

/** A value that is plainly a word of the sentence ("not", "that"): never a secret on its own. */
export function isProse(raw: string): boolean {
  const v = stripTrailing(raw).replace(/^[([{]+/u, '').toLowerCase();
  return v === '' || NOT_A_SECRET.has(v);
}
