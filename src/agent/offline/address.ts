/** Address parsing: "It's now 10 Downing Street, London, SW1A 2AA, GB" → structured address, or the parts found so far. */
import type { CountryLookup } from './countries.js';

export interface ParsedAddress { line1: string; line2?: string; city: string; region?: string; postalCode: string; country: string }
export type PartialAddress = Partial<ParsedAddress>;
export type AddressField = 'line1' | 'city' | 'postalCode' | 'country';
export const REQUIRED_FIELDS: readonly AddressField[] = ['line1', 'city', 'postalCode', 'country'];

const POSTAL_PATTERNS = [
  /\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b/i, // UK
  /\b([A-Z]\d[A-Z]\s?\d[A-Z]\d)\b/i, // Canada
  /\b([AC-FHKNPRTV-Y]\d{2}\s?[0-9AC-FHKNPRTV-Y]{4})\b/i, // Ireland (Eircode)
  /\b(\d{4}\s?[A-Z]{2})\b/i, // Netherlands
  /\b(\d{5}(?:-\d{4})?)\b/, // US / DE / FR / ES ...
  /\b(\d{3,4})\b/, // AU / NZ / CH / BE ...
];
/** Where the address starts: after "address is / to / :", "moved to", "it's now", "live at", "new place is"... (the last such cue). */
const CUE = /\b(?:(?:postal\s+)?address(?:\s+(?:is|to|as|should be|will be|now))*|addy|(?:moved|moving|move|relocated|relocating|changed|change)\s+to|(?:live|living|now)\s+at|it'?s(?:\s+now)?|it\s+is(?:\s+now)?|new\s+(?:place|home)(?:\s+is)?)\b\s*(?:[:=]|\s-\s)?\s*/gi;
const TRAILING = /(?:[.!,]?\s*\b(?:thanks|thank you|cheers|ta|please|pls|thx|now|soon|next (?:week|month)|from (?:monday|next week))\b[.!]*)+\s*$/i;
const UNIT_WORD = /^(?:flat|apt|apartment|unit|suite|no|number|house|building)$/i;
const NOT_START = /^(?:it'?s|is|to|at|i|my|now|new|the|address|and)$/i;
const SENTENCE_LIKE = /\b(?:my|me|i|i'?m|i'?ve|we|need|want|please|pls|change|update|address|moving|moved|soon|thanks|is|are|was|it|can|you)\b/i;
const STREET_WORD = /\b(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|place|pl|court|ct|terrace|grove|blvd|boulevard|square|sq|crescent|gardens|hill|view|loop|row|walk|str|stra(?:ss|ß)e|calle|rue|via|gracht)\b/i;

function fromCue(text: string): string {
  const segments = text.split(/(?<=[?])\s+|\n+/);
  const seg = [...segments].reverse().find((s) => /\d/.test(s)) ?? segments[segments.length - 1] ?? '';
  let start = 0;
  for (const m of seg.matchAll(CUE)) start = m.index + m[0].length;
  let rest = seg.slice(start).replace(TRAILING, '').trim().replace(/[.!]+$/, '').trim();
  const num = /(?<![\w-])\d+[A-Za-z]?\b/.exec(rest);
  if (num && num.index > 0) {
    const words = rest.slice(0, num.index).trim().split(/\s+/);
    const prev = words[words.length - 1] ?? '';
    const keepPrev = UNIT_WORD.test(prev) || (/^\p{Lu}/u.test(prev) && !NOT_START.test(prev) && !/[-:]$/.test(prev));
    if (!rest.slice(0, num.index).includes(',')) rest = keepPrev ? rest.slice(rest.lastIndexOf(prev, num.index)) : rest.slice(num.index);
  }
  return rest;
}

/** The address part of a request like "change my address to …" / "I moved to …"; undefined when it has no digits or commas. */
export function addressText(text: string): string | undefined {
  const raw = fromCue(text.trim());
  return raw && /\d|,/.test(raw) ? raw : undefined;
}

/** An address written out in `text` (at least "street with a number, more"): the text of it, or undefined. */
export function writtenAddress(text: string): string | undefined {
  const raw = addressText(text);
  const [first, ...rest] = raw?.split(',') ?? [];
  return first && rest.length && /\d/.test(first) && !SENTENCE_LIKE.test(first) ? raw : undefined;
}

export interface AddressReader {
  /** Whatever address parts `text` holds; `expect` names the fields just asked for (a lone "London" is then a city). */
  partial(text: string, expect?: readonly AddressField[]): PartialAddress;
  /** The complete address in `raw`, or undefined. */
  parse(raw: string): ParsedAddress | undefined;
}

export function createAddressReader(country: CountryLookup): AddressReader {
  const countryAtStart = (part: string): string | undefined => {
    const words = part.split(/\s+/);
    for (let n = Math.min(words.length, 5); n >= 1; n--) {
      const code = country(words.slice(0, n).join(' '));
      const rest = words.slice(n).join(' ');
      if (code && (!rest || (!/\d/.test(rest) && rest === rest.toLowerCase()))) return code;
    }
    return undefined;
  };
  const postalIn = (part: string) => {
    for (const re of POSTAL_PATTERNS) {
      const m = re.exec(part);
      if (m?.[1]) return { postalCode: m[1].toUpperCase().replace(/\s+/g, ' '), leftover: part.replace(m[1], ' ').replace(/\s+/g, ' ').trim() };
    }
    return undefined;
  };

  const partial = (text: string, expect: readonly AddressField[] = []): PartialAddress => {
    const parts = fromCue(text).split(/[,\n]/).map((p) => p.trim().replace(/[.!]+$/, '').trim()).filter((p) => p && (/\d/.test(p) || !SENTENCE_LIKE.test(p)));
    const out: PartialAddress = {};
    const last = parts[parts.length - 1];
    const code = last === undefined ? undefined : countryAtStart(last);
    if (code) {
      out.country = code;
      parts.pop();
    }
    if (!parts.length) return out;
    if (parts.length === 1) {
      const only = parts[0]!;
      const postal = STREET_WORD.test(only) || /^\d+[A-Za-z]?\s+\p{L}{3,}/u.test(only) ? undefined : postalIn(only);
      if (postal && !/\d/.test(postal.leftover)) return { ...out, postalCode: postal.postalCode, ...(postal.leftover ? { city: postal.leftover } : {}) };
      if (/\d/.test(only) || expect.includes('line1')) return { ...out, line1: only };
      if (expect.includes('city')) return { ...out, city: only };
      return out;
    }
    let pi = -1;
    let postal: ReturnType<typeof postalIn>;
    for (let i = parts.length - 1; i >= 1 && pi < 0; i--) {
      postal = postalIn(parts[i]!);
      if (postal) pi = i;
    }
    let cityIdx = parts.length - 1;
    if (postal && pi >= 1) {
      out.postalCode = postal.postalCode;
      const region = /^(?:(.*\S)\s+)?([A-Z]{2,3})$/.exec(postal.leftover);
      if (region?.[2] && (region[1] || pi >= 2)) {
        out.region = region[2];
        if (region[1]) [out.city, cityIdx] = [region[1], pi];
        else cityIdx = pi - 1;
      } else if (postal.leftover) [out.city, cityIdx] = [postal.leftover, pi];
      else cityIdx = pi - 1;
      if (cityIdx < pi) out.city = parts[cityIdx];
    } else out.city = parts[cityIdx];
    if (cityIdx === 0) delete out.city;
    const line1 = parts[0]!;
    if (/\d/.test(line1) || expect.includes('line1')) out.line1 = line1;
    const middle = parts.slice(1, Math.min(cityIdx, pi >= 1 ? pi : cityIdx));
    if (middle.length) out.line2 = middle.join(', ');
    if (out.city && /\d/.test(out.city)) delete out.city;
    return out;
  };

  return { partial, parse: (raw) => complete(partial(raw)) };
}

export function missingFields(a: PartialAddress): AddressField[] {
  return REQUIRED_FIELDS.filter((f) => !a[f]);
}

export function complete(a: PartialAddress): ParsedAddress | undefined {
  if (missingFields(a).length) return undefined;
  const out: ParsedAddress = { line1: a.line1!, city: a.city!, postalCode: a.postalCode!, country: a.country! };
  if (a.line2) out.line2 = a.line2;
  if (a.region) out.region = a.region;
  return out;
}

export function formatAddress(a: PartialAddress): string {
  return [a.line1, a.line2, a.city, [a.region, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}
