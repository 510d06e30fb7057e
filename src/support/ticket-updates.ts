import { z } from 'zod';
import { AppError } from '../errors.js';
import { ticketStatusSchema, type TicketMessage } from '../store/schema.js';
import type { Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireCustomer, requireStaff } from './authority.js';
import { actorOf } from './caller.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { pushNote } from './notes.js';
import { applyTransition, assertTransition } from './ticket-rules.js';
import { customerView, staffView } from './ticket-views.js';
import { LIMITS, optionalText, parseInput, text, ticketIdString } from './validation.js';

const respondSchema = z.strictObject({
  ticketId: ticketIdString,
  message: text(LIMITS.message),
  visibility: z.enum(['public', 'internal']).optional(),
  status: ticketStatusSchema.optional(),
  note: optionalText(LIMITS.note),
});
const statusSchema = z.strictObject({ ticketId: ticketIdString, status: ticketStatusSchema, note: optionalText(2000) });
const customerMessageSchema = z.strictObject({ ticketId: ticketIdString, message: text(LIMITS.message) });

type Updates = Pick<Support['tickets'], 'respond' | 'updateStatus' | 'addCustomerMessage'>;

export function createTicketUpdates(ctx: SupportContext): Updates {
  return {
    async respond(caller, input) {
      const staff = requireStaff(ctx, caller);
      const p = parseInput(respondSchema, input, 'response');
      return ctx.store.update((db) => {
        const now = ctx.now();
        const ticket = db.tickets.find((t) => t.id === p.ticketId);
        if (!ticket) throw new AppError('not_found', `No ticket ${p.ticketId} was found.`);
        if (p.status) assertTransition(ticket, p.status);
        if (p.note && !ticket.customerId) throw new AppError('bad_input', `Ticket ${ticket.id} has no customer to attach a CRM note to.`);
        const visibility = p.visibility ?? 'public';
        const message: TicketMessage = { id: newId('msg'), at: now.toISOString(), author: actorOf(staff), visibility, body: p.message };
        ticket.messages.push(message);
        ticket.updatedAt = message.at;
        if (visibility === 'public' && !ticket.firstResponseAt) ticket.firstResponseAt = message.at;
        const from = ticket.status;
        if (p.status) applyTransition(ticket, p.status, actorOf(staff), now);
        const note = p.note && ticket.customerId ? pushNote(db, now, actorOf(staff), ticket.customerId, p.note, ticket.id) : undefined;
        recordAudit(db, now, actorOf(staff), 'ticket.respond', `ticket:${ticket.id}`, { messageId: message.id, visibility, statusFrom: p.status ? from : undefined, statusTo: p.status, noteId: note?.id });
        return staffView(db, ticket);
      });
    },

    async updateStatus(caller, input) {
      const staff = requireStaff(ctx, caller);
      const p = parseInput(statusSchema, input, 'status update');
      return ctx.store.update((db) => {
        const now = ctx.now();
        const ticket = db.tickets.find((t) => t.id === p.ticketId);
        if (!ticket) throw new AppError('not_found', `No ticket ${p.ticketId} was found.`);
        assertTransition(ticket, p.status);
        const from = ticket.status;
        applyTransition(ticket, p.status, actorOf(staff), now, p.note);
        recordAudit(db, now, actorOf(staff), 'ticket.status', `ticket:${ticket.id}`, { from, to: p.status });
        return staffView(db, ticket);
      });
    },

    async addCustomerMessage(caller, input) {
      const p = parseInput(customerMessageSchema, input, 'message');
      return ctx.store.update((db) => {
        const now = ctx.now();
        const customer = requireCustomer(db, caller);
        const ticket = db.tickets.find((t) => t.id === p.ticketId && t.customerId === customer.id);
        if (!ticket) throw new AppError('not_found', `No ticket ${p.ticketId} was found.`);
        const message: TicketMessage = { id: newId('msg'), at: now.toISOString(), author: actorOf(caller), visibility: 'public', body: p.message };
        ticket.messages.push(message);
        ticket.updatedAt = message.at;
        const reopened = ticket.status === 'resolved' || ticket.status === 'closed';
        if (reopened) applyTransition(ticket, 'open', actorOf(caller), now, 'customer replied');
        recordAudit(db, now, actorOf(caller), 'ticket.customer_message', `ticket:${ticket.id}`, { messageId: message.id, reopened });
        return customerView(db, ticket);
      });
    },
  };
}
