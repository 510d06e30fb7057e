/** Slot extraction by pattern: the values a request needs (ticket ids, card digits, emails, how many transactions). */
import { CARD_PLACEHOLDER } from '../../support/redact/kinds.js';

const FULL_CARD = /\b(?:\d[ -]?){12,18}\d\b/;
const WORD_NUMBERS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100, couple: 2, dozen: 12,
};
const NUMBER = `(\\d{1,3}|${Object.keys(WORD_NUMBERS).join('|')})`;
const ITEMS = '(?:transactions?|payments?|purchases?|charges?|debits?|things|items|entries|transfers?|ones)';
export const DEFAULT_TRANSACTIONS = 5;

export function emailIn(text: string): string | undefined {
  return /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/.exec(text)?.[0];
}

/** A full card number typed (or already removed by redaction): the assistant must refuse it. */
export function hasFullCardNumber(text: string): boolean {
  return FULL_CARD.test(text) || text.includes(CARD_PLACEHOLDER);
}

/** The last 4 digits of a card; never taken out of a full card number, a ticket id or a postcode-like run. */
export function last4In(text: string): string | undefined {
  if (hasFullCardNumber(text)) return undefined;
  const cued = /(?:ending|ends|end)(?:\s+(?:in|with))?\s*:?\s*(\d{4})\b|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of))?\s*:?\s*(\d{4})\b|\bcard\s*:?\s*(\d{4})\b/i.exec(text);
  const hit = cued?.[1] ?? cued?.[2] ?? cued?.[3];
  if (hit) return hit;
  return /(?<![\d-])\b(\d{4})\b(?![\d-])/.exec(text)?.[1];
}

/** Ticket ids (T-1014), upper case, in order, without repeats. */
export function ticketIdsIn(text: string): string[] {
  return [...new Set((text.match(/\bT-\d{1,9}\b/gi) ?? []).map((t) => t.toUpperCase()))];
}

const toNumber = (s: string): number => WORD_NUMBERS[s.toLowerCase()] ?? Number(s);

/** How many transactions: "last 10", "ten most recent payments", "my last payment" (1); default 5. */
export function transactionLimit(text: string): number {
  const t = text.toLowerCase();
  const m = new RegExp(`\\b(?:last|past|latest|recent|previous|most recent|top|first)\\s+${NUMBER}\\b`).exec(t) ??
    new RegExp(`\\b${NUMBER}\\s+(?:of\\s+)?(?:my\\s+)?(?:most\\s+)?(?:recent\\s+|latest\\s+|last\\s+|previous\\s+)?(?:card\\s+)?${ITEMS}\\b`).exec(t) ??
    new RegExp(`\\b${NUMBER}\\s+things\\s+i\\b`).exec(t);
  if (m?.[1]) return Math.min(Math.max(toNumber(m[1]), 1), 100);
  if (/\b(?:last|latest|most recent|previous)\s+(?:transaction|payment|purchase|charge|debit|deposit)\b(?!s)/.test(t)) return 1;
  return DEFAULT_TRANSACTIONS;
}

/** A card brand named in the text (keys of the data's `brands`). */
export function brandIn(text: string, brands: Readonly<Record<string, string>>): string | undefined {
  for (const [brand, pattern] of Object.entries(brands)) if (new RegExp(pattern, 'i').test(text)) return brand;
  return undefined;
}
