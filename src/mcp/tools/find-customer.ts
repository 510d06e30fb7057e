import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { customerSummary } from '../outputs.js';
import { text } from '../schemas.js';
import { lines } from '../format.js';

export const findCustomer = defineTool({
  name: 'find_customer',
  audience: ['staff'],
  title: 'Find a customer',
  description:
    'Staff only. Finds customers by name, email, customer id or Slack user id (partial, case-insensitive). ' +
    'Returns id, name and email, to use with list_tickets, add_customer_note or create_ticket. Needs `query`.',
  inputSchema: z.strictObject({ query: text(200) }),
  outputSchema: z.object({ customers: z.array(customerSummary) }),
  annotations: READ_ONLY,
  run: async ({ support, caller }, input) => ({ customers: await support.accounts.findCustomer(caller, input.query) }),
  summarize: ({ customers }) =>
    customers.length ? lines(customers.map((c) => `${c.id}: ${c.name} <${c.email}>`)) : 'No customer matches.',
});
