import { z } from 'zod';
import { defineTool, DESTRUCTIVE } from '../define-tool.js';
import { recordId } from '../schemas.js';

const draft = z.object({ id: z.string(), kind: z.string(), summary: z.string(), status: z.string(), outcome: z.string().optional() });

/** Code-only (a person's Send click or terminal command): runs a drafted staff step as the person who sends it. */
export const sendDraft = defineTool({
  name: 'send_draft',
  audience: ['staff'],
  codeOnly: true,
  title: 'Send a draft',
  description: 'Staff only, on a person\'s explicit action. Runs a drafted step once, as the caller; `edits` replaces its editable text fields.',
  inputSchema: z.strictObject({ draftId: recordId('draft'), edits: z.record(z.string().max(40), z.string().max(10_000)).optional() }),
  outputSchema: z.object({ draft }),
  annotations: DESTRUCTIVE,
  run: async ({ support, caller }, input) => ({ draft: await support.drafts.send(caller, input.draftId, input.edits) }),
  summarize: ({ draft: d }) => `Sent: ${d.outcome ?? d.summary}`,
});

export const discardDraft = defineTool({
  name: 'discard_draft',
  audience: ['staff'],
  codeOnly: true,
  title: 'Discard a draft',
  description: 'Staff only, on a person\'s explicit action. Discards a draft; nothing is done.',
  inputSchema: z.strictObject({ draftId: recordId('draft') }),
  outputSchema: z.object({ draft }),
  annotations: DESTRUCTIVE,
  run: async ({ support, caller }, input) => ({ draft: await support.drafts.discard(caller, input.draftId) }),
  summarize: ({ draft: d }) => `Discarded: ${d.summary}`,
});
