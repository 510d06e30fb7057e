import {
  isAttributionLine,
  isDelimiterLine,
  isEmptyLine,
  isHeaderLine,
  isMobileSignature,
  isQuoteLine,
  mayStartAttribution,
  opensAttribution,
  startsLikeAttribution,
  unquote,
} from './text-reply-patterns.js';

/**
 * Line classification for the reply stripper: e empty, d delimiter, s mobile signature, b attribution /
 * "original message" marker, h quoted mail header, q `>` quote, t text. Lines inside ``` fences are text.
 * Linear in the number of lines: each line is tested a bounded number of times with linear patterns.
 */
export type Kind = 'e' | 'd' | 's' | 'b' | 'h' | 'q' | 't';

const MAX_CLASSIFIED_LINE = 1000;
const ATTRIBUTION_JOIN_LINES = 5;

function classifyLine(line: string): Kind {
  if (line.length > MAX_CLASSIFIED_LINE) return isQuoteLine(line) ? 'q' : 't';
  if (isEmptyLine(line)) return 'e';
  if (isDelimiterLine(line)) return 'd';
  if (isMobileSignature(line)) return 's';
  if (isAttributionLine(line)) return 'b';
  if (isHeaderLine(line)) return 'h';
  if (isQuoteLine(line)) return 'q';
  return 't';
}

export function classify(lines: string[]): Kind[] {
  const kinds: Kind[] = [];
  let inFence = false;
  for (const line of lines) {
    if (/^\s{0,3}```/u.test(line)) {
      inFence = !inFence;
      kinds.push('t');
    } else kinds.push(inFence ? 't' : classifyLine(line));
  }
  // Attribution lines wrapped by the client over two or three lines ("On …, Someone <" / "x@y> wrote:").
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] ?? '';
    const nextLine = lines[i + 1] ?? '';
    const mayStart = mayStartAttribution(first) || (/\d/u.test(first) && /^\s*<[^\s<>@]+@/u.test(nextLine));
    if ((kinds[i] !== 't' && kinds[i] !== 'q') || first.length > 300 || !mayStart) continue;
    let joined = unquote(first);
    for (let k = 1; k < ATTRIBUTION_JOIN_LINES && i + k < lines.length; k++) {
      const next = lines[i + k] ?? '';
      const kind = kinds[i + k];
      const wrappedAddress = /^\s*<[^\s<>@]+@/u.test(next);
      if (next.length > 300 || kind === 'd' || kind === 'h' || (kind === 'b' && !opensAttribution(first) && !wrappedAddress)) break;
      if (kind === 'e') continue;
      if (startsLikeAttribution(next)) break;
      joined += ` ${unquote(next)}`;
      if (isAttributionLine(joined)) {
        for (let j = i; j <= i + k; j++) kinds[j] = 'b';
        i += k;
        break;
      }
    }
  }
  // A hard-wrapped quote line spilling over without its `>` ("> … Nullam pharetra d" / "ignissim odio?").
  for (let i = 1; i < kinds.length; i++) {
    if (kinds[i] === 't' && kinds[i - 1] === 'q' && (lines[i - 1] ?? '').length >= 60 && /^\p{Ll}/u.test(lines[i] ?? '')) kinds[i] = 'q';
  }
  // Quoted headers whose value wrapped onto the next line ("Subject: a long" / "subject" / "To: …").
  for (let i = 1; i < kinds.length; i++) {
    if (kinds[i] !== 't' || kinds[i - 1] !== 'h') continue;
    for (let j = i + 1; j < Math.min(kinds.length, i + 3); j++) {
      if (kinds[j] === 'h') {
        for (let m = i; m < j; m++) kinds[m] = 'h';
        break;
      }
      if (kinds[j] !== 't') break;
    }
  }
  return kinds;
}
