import { z } from 'zod';
import { ADDITIVE, defineTool } from '../define-tool.js';
import { note } from '../outputs.js';
import { recordId, text, ticketId } from '../schemas.js';

export const addCustomerNote = defineTool({
  name: 'add_customer_note',
  audience: ['staff'],
  draftKind: 'customer_note',
  title: 'Add a CRM note',
  description:
    'Staff only. Adds an internal CRM note to a customer record (never shown to the customer), optionally linked to a ticket. ' +
    'Needs `customerId` and `body`; `ticketId` optional. Never put passwords or full card numbers in a note.',
  inputSchema: z.strictObject({ customerId: recordId('customer'), body: text(5_000), ticketId: ticketId.optional() }),
  outputSchema: z.object({ note }),
  annotations: ADDITIVE,
  run: async ({ support, caller }, input) => ({ note: await support.notes.add(caller, input) }),
  summarize: ({ note: n }) => `Note ${n.id} added to ${n.customerId}${n.ticketId ? ` (ticket ${n.ticketId})` : ''}.`,
});
