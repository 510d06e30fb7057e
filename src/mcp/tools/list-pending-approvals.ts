import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { approval } from '../outputs.js';
import { lines } from '../format.js';

export const listPendingApprovals = defineTool({
  name: 'list_pending_approvals',
  audience: ['staff'],
  title: 'List pending approvals',
  description:
    'Staff only. Lists sensitive customer requests (password changes, card deactivations) waiting for a staff decision, ' +
    'with who asked, why, and when they expire. Decide each with decide_approval.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({ approvals: z.array(approval) }),
  annotations: READ_ONLY,
  run: async ({ support, caller }) => ({ approvals: await support.approvals.listPending(caller) }),
  summarize: ({ approvals }) =>
    approvals.length
      ? lines(approvals.map((a) => `${a.id}: ${a.action} for ${a.customerId}${a.cardId ? ` (card ${a.cardId})` : ''}, expires ${a.expiresAt} — ${a.reason}`))
      : 'No pending approvals.',
});
