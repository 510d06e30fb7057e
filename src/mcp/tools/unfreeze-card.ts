import { z } from 'zod';
import { ADDITIVE, defineTool, notifyHook } from '../define-tool.js';
import { pendingApproval } from '../outputs.js';
import { last4, text } from '../schemas.js';

export const unfreezeCard = defineTool({
  name: 'unfreeze_card',
  audience: ['customer'],
  title: 'Request to unfreeze my card',
  description:
    "Asks support staff to approve unfreezing one of the signed-in customer's own frozen cards (e.g. the customer found it). " +
    'It does NOT unfreeze the card itself: it opens a pending approval and returns its id; the card works again once staff approve, ' +
    'and the customer is told here. Identify the card by `last4`; `reason` (optional) is shown to staff. A card that is not frozen, ' +
    'or is deactivated, is refused.',
  inputSchema: z.strictObject({
    last4: last4.describe('Last 4 digits of the frozen card'),
    reason: text(1000).optional().describe('Why the card can be used again, in the customer\'s words'),
  }),
  outputSchema: pendingApproval,
  annotations: ADDITIVE,
  sensitive: true,
  run: async (ctx, input) => {
    const result = await ctx.support.approvals.requestCardUnfreeze(ctx.caller, ctx.context, { last4: input.last4, reason: input.reason ?? 'The customer asked to unfreeze the card.' });
    await notifyHook(ctx, ctx.hooks.approvalRequested, result, 'approvalRequested');
    return result;
  },
  summarize: (r) => `Pending approval ${r.approvalId} (card unfreeze), expires ${r.expiresAt}. The card stays frozen until staff approve. ${r.message}`,
});
