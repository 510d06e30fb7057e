import { z } from 'zod';
import { defineTool, notifyHook, DESTRUCTIVE } from '../define-tool.js';
import { approval } from '../outputs.js';
import { optText, recordId } from '../schemas.js';

export const decideApproval = defineTool({
  codeOnly: true,
  name: 'decide_approval',
  audience: ['staff'],
  title: 'Approve or deny a request',
  description:
    'Staff only. Approves or denies a pending sensitive request. The first decision wins; a later one is refused as already decided, ' +
    'and an expired request cannot be approved. Approving a card deactivation deactivates the card; approving a password change ' +
    'emails the customer a single-use reset link, or with no mail server puts it in the local dev mailbox (the link is never returned here; `outcome` says which). Needs `approvalId` and `decision`; `note` optional. ' +
    'Returns the message to pass on to the customer.',
  inputSchema: z.strictObject({
    approvalId: recordId('approval'),
    decision: z.enum(['approve', 'deny']),
    note: optText(2_000),
  }),
  outputSchema: z.object({ approval, outcome: z.string(), customerMessage: z.string(), threadKey: z.string().optional() }),
  annotations: DESTRUCTIVE,
  run: async (ctx, input) => {
    const result = await ctx.support.approvals.decide(ctx.caller, input);
    await notifyHook(ctx, ctx.hooks.approvalDecided, result, 'approvalDecided');
    // Only these fields leave the server: never the reset link or token.
    return { approval: result.approval, outcome: result.outcome, customerMessage: result.customerMessage, threadKey: result.threadKey };
  },
  summarize: (r) => `Approval ${r.approval.id} is now ${r.approval.status}: ${r.outcome}. Tell the customer: ${r.customerMessage}`,
});
