import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { ticket } from '../outputs.js';
import { ticketId } from '../schemas.js';
import { publicTicket, ticketLine } from '../format.js';

export const getMyTicket = defineTool({
  name: 'get_my_ticket',
  audience: ['customer'],
  title: 'Get one of my tickets',
  description:
    "Shows one of the signed-in customer's own tickets with its public conversation and status history. Needs `ticketId` " +
    '(e.g. T-1001). Tickets of other customers are not found.',
  inputSchema: z.strictObject({ ticketId }),
  outputSchema: z.object({ ticket }),
  annotations: READ_ONLY,
  run: async ({ support, caller }, input) => ({ ticket: publicTicket(await support.tickets.get(caller, input.ticketId)) }),
  summarize: ({ ticket: t }) => {
    const last = t.messages.at(-1);
    return `${ticketLine(t)}\n${t.messages.length} message(s)${last ? `; latest ${last.at}: ${last.body.slice(0, 300)}` : ''}`;
  },
});
