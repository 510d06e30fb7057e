/**
 * Figures in the knowledge base reach customers (and the model) exactly as written: every number in every article
 * survives search unchanged ("19.9% APR" never becomes "9% APR"), and snippets carry no number the article lacks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passagesOf, sentencesOf } from '../../src/support/kb-text.js';
import { makeSupport } from './fixture.js';

const KB = 'data/kb';
const NUMBER = /(?<![\w.,])[£$€]?\d+(?:[.,:]\d+)*%?/gu;
const numbersIn = (s: string) => s.match(NUMBER) ?? [];

describe('knowledge base figures', async () => {
  const { support } = await makeSupport();
  const articles = readdirSync(KB).filter((f) => f.endsWith('.md')).map((f) => ({ id: f.slice(0, -3), text: readFileSync(join(KB, f), 'utf8') }));

  it('every number in every article comes back whole in a snippet when asked about its sentence', () => {
    let checked = 0;
    for (const a of articles) {
      const figures = new Set(numbersIn(a.text));
      for (const passage of passagesOf(a.text)) {
        for (const sentence of passage.length <= 300 ? [passage] : sentencesOf(passage)) {
          const numbers = numbersIn(sentence);
          if (numbers.length === 0) continue;
          const hit = support.kb.search(sentence.slice(0, 500), 10).find((h) => h.articleId === a.id);
          expect(hit, `${a.id}: "${sentence}"`).toBeDefined();
          // the snippet may be cut at 300 characters, but a number in it is always one of the article's, whole
          for (const n of numbersIn(hit?.snippet ?? '')) expect(figures.has(n), `${a.id}: ${n} in "${hit?.snippet}"`).toBe(true);
          if (sentence.length <= 300) for (const n of numbers) expect(hit?.snippet, `${a.id}: ${n}`).toContain(n);
          checked += numbers.length;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('overdraft interest is quoted as 19.9% APR', () => {
    const [hit] = support.kb.search('how much interest do you charge on an overdraft APR');
    expect(hit?.snippet).toContain('19.9% APR');
  });

  it('sentences keep decimals, currency amounts and abbreviations; list items stay apart', () => {
    expect(sentencesOf('Interest is 19.9% APR. Fees apply, e.g. £5.50 per item. Mr. Smith said 3.2 vs. 2.5 is fine! Done.')).toEqual([
      'Interest is 19.9% APR.', 'Fees apply, e.g. £5.50 per item.', 'Mr. Smith said 3.2 vs. 2.5 is fine!', 'Done.',
    ]);
    expect(passagesOf('Intro line.\n\n- **First:** 1.5% fee\n- Second item\n  continued\n1. Numbered 2.0')).toEqual([
      'Intro line.', 'First: 1.5% fee', 'Second item continued', 'Numbered 2.0',
    ]);
  });
});
