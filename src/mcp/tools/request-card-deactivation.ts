import { z } from 'zod';
import { AppError } from '../../errors.js';
import { ADDITIVE, defineTool, notifyHook } from '../define-tool.js';
import { pendingApproval } from '../outputs.js';
import { last4, recordId, text } from '../schemas.js';

export const requestCardDeactivation = defineTool({
  name: 'request_card_deactivation',
  audience: ['customer'],
  title: 'Request a card deactivation',
  description:
    "Asks support staff to approve deactivating one of the signed-in customer's own cards (e.g. lost, stolen, compromised). " +
    'It does NOT deactivate the card itself: it opens a pending approval and returns its id; the card is deactivated once staff approve. ' +
    'Identify the card by `last4` (its last 4 digits) or `cardId` (from get_account_details), and give a `reason`. ' +
    'If the card may be used fraudulently, also say so in the reason. For a lost or stolen card, offer freeze_card first ' +
    '(instant and reversible, no staff needed), then this permanent deactivation; a frozen card can still be deactivated.',
  inputSchema: z.strictObject({
    last4: last4.optional().describe('Last 4 digits of the card'),
    cardId: recordId('card').optional().describe('Card id from get_account_details'),
    reason: text(1000).describe('Why the card should be deactivated'),
  }),
  outputSchema: pendingApproval,
  annotations: ADDITIVE,
  sensitive: true,
  run: async (ctx, input) => {
    if (input.last4 === undefined && input.cardId === undefined) {
      throw new AppError('bad_input', 'Say which card: give `last4` (its last 4 digits) or `cardId`.');
    }
    const result = await ctx.support.approvals.requestCardDeactivation(ctx.caller, ctx.context, input);
    await notifyHook(ctx, ctx.hooks.approvalRequested, result, 'approvalRequested');
    return result;
  },
  summarize: (r) => `Pending approval ${r.approvalId} (card deactivation), expires ${r.expiresAt}. ${r.message}`,
});
