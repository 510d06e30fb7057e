import { z } from 'zod';
import { defineTool, OVERWRITE } from '../define-tool.js';
import { ticket } from '../outputs.js';
import { optText, ticketId, ticketStatus } from '../schemas.js';
import { ticketLine } from '../format.js';

export const updateTicketStatus = defineTool({
  name: 'update_ticket_status',
  audience: ['staff'],
  draftKind: 'ticket_status',
  title: 'Change a ticket status',
  description:
    'Staff only. Moves a ticket to a new `status`. Allowed: open → in_progress → resolved → closed, and reopening a resolved ' +
    'or closed ticket; other moves are refused. Optional `note` is kept in the status history (staff only). Needs `ticketId` and `status`.',
  inputSchema: z.strictObject({ ticketId, status: ticketStatus, note: optText(2_000) }),
  outputSchema: z.object({ ticket }),
  annotations: OVERWRITE,
  run: async ({ support, caller }, input) => ({ ticket: await support.tickets.updateStatus(caller, input) }),
  summarize: ({ ticket: t }) => `Ticket now ${ticketLine(t)}`,
});
