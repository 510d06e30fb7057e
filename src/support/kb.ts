import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { KbHit, Support } from './api.js';
import { passagesOf, sentencesOf } from './kb-text.js';
import { terms } from './text.js';
import { parseInput, text } from './validation.js';

interface Article { articleId: string; title: string; body: string; paragraphs: string[]; tf: Map<string, number>; length: number }

const K1 = 1.2;
const B = 0.75;
const TITLE_BOOST = 3;
const SNIPPET_MAX = 300;

const querySchema = text(500);
const limitSchema = z.number().int().min(1, 'must be at least 1').max(10, 'must be at most 10').optional();

function parseArticle(articleId: string, markdown: string): Article {
  const heading = /^#\s+(.+)$/m.exec(markdown);
  const title = heading?.[1]?.trim() ?? articleId;
  const tf = new Map<string, number>();
  const bodyTerms = terms(markdown.replace(/^#\s+.+$/m, ''));
  const titleTerms = terms(title);
  for (const t of bodyTerms) tf.set(t, (tf.get(t) ?? 0) + 1);
  for (const t of titleTerms) tf.set(t, (tf.get(t) ?? 0) + TITLE_BOOST);
  return { articleId, title, body: markdown, paragraphs: passagesOf(markdown), tf, length: bodyTerms.length + titleTerms.length * TITLE_BOOST };
}

function loadArticles(kbDir: string): Article[] {
  let files: string[];
  try {
    files = readdirSync(kbDir).filter((f) => f.endsWith('.md')).sort();
  } catch (err) {
    throw new AppError('config', `Cannot read the knowledge base folder ${kbDir}: ${(err as Error).message}`, undefined, { cause: err });
  }
  return files.map((f) => parseArticle(f.slice(0, -3), readFileSync(join(kbDir, f), 'utf8')));
}

/** The passage of the article that best matches the query, at most 300 characters. */
function snippetOf(article: Article, query: Set<string>, idf: (t: string) => number): string {
  const weigh = (s: string) => [...new Set(terms(s).filter((t) => query.has(t)))].reduce((sum, t) => sum + idf(t), 0);
  let best = article.paragraphs[0] ?? article.title;
  let bestScore = -1;
  for (const p of article.paragraphs) {
    const candidates = p.length <= SNIPPET_MAX ? [p] : sentencesOf(p);
    for (const c of candidates) {
      const score = weigh(c);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
  }
  return best.length <= SNIPPET_MAX ? best : `${best.slice(0, SNIPPET_MAX - 1).replace(/\s+\S*$/, '')}…`;
}

export function createKb(kbDir: string): Support['kb'] {
  const articles = loadArticles(kbDir);
  const avgLength = articles.reduce((s, a) => s + a.length, 0) / Math.max(1, articles.length);
  const df = new Map<string, number>();
  for (const a of articles) for (const t of a.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => {
    const n = df.get(t) ?? 0;
    return Math.log(1 + (articles.length - n + 0.5) / (n + 0.5));
  };

  return {
    search(query, limit) {
      const q = parseInput(querySchema, query, 'search query');
      const n = parseInput(limitSchema, limit, 'limit') ?? 5;
      const qTerms = new Set(terms(q));
      if (qTerms.size === 0) return [];
      const hits: KbHit[] = [];
      for (const a of articles) {
        let score = 0;
        for (const t of qTerms) {
          const f = a.tf.get(t) ?? 0;
          if (f) score += idf(t) * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * a.length) / avgLength)));
        }
        if (score > 0) hits.push({ articleId: a.articleId, title: a.title, snippet: snippetOf(a, qTerms, idf), score: Math.round(score * 1000) / 1000 });
      }
      return hits.sort((x, y) => y.score - x.score || x.articleId.localeCompare(y.articleId)).slice(0, n);
    },

    article(articleId) {
      if (typeof articleId !== 'string' || articleId.length > 100) return undefined;
      const a = articles.find((x) => x.articleId === articleId);
      return a ? { articleId: a.articleId, title: a.title, body: a.body } : undefined;
    },
  };
}
