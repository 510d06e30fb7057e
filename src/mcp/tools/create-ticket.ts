import { z } from 'zod';
import { ADDITIVE, defineTool, type ToolContext } from '../define-tool.js';
import { ticket } from '../outputs.js';
import { email, recordId, text, ticketPriority } from '../schemas.js';
import { publicTicket, ticketLine } from '../format.js';
import type { NewTicket, TicketView } from '../../support/api.js';

const base = {
  subject: text(200).describe('One-line summary'),
  description: text(10_000).describe('What happened and what the person needs, in their words'),
  priority: ticketPriority.optional().describe('Optional: can raise, never lower, the priority derived from the text (outside staff, to high at most)'),
};
const outputSchema = z.object({ ticket });
const NAME = 'create_ticket';
const TITLE = 'Open a support ticket';

async function create(ctx: ToolContext, input: NewTicket): Promise<{ ticket: TicketView }> {
  const created = await ctx.support.tickets.create(ctx.caller, ctx.context, { ...input, channel: ctx.context.channel });
  return { ticket: ctx.caller.kind === 'staff' ? created : publicTicket(created) };
}
const summarize = ({ ticket: t }: { ticket: TicketView }) => `Created ticket ${ticketLine(t)}`;

export const createTicketForCustomer = defineTool({
  name: NAME,
  audience: ['customer'],
  title: TITLE,
  description:
    'Opens a support ticket for the signed-in customer so a person follows up. Use it when you cannot resolve the request yourself, ' +
    'when the customer asks for a human, or for disputes and complaints. Needs `subject` and `description`; `priority` is optional. ' +
    'Returns the ticket id (e.g. T-1001) to give to the customer.',
  inputSchema: z.strictObject(base),
  outputSchema,
  annotations: ADDITIVE,
  run: (ctx, input) => create(ctx, input),
  summarize,
});

export const createTicketForAnonymous = defineTool({
  name: NAME,
  audience: ['anonymous'],
  title: TITLE,
  description:
    'Opens a support ticket for a person whose identity is not verified, so a member of staff follows up. Needs `subject`, ' +
    '`description` and `contact` (the email address to reply to); `priority` is optional. Do not put account numbers, ' +
    'passwords or card numbers in the ticket. Returns the ticket id (e.g. T-1001) to give to the person.',
  inputSchema: z.strictObject({ ...base, contact: email.describe('Email address to reply to') }),
  outputSchema,
  annotations: ADDITIVE,
  run: (ctx, input) => create(ctx, input),
  summarize,
});

export const createTicketForStaff = defineTool({
  name: NAME,
  audience: ['staff'],
  draftKind: 'ticket_create',
  title: TITLE,
  description:
    'Opens a support ticket on behalf of a customer (`customerId`, from find_customer) or for an outside contact (`contact` email). ' +
    'Needs `subject` and `description`; `priority` is optional (derived from the text; a given priority can only raise it).',
  inputSchema: z.strictObject({
    ...base,
    customerId: recordId('customer').optional().describe('Customer the ticket is for'),
    contact: email.optional().describe('Contact email when there is no customer record'),
  }),
  outputSchema,
  annotations: ADDITIVE,
  run: (ctx, input) => create(ctx, input),
  summarize,
});
