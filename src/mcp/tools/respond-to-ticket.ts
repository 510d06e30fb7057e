import { z } from 'zod';
import { ADDITIVE, defineTool } from '../define-tool.js';
import { ticket } from '../outputs.js';
import { optText, text, ticketId, ticketStatus } from '../schemas.js';
import { ticketLine } from '../format.js';

export const respondToTicket = defineTool({
  name: 'respond_to_ticket',
  audience: ['staff'],
  draftKind: 'ticket_response',
  title: 'Respond to a ticket',
  description:
    'Staff only. Adds a response to a ticket. `visibility` must be chosen, there is no default: `public` is a reply TO THE CUSTOMER, ' +
    'sent to them on their channel (their Slack thread, email or chat; by email when the ticket has no conversation) and shown on ' +
    'their ticket; `internal` is a note for staff only, never sent and never shown to the customer. ' +
    'Optionally moves the ticket to `status` in the same step (open → in_progress → resolved → closed; resolved/closed may be reopened) ' +
    'and records `note` as a CRM note on the customer. Needs `ticketId`, `message` and `visibility`.',
  inputSchema: z.strictObject({
    ticketId,
    message: text(10_000),
    // Required here (no default): a model drafting for staff must say whether the customer may read it.
    visibility: z.enum(['public', 'internal']),
    status: ticketStatus.optional(),
    note: optText(2_000).describe('CRM note to add to the customer'),
  }),
  outputSchema: z.object({ ticket }),
  annotations: ADDITIVE,
  run: async ({ support, caller }, input) => ({ ticket: await support.tickets.respond(caller, input) }),
  summarize: ({ ticket: t }) => `Responded on ${ticketLine(t)}`,
});
