import { z } from 'zod';
import type { ToolDefinition } from './define-tool.js';

/** What a drafting tool returns to the model: nothing happened yet; a person sends or discards it. */
export const draftResult = z.object({
  status: z.literal('draft'),
  draftId: z.string(),
  summary: z.string(),
  message: z.string(),
});

const NOTE =
  ' In this session the step is only DRAFTED: nothing reaches the customer or changes until a staff member reviews the ' +
  'draft and clicks Send. Tell them a draft is waiting for them.';

/**
 * The drafting form of a staff write tool, for a model-driven staff session: same name and input, but `run` opens
 * a draft (support.drafts) and the result says so. The draft runs the real operation only on a person's Send.
 */
export function asDraftTool(tool: ToolDefinition): ToolDefinition {
  const kind = tool.draftKind;
  if (!kind) return tool;
  return {
    ...tool,
    description: `${tool.description}${NOTE}`,
    outputSchema: draftResult,
    annotations: { ...tool.annotations, destructiveHint: false, idempotentHint: false },
    run: async ({ support, caller, context }, input) => {
      const draft = await support.drafts.create(caller, context, kind, input);
      return { status: 'draft', draftId: draft.id, summary: draft.summary, message: `Draft ${draft.id} is waiting for a staff member to send it: ${draft.summary}` };
    },
    summarize: (r) => String((r as { message?: unknown }).message ?? 'Drafted.'),
  };
}
