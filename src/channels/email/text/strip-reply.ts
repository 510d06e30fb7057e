import { classify, type Kind } from './text-reply-classify.js';

/**
 * Reply stripping: keep what the sender wrote in THIS message, drop quoted history, forwarded/embedded mail,
 * signatures after a `--` delimiter and mobile-client signatures.
 *
 * Each line is classified (text-reply-classify.ts); the cut points are then chosen from that sequence of kinds.
 * Time is bounded: the input is capped at `maxInputChars` before any pattern runs, over-long lines are not
 * pattern-matched, every pattern is linear (text-reply-patterns.ts) and every pass over the lines is linear.
 */
export interface StripReplyOptions {
  /** Input beyond this many characters is dropped before any pattern runs. Default 100 000. */
  maxInputChars?: number;
}

const HEADER_BLOCK_WINDOW = 8;
const HEADER_BLOCK_MIN = 3;

/**
 * For each line: is an attribution there followed (past blank lines and other attributions) by a `>` quote and
 * then more of the sender's own text, i.e. an interleaved reply rather than quoted history? Linear, from the right.
 */
function interleavedAttributions(kinds: Kind[]): boolean[] {
  const out = new Array<boolean>(kinds.length).fill(false);
  let textAfter = false;
  let nextContent: Kind | undefined;
  let textAfterNextContent = false;
  for (let i = kinds.length - 1; i >= 0; i--) {
    const k = kinds[i];
    if (k === 'b') out[i] = nextContent === 'q' && textAfterNextContent;
    if (k !== 'e' && k !== 'b') {
      nextContent = k;
      textAfterNextContent = textAfter;
    }
    if (k === 't') textAfter = true;
  }
  return out;
}

/** From `from` on, does a `>` quote come and then more text (an interleaved reply)? Linear scan. */
function hasTextAfterQuote(kinds: Kind[], from: number): boolean {
  let sawQuote = false;
  for (let j = from; j < kinds.length; j++) {
    if (kinds[j] === 'q') sawQuote = true;
    else if (kinds[j] === 't' && sawQuote) return true;
  }
  return false;
}

function isHeaderBlockStart(kinds: Kind[], i: number): boolean {
  if (kinds[i] !== 'h') return false;
  let count = 0;
  for (let j = i; j < Math.min(kinds.length, i + HEADER_BLOCK_WINDOW); j++) if (kinds[j] === 'h') count++;
  return count >= HEADER_BLOCK_MIN;
}

export function stripReply(input: string, options: StripReplyOptions = {}): string {
  const max = options.maxInputChars ?? 100_000;
  const text = (input.length > max ? input.slice(0, max) : input).replace(/\r\n?/gu, '\n');
  if (text.trim() === '') return '';
  let lines = text.split('\n');
  let kinds = classify(lines);

  // Everything after the first delimiter (`--`, `____`, …) is a signature or an embedded message.
  const firstDelimiter = kinds.indexOf('d');
  if (firstDelimiter >= 0) {
    lines = lines.slice(0, firstDelimiter);
    kinds = kinds.slice(0, firstDelimiter);
  }
  // A mobile-client signature after the sender's text ends the message (clients put the quoted history below it);
  // mobile signatures anywhere else are dropped.
  const firstText = kinds.indexOf('t');
  const firstSignature = kinds.indexOf('s', Math.max(0, firstText));
  if (firstText >= 0 && firstSignature > firstText) {
    lines = lines.slice(0, firstSignature);
    kinds = kinds.slice(0, firstSignature);
  }
  lines = lines.filter((_, i) => kinds[i] !== 's');
  kinds = kinds.filter((k) => k !== 's');

  // Bottom-posting: attribution + quote first, the new text after it.
  let start = 0;
  const firstContent = kinds.findIndex((k) => k !== 'e');
  if (firstContent >= 0 && kinds[firstContent] === 'b') {
    let i = firstContent;
    while (i < kinds.length && kinds[i] !== 't') i++;
    // …unless quotes come back after the text: then it is an interleaved reply and the quotes give it context.
    if (i < kinds.length && !hasTextAfterQuote(kinds, i)) start = i;
  }
  // Top-posting: the first attribution or quoted header block after some text ends the new message.
  let end = kinds.length;
  let sawText = false;
  const interleaved = interleavedAttributions(kinds);
  for (let i = start; i < kinds.length; i++) {
    if (kinds[i] === 't') sawText = true;
    else if (sawText && ((kinds[i] === 'b' && !interleaved[i]) || isHeaderBlockStart(kinds, i))) {
      end = i;
      break;
    }
  }
  let keptLines = lines.slice(start, end);
  let keptKinds = kinds.slice(start, end);
  // Stray attribution lines (e.g. inside a quote that stays) are dropped.
  keptLines = keptLines.filter((_, i) => keptKinds[i] !== 'b');
  keptKinds = keptKinds.filter((k) => k !== 'b');
  // Trailing quotes go when the sender wrote something of their own; blank and bare `>` lines at either end go too.
  const hasText = keptKinds.includes('t');
  let first = 0;
  let last = keptKinds.length;
  while (last > 0 && (keptKinds[last - 1] === 'e' || (hasText && keptKinds[last - 1] === 'q'))) last--;
  while (first < last && keptKinds[first] === 'e') first++;
  return keptLines.slice(first, last).join('\n').trim();
}
