/**
 * Card numbers (PANs): 13-19 digits in any script, written whole or in groups separated by spaces, dashes, dots,
 * slashes or underscores (full-width ones too). A group pattern card issuers print (4-4-4-4, 4-6-5...) and a
 * card-network first digit are required; then the Luhn check, or a card word just before a mistyped one.
 * IBANs, and numbers introduced as an order, account, phone or reference number, are left alone.
 */
import { asciiDigits, ibanValid, luhnValid } from './digits.js';
import type { Span } from './kinds.js';

const SEP = String.raw`[\s._/\-\u00ad\u200b-\u200d\u2060\ufeff\u2010-\u2015\u2212\uff0d\uff0e\uff0f\uff3f]`;
/** A maximal run of digits joined by at most three separator characters at a time. */
const RUN = new RegExp(String.raw`(?<![\p{L}\p{N}+])\p{Nd}(?:${SEP}{0,3}\p{Nd})*`, 'gu');
/** IBAN-shaped: country, check digits, then groups of four (spaced or not). Validated by mod 97 below. */
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\p{L}\p{N}])/gu;

const CARD_WORDS = /(?:card|visa|master\s?card|amex|american\s+express|discover|maestro|debit|credit|cc|pan|jcb|diners|unionpay)/iu;
const OTHER_WORDS = /(?:order|invoice|ref(?:erence)?|tracking|account|acct|a\/c|iban|routing|sort\s+code|phone|tel|mobile|cell|fax|ticket|case|confirmation|transaction|txn|parcel|shipment|policy|member(?:ship)?|customer|serial|imei|isbn)/iu;
const CONTEXT_WORD = new RegExp(String.raw`(?<!\p{L})(?:${CARD_WORDS.source}|${OTHER_WORDS.source})s?(?!\p{L})`, 'giu');
const IS_CARD_WORD = new RegExp(String.raw`^${CARD_WORDS.source}s?$`, 'iu');

/** Digit groups of one run as parallel arrays of small integers (no object per group: runs can be 100,000 digits). */
interface Groups { start: number[]; end: number[]; len: number[] }

function ibanRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of text.matchAll(IBAN)) {
    if (ibanValid(m[0].replace(/ /g, ''))) out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** Which kind of number the nearest word before `at` (within 40 characters) introduces. */
function contextBefore(text: string, at: number): 'card' | 'other' | 'none' {
  const before = text.slice(Math.max(0, at - 40), at);
  let last: string | undefined;
  for (const m of before.matchAll(CONTEXT_WORD)) last = m[0];
  if (last === undefined) return 'none';
  return IS_CARD_WORD.test(last) ? 'card' : 'other';
}

const ND = /^\p{Nd}$/u;

function isDigitAt(cp: number): boolean {
  return (cp >= 48 && cp <= 57) || (cp > 127 && ND.test(String.fromCodePoint(cp)));
}

/** The digit groups of a run, by hand: a regex match object per group is too slow for runs of 100,000 digits. */
function groupsOf(run: string, offset: number): Groups {
  const g: Groups = { start: [], end: [], len: [] };
  let open = false;
  for (let i = 0; i < run.length;) {
    const cp = run.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    if (isDigitAt(cp)) {
      if (!open) {
        g.start.push(offset + i);
        g.end.push(offset + i);
        g.len.push(0);
        open = true;
      }
      const k = g.len.length - 1;
      g.end[k] = offset + i + width;
      g.len[k] = (g.len[k] ?? 0) + 1;
    } else {
      open = false;
    }
    i += width;
  }
  return g;
}

/**
 * The last group of the longest card-shaped window starting at group `i` that is a card: one group of 13-19
 * digits, or groups of four ending in a group of one to four (4-4-4-4, 4-4-4-4-3, 4-4-4-1), or 4-6-5 / 4-6-4.
 */
function cardFrom(text: string, g: Groups, i: number, runStart: number): number | undefined {
  const first = g.len[i] ?? 0;
  const from = g.start[i] ?? 0;
  if (first >= 13 && first <= 19) return isCard(text, from, g.end[i] ?? 0, false, runStart) ? i : undefined;
  if (first !== 4) return undefined;
  if (g.len[i + 1] === 6) {
    const third = g.len[i + 2];
    return (third === 4 || third === 5) && isCard(text, from, g.end[i + 2] ?? 0, true, runStart) ? i + 2 : undefined;
  }
  let best: number | undefined;
  let total = 4;
  for (let j = i + 1; j < g.len.length && j <= i + 4; j++) {
    const l = g.len[j] ?? 0;
    if (l < 1 || l > 4) break;
    total += l;
    if (total >= 13 && total <= 19 && isCard(text, from, g.end[j] ?? 0, true, runStart)) best = j;
    if (l !== 4) break;
  }
  return best;
}

/**
 * A card number typed in odd groups ("4111 11 11 1111 1111") right after a card word: the groups from the start of
 * the run that add up to 13-19 digits and pass the Luhn check.
 */
function irregularCard(text: string, g: Groups): number | undefined {
  const from = g.start[0] ?? 0;
  if (contextBefore(text, from) !== 'card') return undefined;
  let best: number | undefined;
  let total = 0;
  for (let j = 0; j < g.len.length && total <= 19; j++) {
    total += g.len[j] ?? 0;
    if (total < 13 || total > 19) continue;
    const digits = asciiDigits(text.slice(from, g.end[j] ?? 0));
    if ('23456'.includes(digits[0] ?? '0') && luhnValid(digits)) best = j;
  }
  return best;
}

/** Whether the digits from `start` to `end` are a card number (`grouped`: written in groups; `runStart`: where their run starts). */
function isCard(text: string, start: number, end: number, grouped: boolean, runStart: number): boolean {
  const digits = asciiDigits(text.slice(start, end));
  if (!'23456'.includes(digits[0] ?? '0')) return false;
  const luhn = luhnValid(digits);
  if (luhn && grouped) return true;
  if (!luhn && digits.length !== 15 && digits.length !== 16) return false;
  // deep inside a long run of digits there is no word to look at
  const ctx = start - runStart >= 40 ? 'none' : contextBefore(text, start);
  return luhn ? ctx !== 'other' : ctx === 'card';
}

export function findCards(text: string, out: Span[]): void {
  const ibans = ibanRanges(text);
  let k = 0; // runs and IBANs both come in text order
  for (const m of text.matchAll(RUN)) {
    const start = m.index;
    const end = start + m[0].length;
    while (k < ibans.length && (ibans[k]?.[1] ?? 0) <= start) k++;
    const iban = ibans[k];
    if (iban && iban[0] < end) continue;
    const g = groupsOf(m[0], start);
    for (let i = 0; i < g.len.length;) {
      const j = cardFrom(text, g, i, start) ?? (i === 0 ? irregularCard(text, g) : undefined);
      if (j === undefined) {
        i++;
        continue;
      }
      out.push({ start: g.start[i] ?? 0, end: g.end[j] ?? 0, kind: 'card' });
      i = j + 1;
    }
  }
}
