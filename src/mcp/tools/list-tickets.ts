import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { ticket } from '../outputs.js';
import { channel, limit, recordId, ticketCategory, ticketPriority, ticketStatus } from '../schemas.js';
import { lines, ticketLine } from '../format.js';

export const listTickets = defineTool({
  name: 'list_tickets',
  audience: ['staff'],
  title: 'List tickets',
  description:
    'Staff only. Lists support tickets, newest first, filtered by any of `status`, `priority`, `category`, `customerId`, ' +
    '`channel`; `limit` 1-100 (default 20). Use it to triage the queue or see a customer\'s history.',
  inputSchema: z.strictObject({
    status: ticketStatus.optional(),
    priority: ticketPriority.optional(),
    category: ticketCategory.optional(),
    customerId: recordId('customer').optional(),
    channel: channel.optional(),
    limit: limit(100).optional(),
  }),
  outputSchema: z.object({ tickets: z.array(ticket) }),
  annotations: READ_ONLY,
  run: async ({ support, caller }, input) => ({ tickets: await support.tickets.list(caller, { ...input, limit: input.limit ?? 20 }) }),
  summarize: ({ tickets }) => (tickets.length ? lines(tickets.map(ticketLine)) : 'No tickets match.'),
});
