import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSupport } from './fixture.js';

describe('knowledge base (data/kb)', async () => {
  const { support } = await makeSupport();

  it.each([
    ['I lost my card', 'card-lost-or-stolen'],
    ['my card was stolen, what do I do?', 'card-lost-or-stolen'],
    ['how do I reset my password', 'password-reset'],
    ['what are your opening hours', 'opening-hours-and-contact'],
    ['I moved, how do I change my address', 'changing-your-address'],
    ['someone charged me twice, I want to dispute it', 'disputing-a-transaction'],
    ['overdraft interest rate', 'overdrafts'],
    ['sending money abroad with IBAN', 'international-transfers'],
    ['phishing email asking for my PIN', 'fraud-and-scams'],
    ['how do I activate my new card', 'card-activation'],
  ])('"%s" → %s first', (query, articleId) => {
    const hits = support.kb.search(query);
    expect(hits[0]?.articleId).toBe(articleId);
    for (const h of hits) {
      expect(h.snippet.length).toBeLessThanOrEqual(300);
      expect(h.snippet.length).toBeGreaterThan(0);
    }
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('has at least 10 articles, each with a title from its first heading and 150–400 words', () => {
    const ids = ['fees', 'card-lost-or-stolen', 'disputing-a-transaction', 'changing-your-address', 'password-reset', 'opening-hours-and-contact', 'international-transfers', 'overdrafts', 'fraud-and-scams', 'account-statements', 'closing-an-account', 'card-activation'];
    for (const id of ids) {
      const a = support.kb.article(id);
      expect(a, id).toBeDefined();
      expect(a?.title.length).toBeGreaterThan(3);
      expect(a?.body.startsWith(`# ${a?.title}`)).toBe(true);
      const words = a?.body.split(/\s+/).filter(Boolean).length ?? 0;
      expect(words, id).toBeGreaterThanOrEqual(150);
      expect(words, id).toBeLessThanOrEqual(400);
    }
    expect(support.kb.article('nope')).toBeUndefined();
    expect(support.kb.article('../package')).toBeUndefined();
  });

  it('the snippet is the passage that matches, and limit and bad queries are handled', () => {
    const [hit] = support.kb.search('reset link expires', 1);
    expect(hit?.articleId).toBe('password-reset');
    expect(hit?.snippet.toLowerCase()).toMatch(/link/);
    expect(support.kb.search('card', 2)).toHaveLength(2);
    expect(support.kb.search('the and of')).toEqual([]);
    expect(support.kb.search('xyzzy plugh')).toEqual([]);
    expect(() => support.kb.search('a'.repeat(501))).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => support.kb.search('card', 11)).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => support.kb.search(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });
});

describe('knowledge base ranking (own articles)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pets.md'), '# Pets\n\nDogs and cats are pets. A dog barks.\n');
  writeFileSync(join(dir, 'dogs.md'), '# Dogs\n\nDogs bark. Dogs run. Walking dogs every day keeps dogs happy.\n\nUnrelated paragraph about weather.\n');
  writeFileSync(join(dir, 'weather.md'), '# Weather\n\nRain and sun.\n');
  writeFileSync(join(dir, 'notes.txt'), 'dogs dogs dogs');
  const { support } = await makeSupport({ kbDir: dir });

  it('ranks the article about the term above one that mentions it, ignores non-md files', () => {
    const hits = support.kb.search('dogs');
    expect(hits.map((h) => h.articleId)).toEqual(['dogs', 'pets']);
    expect(hits[0]).toMatchObject({ title: 'Dogs', snippet: 'Dogs bark. Dogs run. Walking dogs every day keeps dogs happy.' });
    expect(support.kb.search('weather rain')[0]?.articleId).toBe('weather');
  });

  it('a missing folder fails creation clearly', async () => {
    await expect(makeSupport({ kbDir: join(dir, "missing") })).rejects.toThrow(/knowledge base folder/);
  });
});
