/**
 * Secrets introduced by a label: "my password is X", "the pass I use is "X"", "PIN: 1234", "cvv 123",
 * "the 3 digits on the back are 123", "OTP: 482913", "my code is 482913", "API key: X", and the reverse
 * ("482913 is my code"). Only the value is replaced; the label stays, so the sentence still reads.
 */
import type { RedactionKind, Span } from './kinds.js';
import {
  ANY_VALUE, BARE, CVV_KEYS, CVV_VALUE, EXPLICIT, FILLER, I_USE, NOT_AFTER_CVV, OTP_KEYS, OTP_VALUE, PASSWORD_KEYS, PIN_KEYS,
  PIN_VALUE, TOKEN_KEYS, VERBAL, WEAK_KEYS,
} from './labels.js';
import { credentialLike, isPlaceholder, isProse, isQuoted, plainWordSecret, stripTrailing } from './values.js';

type Form = 'explicit' | 'verbal' | 'bare';
interface Found { label: string; filler: string; form: Form; value: string; after: string }
interface LabelRule { re: RegExp; judge(f: Found): RedactionKind | undefined }

const NOT_WORD_BEFORE = String.raw`(?<![\p{L}\p{N}])`;
const NOT_WORD_AFTER = String.raw`(?![\p{L}\p{N}])`;
const iUse = new RegExp(I_USE, 'u');

/**
 * The patterns run on a lower-cased copy of the text with the same offsets: case-insensitive Unicode patterns
 * this size take V8 hundreds of milliseconds to compile. Only U+0130 (İ) lower-cases to two characters.
 */
export function foldCase(text: string): string {
  return (text.includes('\u0130') ? text.replace(/\u0130/g, 'i') : text).toLowerCase();
}

function rule(keys: string, value: string, bare: boolean, judge: LabelRule['judge'], before = ''): LabelRule {
  const source = `${before}${NOT_WORD_BEFORE}(${keys})${NOT_WORD_AFTER}`
    + `(?:(${FILLER})(?:(${EXPLICIT})|(${VERBAL}))|(${bare ? BARE : '(?!)'}))(${value})`;
  return { re: new RegExp(source, 'gu'), judge };
}

/** An API key or token: one unbroken run of key characters with letters and digits (or a long one). */
export function tokenLike(raw: string, min: number): boolean {
  const v = isQuoted(raw) ? raw.slice(1, -1) : stripTrailing(raw);
  if (v.length < min || isPlaceholder(v) || !/^[A-Za-z0-9_\-./+=~:]+$/.test(v) || /^https?:/i.test(v)) return false;
  return (/\d/.test(v) && /[A-Za-z]/.test(v)) || (v.length >= 24 && /[A-Z]/.test(v) && /[a-z]/.test(v));
}

function judgePassword(f: Found): RedactionKind | undefined {
  const v = f.value;
  if (isPlaceholder(v)) return undefined;
  if (isQuoted(v)) return 'password';
  if (f.form === 'explicit') return isProse(v) ? undefined : 'password';
  if (f.form === 'verbal') return credentialLike(v) || plainWordSecret(v, f.after) ? 'password' : undefined;
  return credentialLike(v) ? 'password' : undefined;
}

function judgeWeak(f: Found): RedactionKind | undefined {
  const v = f.value;
  if (isPlaceholder(v)) return undefined;
  if (tokenLike(v, 16)) return /secret/i.test(f.label) ? 'token' : 'password';
  if (isQuoted(v) || credentialLike(v)) return 'password';
  // "pass: sunshine", "the pass I use is sunshine"; never "my secret is that..."
  const sure = f.form === 'explicit' || iUse.test(f.filler);
  return sure && plainWordSecret(v, f.after) ? 'password' : undefined;
}

function judgeOtp(f: Found): RedactionKind | undefined {
  if (f.form === 'bare' && f.label.toLowerCase() === 'code') {
    const digits = f.value.replace(/\D/gu, '').length;
    if (digits < 4 || digits > 8) return undefined;
  }
  return 'one_time_code';
}

function judgeToken(f: Found): RedactionKind | undefined {
  if (!tokenLike(f.value, f.form === 'bare' ? 16 : 10)) return undefined;
  return /private/i.test(f.label) ? 'private_key' : 'token';
}

