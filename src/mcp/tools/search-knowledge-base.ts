import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { kbHit } from '../outputs.js';
import { limit, text } from '../schemas.js';
import { lines } from '../format.js';

export const searchKnowledgeBase = defineTool({
  name: 'search_knowledge_base',
  audience: ['customer', 'anonymous', 'staff'],
  title: 'Search the help articles',
  description:
    'Searches the help-centre articles (fees, lost or stolen cards, disputes, address changes, password resets, opening hours, ...) ' +
    'and returns the best matches with title, snippet and article id. Use it before answering any policy or how-to question, ' +
    'and cite the article id. Needs `query` (a few keywords); `limit` 1-10 (default 5).',
  inputSchema: z.strictObject({
    query: text(200).describe('A few keywords'),
    limit: limit(10).optional(),
  }),
  outputSchema: z.object({ results: z.array(kbHit) }),
  annotations: READ_ONLY,
  run: ({ support }, input) => ({ results: support.kb.search(input.query, input.limit ?? 5) }),
  summarize: ({ results }) =>
    results.length ? lines(results.map((r) => `[${r.articleId}] ${r.title}: ${r.snippet}`)) : 'No matching articles.',
});
