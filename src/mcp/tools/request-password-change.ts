import { z } from 'zod';
import { ADDITIVE, defineTool, notifyHook } from '../define-tool.js';
import { pendingApproval } from '../outputs.js';
import { text } from '../schemas.js';

export const requestPasswordChange = defineTool({
  name: 'request_password_change',
  audience: ['customer'],
  title: 'Request a password change',
  description:
    'Asks support staff to approve a password reset for the signed-in customer. It does NOT change the password: it opens a ' +
    "pending approval and returns its id. Once a staff member approves, the customer gets a single-use reset link at the email on file " +
    '(with no mail server configured, in the local dev mailbox instead: `linkDelivery` says which; repeat the result\'s `message`, never claim an email was sent). ' +
    'Needs `reason` (a short summary in the customer\'s words). Never ask for, repeat or pass a password: there is no password argument.',
  inputSchema: z.strictObject({ reason: text(1000).describe('Why the customer wants the change (never a password)') }),
  outputSchema: pendingApproval,
  annotations: ADDITIVE,
  sensitive: true,
  run: async (ctx, input) => {
    const result = await ctx.support.approvals.requestPasswordChange(ctx.caller, ctx.context, input.reason);
    await notifyHook(ctx, ctx.hooks.approvalRequested, result, 'approvalRequested');
    return result;
  },
  summarize: (r) => `Pending approval ${r.approvalId} (password change), expires ${r.expiresAt}. ${r.message}`,
});
