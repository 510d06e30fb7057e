/** Splitting one message into the separate requests it may hold: sentences, then commas, "and", "also", "plus", "then". */

const SENTENCE = /(?<=[?!:])\s+|(?<=\.)\s+(?=[A-Z])|\s*[;\n]+\s*/;
const JOINER = /\s*,?\s*\b(?:and also|and then|as well as|and|also|plus|then)\b\s*|\s*&\s*|\s*,\s*|\s+[-–—]\s+/i;

/** The message's parts, in order, with empty and punctuation-only parts dropped (at most 6). */
export function splitRequests(text: string): string[] {
  const parts: string[] = [];
  for (const sentence of text.split(SENTENCE)) {
    for (const part of sentence.split(JOINER)) {
      const p = part.trim().replace(/^[,.\-–—:]+\s*/, '');
      if (/[A-Za-z0-9]/.test(p)) parts.push(p);
    }
  }
  return parts.slice(0, 6);
}
