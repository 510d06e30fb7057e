/**
 * Knowledge-base text: Markdown into passages (paragraphs, and each list item on its own), and passages into
 * sentences for snippets. Sentences come from ICU's sentence segmenter (Intl.Segmenter), which keeps decimals
 * ("19.9% APR", "£5.50", "3.2") whole; abbreviations it breaks after ("e.g.", "Mr.", "vs.") are joined back.
 */
/** Abbreviations in any case. */
const ABBREVIATIONS = new Set(['e.g.', 'i.e.', 'etc.', 'vs.', 'approx.', 'incl.', 'excl.', 'nos.', 'tel.', 'ref.', 'dept.', 'fig.', 'cf.', 'a.m.', 'p.m.']);
/** Abbreviations only as written in title case ("Apr." is April, "APR." ends a sentence about interest). */
const TITLE_ABBREVIATIONS = new Set([
  'No.', 'Mr.', 'Mrs.', 'Ms.', 'Dr.', 'St.', 'Ltd.', 'Inc.', 'Co.',
  'Jan.', 'Feb.', 'Mar.', 'Apr.', 'Jun.', 'Jul.', 'Aug.', 'Sep.', 'Sept.', 'Oct.', 'Nov.', 'Dec.',
  'Mon.', 'Tue.', 'Tues.', 'Wed.', 'Thu.', 'Thur.', 'Thurs.', 'Fri.', 'Sat.', 'Sun.',
]);

/** Whether a segment ends in an abbreviation (or a single initial, "J.") rather than at the end of a sentence. */
function endsInAbbreviation(segment: string): boolean {
  const word = (/(\S+)\s*$/u.exec(segment)?.[1] ?? '').replace(/^[("'“‘[]+/u, '');
  return ABBREVIATIONS.has(word.toLowerCase()) || TITLE_ABBREVIATIONS.has(word) || /^[A-Z]\.$/u.test(word);
}

export function sentencesOf(text: string): string[] {
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: string[] = [];
  let carry = '';
  for (const { segment } of segmenter.segment(text)) {
    carry += segment;
    if (!endsInAbbreviation(segment)) {
      if (carry.trim()) out.push(carry.trim());
      carry = '';
    }
  }
  if (carry.trim()) out.push(carry.trim());
  return out;
}

const plain = (s: string) =>
  s
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/[*_`>]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/u;

/** Markdown → plain-text passages: paragraphs, with each list item its own passage; headings left out. */
export function passagesOf(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.split(/\n\s*\n/)) {
    const trimmed = block.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const lines = trimmed.split('\n');
    if (lines.some((l) => LIST_ITEM.test(l))) {
      // a list: each item (with its continuation lines) is a passage; text before the first item is one too
      let item: string[] = [];
      const flush = () => {
        const p = plain(item.join(' '));
        if (p) out.push(p);
        item = [];
      };
      for (const line of lines) {
        if (LIST_ITEM.test(line)) flush();
        item.push(line.replace(LIST_ITEM, ''));
      }
      flush();
    } else {
      const p = plain(trimmed);
      if (p) out.push(p);
    }
  }
  return out;
}
