import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Repositories, TicketChange } from '../store/repos/index.js';
import { ticketStatusSchema, type Ticket, type TicketMessage } from '../store/schema.js';
import type { Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireCustomer, requireStaff } from './authority.js';
import { actorOf } from './caller.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { pushNote } from './notes.js';
import { assertTransition, movedMeanwhile, transitionChange } from './ticket-rules.js';
import { customerName, customerView, staffView } from './ticket-views.js';
import { LIMITS, optionalText, parseInput, text, ticketIdString } from './validation.js';

const respondSchema = z.strictObject({
  ticketId: ticketIdString,
  message: text(LIMITS.message),
  // No default: whoever replies says whether the customer is to receive it.
  visibility: z.enum(['public', 'internal']),
  status: ticketStatusSchema.optional(),
  note: optionalText(LIMITS.note),
});
const statusSchema = z.strictObject({ ticketId: ticketIdString, status: ticketStatusSchema, note: optionalText(2000) });
const customerMessageSchema = z.strictObject({ ticketId: ticketIdString, message: text(LIMITS.message) });

type Updates = Pick<Support['tickets'], 'respond' | 'updateStatus' | 'addCustomerMessage'>;

async function mustGet(tx: Repositories, id: string): Promise<Ticket> {
  const ticket = await tx.tickets.get(id);
  if (!ticket) throw new AppError('not_found', `No ticket ${id} was found.`);
  return ticket;
}

/** Applies `change` while the ticket still has the status it was checked in (a lost compare-and-set is refused). */
async function write(tx: Repositories, ticket: Ticket, change: TicketChange): Promise<Ticket> {
  const r = await tx.tickets.update(ticket.id, change, { status: ticket.status });
  if (!r.won) throw movedMeanwhile(r.record, ticket.id);
  return r.record;
}

export function createTicketUpdates(ctx: SupportContext): Updates {
  return {
    async respond(caller, input) {
      const staff = requireStaff(ctx, caller);
      const p = parseInput(respondSchema, input, 'response');
      return ctx.repos.transaction(async (tx) => {
        const now = ctx.now();
        const ticket = await mustGet(tx, p.ticketId);
        if (p.status) assertTransition(ticket, p.status);
        if (p.note && !ticket.customerId) throw new AppError('bad_input', `Ticket ${ticket.id} has no customer to attach a CRM note to.`);
        // All checks done: from here on, write.
        const { visibility } = p;
        // A public reply waits for delivery to the customer (conversations' ticket replies claim and record it);
        // an internal note never leaves, so it has no delivery state at all.
        const message: TicketMessage = {
          id: newId('msg'), at: now.toISOString(), author: actorOf(staff), visibility, body: p.message,
          ...(visibility === 'public' ? { delivery: { status: 'pending' as const, at: now.toISOString() } } : {}),
        };
        const change: TicketChange = {
          addMessages: [message], updatedAt: message.at,
          ...(visibility === 'public' ? { firstResponseAt: message.at } : {}),
          ...(p.status ? transitionChange(ticket, p.status, actorOf(staff), now) : {}),
        };
        const updated = await write(tx, ticket, change);
        const note = p.note && ticket.customerId ? await pushNote(tx, now, actorOf(staff), ticket.customerId, p.note, ticket.id) : undefined;
        await recordAudit(tx, now, actorOf(staff), 'ticket.respond', `ticket:${ticket.id}`, { messageId: message.id, visibility, statusFrom: p.status ? ticket.status : undefined, statusTo: p.status, noteId: note?.id });
        return staffView(updated, await customerName(tx, updated));
      });
    },

    async updateStatus(caller, input) {
      const staff = requireStaff(ctx, caller);
      const p = parseInput(statusSchema, input, 'status update');
      return ctx.repos.transaction(async (tx) => {
        const now = ctx.now();
        const ticket = await mustGet(tx, p.ticketId);
        assertTransition(ticket, p.status);
        const updated = await write(tx, ticket, transitionChange(ticket, p.status, actorOf(staff), now, p.note));
        await recordAudit(tx, now, actorOf(staff), 'ticket.status', `ticket:${ticket.id}`, { from: ticket.status, to: p.status });
        return staffView(updated, await customerName(tx, updated));
      });
    },

    async addCustomerMessage(caller, input) {
      const p = parseInput(customerMessageSchema, input, 'message');
      return ctx.repos.transaction(async (tx) => {
        const now = ctx.now();
        const customer = await requireCustomer(tx, caller);
        const ticket = await tx.tickets.get(p.ticketId);
        if (!ticket || ticket.customerId !== customer.id) throw new AppError('not_found', `No ticket ${p.ticketId} was found.`);
        const message: TicketMessage = { id: newId('msg'), at: now.toISOString(), author: actorOf(caller), visibility: 'public', body: p.message };
        const reopened = ticket.status === 'resolved' || ticket.status === 'closed';
        const change: TicketChange = {
          addMessages: [message], updatedAt: message.at,
          ...(reopened ? transitionChange(ticket, 'open', actorOf(caller), now, 'customer replied') : {}),
        };
        const updated = await write(tx, ticket, change);
        await recordAudit(tx, now, actorOf(caller), 'ticket.customer_message', `ticket:${ticket.id}`, { messageId: message.id, reopened });
        return customerView(updated, customer.name);
      });
    },
  };
}
