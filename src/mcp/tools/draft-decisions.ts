import { z } from 'zod';
import { defineTool, DESTRUCTIVE, READ_ONLY } from '../define-tool.js';
import { recordId } from '../schemas.js';

const draft = z.object({
  id: z.string(), kind: z.string(), summary: z.string(), status: z.string(), outcome: z.string().optional(),
  input: z.record(z.string(), z.unknown()), editable: z.array(z.string()), expiresAt: z.string(), threadKey: z.string().optional(), decidedBy: z.string().optional(),
  route: z.union([z.object({ to: z.string() }), z.object({ none: z.string() })]).optional(),
});

/** Code-only: a draft as staff see it on its card and in the Edit form (the model never reads drafts back). */
export const getDraft = defineTool({
  name: 'get_draft',
  audience: ['staff'],
  codeOnly: true,
  title: 'Read a draft',
  description: 'Staff only, code only. A draft with its fields and which of them a person may edit.',
  inputSchema: z.strictObject({ draftId: recordId('draft') }),
  outputSchema: z.object({ draft }),
  annotations: READ_ONLY,
  run: async ({ support, caller }, input) => ({ draft: await support.drafts.get(caller, input.draftId) }),
  summarize: ({ draft: d }) => `${d.status}: ${d.summary}`,
});

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