const RULES: LabelRule[] = [
  rule(PASSWORD_KEYS, ANY_VALUE, true, judgePassword),
  rule(WEAK_KEYS, ANY_VALUE, false, judgeWeak),
  rule(PIN_KEYS, PIN_VALUE, true, () => 'password'),
  rule(CVV_KEYS, CVV_VALUE, true, () => 'security_code', NOT_AFTER_CVV),
  rule(OTP_KEYS, OTP_VALUE, true, judgeOtp),
  rule(TOKEN_KEYS, ANY_VALUE, true, judgeToken),
];

/** Scripts without spaces between words: 密码是abc123, パスワード：abc123, 验证码：482913. */
const CJK_IS = String.raw`\s*(?:是|为|為|は|：|:|=|는|은|을|를|이|가)?\s*`;
const CJK: Array<[RegExp, RedactionKind]> = [
  [new RegExp(String.raw`(?:密码|密碼|口令|パスワード|비밀번호|暗証番号)${CJK_IS}([\x21-\x7e]{3,})`, 'gu'), 'password'],
  [new RegExp(String.raw`(?:验证码|驗證碼|校验码|動態密碼|动态密码|認証コード|確認コード|ワンタイムパスワード|인증번호|인증 번호)${CJK_IS}(\p{Nd}{4,10})`, 'gu'), 'one_time_code'],
];

/**
 * "hunter2 is my password", "482913 is the code", "G-482913 is your Google verification code". The value is one
 * word: a quoted phrase here would make every word that opens with a quote a candidate.
 */
const REVERSE_VALUE = String.raw`\S{1,200}`;
const ALL_KEYS = [PASSWORD_KEYS, PIN_KEYS, CVV_KEYS, OTP_KEYS, TOKEN_KEYS, WEAK_KEYS].join('|');
const REVERSE = new RegExp(
  String.raw`(?<!\S)(${REVERSE_VALUE})\s+(?:is|was|are|as|=)\s+(?:(?:my|the|our|your)\s+)?`
    + String.raw`(?:[^\s\d]{1,20}\s+){0,2}(${ALL_KEYS})${NOT_WORD_AFTER}`,
  'gu',
);
const anchored = (keys: string) => new RegExp(`^(?:${keys})$`, 'u');
const REVERSE_JUDGES: Array<[RegExp, (v: string) => RedactionKind | undefined]> = [
  [anchored(PIN_KEYS), (v) => (/^\p{Nd}{3,12}$/u.test(v) ? 'password' : undefined)],
  [anchored(CVV_KEYS), (v) => (/^\p{Nd}{3,4}$/u.test(v) ? 'security_code' : undefined)],
  [anchored(OTP_KEYS), (v) => (/^(?:[A-Z]-)?\p{Nd}{4,10}$/iu.test(v) ? 'one_time_code' : undefined)],
  [anchored(TOKEN_KEYS), (v) => (tokenLike(v, 10) ? 'token' : undefined)],
  [anchored(`${PASSWORD_KEYS}|${WEAK_KEYS}`), (v) => (isQuoted(v) || credentialLike(v) ? 'password' : undefined)],
];

/** The value ends at `valueEnd`; sentence punctuation after it stays. */
function valueSpan(valueEnd: number, value: string, kind: RedactionKind, out: Span[]): void {
  const kept = stripTrailing(value);
  const start = valueEnd - value.length;
  out.push({ start, end: start + kept.length, kind });
}

export function findLabelled(text: string, out: Span[]): void {
  const lower = foldCase(text);
  for (const r of RULES) {
    for (const m of lower.matchAll(r.re)) {
      const end = m.index + m[0].length;
      const value = text.slice(end - (m[6] ?? '').length, end);
      const form: Form = m[3] !== undefined ? 'explicit' : m[4] !== undefined ? 'verbal' : 'bare';
      const kind = r.judge({ label: m[1] ?? '', filler: m[2] ?? '', form, value, after: text.slice(end, end + 40) });
      if (kind) valueSpan(end, value, kind, out);
    }
  }
  for (const [re, kind] of CJK) {
    for (const m of text.matchAll(re)) {
      const value = m[1] ?? '';
      if (!isPlaceholder(value)) valueSpan(m.index + m[0].length, value, kind, out);
    }
  }
  for (const m of lower.matchAll(REVERSE)) {
    const value = stripTrailing(text.slice(m.index, m.index + (m[1] ?? '').length));
    const key = m[2] ?? '';
    const judge = REVERSE_JUDGES.find(([re]) => re.test(key))?.[1];
    const kind = judge && !isPlaceholder(value) ? judge(value) : undefined;
    if (kind) out.push({ start: m.index, end: m.index + value.length, kind });
  }
}
