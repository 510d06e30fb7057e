import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Repositories, TicketFilter as RepoTicketFilter } from '../store/repos/index.js';
import { channelSchema, ticketCategorySchema, ticketPrioritySchema, ticketStatusSchema, type Ticket } from '../store/schema.js';
import type { Support, TicketView } from './api.js';
import { customerView as customerRecordView } from './accounts.js';
import { requireCustomer, requireStaff } from './authority.js';
import type { Caller } from './caller.js';
import type { SupportContext } from './context.js';
import { NOTES_LIMIT } from './notes.js';
import { redactFields } from './redact/index.js';
import { createTicket } from './ticket-create.js';
import { createTicketUpdates } from './ticket-updates.js';
import { customerName, customerNames, customerView, staffView } from './ticket-views.js';
import { withMailOutcomes } from './reply-mail-status.js';
import { idString, parseInput, ticketIdString } from './validation.js';

const filterFields = {
  status: ticketStatusSchema.optional(),
  priority: ticketPrioritySchema.optional(),
  category: ticketCategorySchema.optional(),
  channel: channelSchema.optional(),
  limit: z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').optional(),
};
const myFilterSchema = z.strictObject(filterFields);
const staffFilterSchema = z.strictObject({ ...filterFields, customerId: idString.optional() });

/** The ticket if `caller` may see it (customer: own only, staff: any); otherwise not_found/forbidden. */
export async function ticketFor(ctx: SupportContext, repos: Repositories, caller: Caller, ticketId: string): Promise<{ ticket: Ticket; view: TicketView }> {
  if (caller.kind === 'staff') requireStaff(ctx, caller);
  if (caller.kind === 'anonymous') throw new AppError('forbidden', 'Looking up tickets needs a verified customer.');
  const customer = caller.kind === 'customer' ? await requireCustomer(repos, caller) : undefined;
  const ticket = await repos.tickets.get(ticketId);
  if (!ticket || (customer && ticket.customerId !== customer.id)) throw new AppError('not_found', `No ticket ${ticketId} was found.`);
  return { ticket, view: customer ? customerView(ticket, customer.name) : staffView(await withMailOutcomes(repos, ticket), await customerName(repos, ticket)) };
}

/** Staff replies, status notes and customer messages lose any secret before they are validated and stored. */
function redactedUpdates(ctx: SupportContext): ReturnType<typeof createTicketUpdates> {
  const updates = createTicketUpdates(ctx);
  return {
    respond: (caller, input) => updates.respond(caller, redactFields(input, ['message', 'note']).value),
    updateStatus: (caller, input) => updates.updateStatus(caller, redactFields(input, ['note']).value),
    addCustomerMessage: (caller, input) => updates.addCustomerMessage(caller, redactFields(input, ['message']).value),
  };
}

export function createTickets(ctx: SupportContext, analyze: Support['analytics']['analyze']): Support['tickets'] {
  const { repos } = ctx;
  const page = async (filter: RepoTicketFilter, limit: number | undefined) => (await repos.tickets.list(filter, { limit: limit ?? 50 })).items;
  return {
    create: (caller, rctx, input) => createTicket(ctx, analyze, caller, rctx, input),

    async listMine(caller, filter) {
      const { limit, ...f } = parseInput(myFilterSchema, filter ?? {}, 'ticket filter');
      const customer = await requireCustomer(repos, caller);
      return (await page({ ...f, customerId: customer.id }, limit)).map((t) => customerView(t, customer.name));
    },

    async list(caller, filter) {
      requireStaff(ctx, caller);
      const { limit, ...f } = parseInput(staffFilterSchema, filter ?? {}, 'ticket filter');
      const tickets = await page(f, limit);
      const names = await customerNames(repos, tickets);
      return tickets.map((t) => staffView(t, t.customerId ? names.get(t.customerId) : undefined));
    },

    async get(caller, ticketId) {
      const id = parseInput(ticketIdString, ticketId, 'ticket id');
      return (await ticketFor(ctx, repos, caller, id)).view;
    },

    async handle(caller, ticketId) {
      requireStaff(ctx, caller);
      const id = parseInput(ticketIdString, ticketId, 'ticket id');
      const { ticket, view } = await ticketFor(ctx, repos, caller, id);
      const customer = ticket.customerId ? await repos.customers.get(ticket.customerId) : undefined;
      const customerWords = ticket.messages.filter((m) => m.author.kind !== 'staff' && m.visibility === 'public').map((m) => m.body);
      return {
        ticket: view,
        customer: customer ? customerRecordView(customer) : null,
        notes: customer ? await repos.notes.listForCustomer(customer.id, NOTES_LIMIT) : [],
        analysis: analyze([ticket.subject, ticket.description, ...customerWords].join('\n')),
      };
    },

    ...redactedUpdates(ctx),
  };
}
