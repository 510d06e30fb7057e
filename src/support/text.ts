/** Small text tools shared by analytics and the knowledge base: tokenize, stopwords, light stemming. */

const STOPWORDS = new Set(
  ('a an and are as at be been but by can could did do does for from had has have how i if in into is it its just me my ' +
    'of on or our so than that the their them then there these they this to too was we were what when where which who why ' +
    'will with would you your yours am im ive id dont cant please hi hello thanks thank').split(' '),
);

/** Strip common English suffixes so "charges", "charged", "charging" meet at "charg". */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  for (const suffix of ['ness', 'ing', 'edly', 'ed', 'ly', 'es', 's']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** Lowercase words (letters/digits, apostrophes dropped). */
export function words(text: string): string[] {
  return text.toLowerCase().replace(/['’]/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Words minus stopwords, stemmed: the terms for matching and ranking. */
export function terms(text: string): string[] {
  return words(text).filter((w) => !STOPWORDS.has(w)).map(stem);
}
