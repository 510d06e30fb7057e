import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { analysis, customerDetails, note, ticket } from '../outputs.js';
import { ticketId } from '../schemas.js';
import { deliveryShort } from '../../support/reply-route.js';
import { ticketLine } from '../format.js';

export const handleTicket = defineTool({
  name: 'handle_ticket',
  audience: ['staff'],
  title: 'Work on a ticket',
  description:
    'Staff only. Everything needed to work a ticket: the ticket with all messages (public and internal), the customer ' +
    '(contact and address, or null for anonymous tickets), their CRM notes, and an analysis of the text (sentiment, ' +
    'category with confidence, suggested priority). Needs `ticketId`. Follow up with respond_to_ticket.',
  inputSchema: z.strictObject({ ticketId }),
  outputSchema: z.looseObject({ ticket, customer: customerDetails.nullable(), notes: z.array(note), analysis }),
  annotations: READ_ONLY,
  run: ({ support, caller }, input) => support.tickets.handle(caller, input.ticketId),
  summarize: ({ ticket: t, customer, notes, analysis: a }) =>
    [
      ticketLine(t),
      `Customer: ${customer ? `${customer.name} <${customer.email}> (${customer.id})` : `none${t.contact ? `, contact ${t.contact}` : ''}`}`,
      `Analysis: ${a.category.name} (${Math.round(a.category.confidence * 100)}%), sentiment ${a.sentiment.label} (${a.sentiment.score}), suggested priority ${a.priority}`,
      `${t.messages.length} message(s), ${notes.length} CRM note(s)`,
      ...t.messages.flatMap((m) => (m.delivery ? [`Staff reply ${m.id} (${m.at}): ${deliveryShort(m.delivery)}`] : [])).slice(-10),
    ].join('\n'),
});
