import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { ticket } from '../outputs.js';
import { ticketStatus } from '../schemas.js';
import { lines, publicTicket, ticketLine } from '../format.js';

export const listMyTickets = defineTool({
  name: 'list_my_tickets',
  audience: ['customer'],
  title: 'List my tickets',
  description:
    "Lists the signed-in customer's own support tickets, newest first, optionally only those with a given `status` " +
    '(open, in_progress, resolved, closed). Use it when the customer asks about the state of their requests.',
  inputSchema: z.strictObject({ status: ticketStatus.optional() }),
  outputSchema: z.object({ tickets: z.array(ticket) }),
  annotations: READ_ONLY,
  run: async ({ support, caller }, input) => ({ tickets: (await support.tickets.listMine(caller, { status: input.status })).map(publicTicket) }),
  summarize: ({ tickets }) => (tickets.length ? lines(tickets.map(ticketLine)) : 'No tickets.'),
});
