/**
 * Cleaning a customer message before it is read: chat abbreviations ("hw", "pls", "pw") expanded, misspelt domain
 * words ("blance", "trasactions", "adress", "pasword") corrected by edit distance against the domain vocabulary,
 * and, for the classifier only, ticket ids, emails and card numbers replaced by placeholder words.
 */
import { CARD_PLACEHOLDER } from '../../support/redact/kinds.js';
import { writtenAddress } from './address.js';
import type { NluData } from './nlu-data.js';

export interface Normalised {
  /** The message with abbreviations and typos fixed, otherwise as written. */
  text: string;
  /** Lower case, with placeholders for ids, emails, card numbers and a postal address: what the classifier sees. */
  forClassifier: string;
  /** The share (0-1) of the message's content words that occur in the training data; 1 for a message of only small words. */
  coverage: number;
}

export type Normalise = (raw: string) => Normalised;

/** Optimal-string-alignment distance (a swap of two neighbouring letters counts 1), stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

const WORD = /(?<![\w'-])[A-Za-z][A-Za-z']*(?![\w'-])/g;
const PLACEHOLDERS = ['cardnumber', 'ticketref', 'emailaddress', 'postaladdress'];
const SMALL_WORDS: readonly string[] = ('a an the i me my mine we our us you your it its this that these those is are am was were be been do does did to of in on ' +
  'for with and or but so at by from up out about as if then there here can could would will should shall may might must just now ' +
  'please pls hi hey hello ok okay yes no not any some all what how when where which who why have has had get got').split(' ');
/** Crude stem for the coverage check only ("payments" ~ "payment", "charged" ~ "charge"). */
const stem = (w: string) => w.replace(/'s$/, '').replace(/(?:ing|ed|es|s|ly)$/, '');

/** The message with a postal address it holds replaced by one placeholder word (the address is a slot, not wording). */
export function maskAddress(text: string): string {
  const addr = writtenAddress(text);
  return addr ? text.replace(addr, 'postaladdress') : text;
}
const FULL_CARD = /\b(?:\d[ -]?){12,18}\d\b/g;

export function createNormaliser(data: NluData): Normalise {
  const known = new Set<string>(data.keywords);
  for (const list of Object.values(data.intents)) for (const u of list) for (const w of u.toLowerCase().match(/[a-z']+/g) ?? []) known.add(w);
  for (const v of Object.values(data.abbreviations)) for (const w of v.split(' ')) known.add(w);
  const knownStems = new Set([...known].map(stem));
  const abbreviations = new Map(Object.entries(data.abbreviations));
  const corrections = new Map<string, string | null>();

  const correct = (w: string): string | undefined => {
    if (w.length < 5 || known.has(w)) return undefined;
    const cached = corrections.get(w);
    if (cached !== undefined) return cached ?? undefined;
    const max = w.length >= 8 ? 2 : 1;
    let best: string | undefined;
    let bestD = max + 1;
    for (const k of data.keywords) {
      if (k[0] !== w[0]) continue;
      const d = editDistance(w, k, max);
      if (d < bestD) [best, bestD] = [k, d];
    }
    corrections.set(w, best ?? null);
    return best;
  };

  return (raw) => {
    // "un-freeze", "un-block": one word, as the training data writes it.
    const text = raw.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\b(un|re)-(?=[a-z])/gi, '$1').replace(WORD, (word) => {
      const w = word.toLowerCase();
      return abbreviations.get(w) ?? correct(w) ?? word;
    });
    const forClassifier = maskAddress(text)
      .split(CARD_PLACEHOLDER).join(' cardnumber ')
      .replace(FULL_CARD, ' cardnumber ')
      .replace(/\bT-\d{1,9}\b/gi, ' ticketref ')
      .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, ' emailaddress ')
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim();
    const content = (forClassifier.match(/[a-z][a-z']+/g) ?? []).filter((w) => !SMALL_WORDS.includes(w) && !PLACEHOLDERS.includes(w));
    const coverage = content.length ? content.filter((w) => known.has(w) || knownStems.has(stem(w))).length / content.length : 1;
    return { text, forClassifier, coverage };
  };
}
