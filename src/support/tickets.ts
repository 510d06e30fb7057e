import { z } from 'zod';
import { AppError } from '../errors.js';
import { channelSchema, ticketCategorySchema, ticketPrioritySchema, ticketStatusSchema, type Db, type Ticket } from '../store/schema.js';
import type { Support, TicketFilter, TicketView } from './api.js';
import { customerView as customerRecordView } from './accounts.js';
import { PRIORITY_RANK } from './analytics.js';
import { recordAudit } from './audit.js';
import { requireCustomer, requireStaff } from './authority.js';
import { actorOf, type Caller } from './caller.js';
import type { SupportContext } from './context.js';
import { notesOf } from './notes.js';
import { REDACTION_KINDS, redactFields, redactSecrets } from './redact/index.js';
import { createTicketUpdates } from './ticket-updates.js';
import { customerView, nextTicketNumber, staffView } from './ticket-views.js';
import { emailString, idString, LIMITS, parseInput, requestContextSchema, text, ticketIdString } from './validation.js';
import { checkTicketAllowance, MAX_REQUESTED_PRIORITY } from './ticket-limits.js';

const base = {
  subject: text(LIMITS.subject),
  description: text(LIMITS.description),
  priority: ticketPrioritySchema.optional(),
  channel: channelSchema.optional(),
};
const customerTicketSchema = z.strictObject(base);
const anonymousTicketSchema = z.strictObject({ ...base, contact: emailString.optional() });
const staffTicketSchema = z.strictObject({ ...base, contact: emailString.optional(), customerId: idString.optional() });

const filterFields = {
  status: ticketStatusSchema.optional(),
  priority: ticketPrioritySchema.optional(),
  category: ticketCategorySchema.optional(),
  channel: channelSchema.optional(),
  limit: z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').optional(),
};
const myFilterSchema = z.strictObject(filterFields);
const staffFilterSchema = z.strictObject({ ...filterFields, customerId: idString.optional() });

function matches(t: Ticket, f: TicketFilter): boolean {
  return (!f.status || t.status === f.status) && (!f.priority || t.priority === f.priority) && (!f.category || t.category === f.category)
    && (!f.channel || t.channel === f.channel) && (f.customerId === undefined || t.customerId === f.customerId);
}

const newestFirst = (a: Ticket, b: Ticket) => b.createdAt.localeCompare(a.createdAt) || Number(b.id.slice(2)) - Number(a.id.slice(2));

/** The ticket if `caller` may see it (customer: own only, staff: any); otherwise not_found/forbidden. */
export function ticketFor(ctx: SupportContext, db: Readonly<Db>, caller: Caller, ticketId: string): { ticket: Ticket; view: TicketView } {
  if (caller.kind === 'staff') requireStaff(ctx, caller);
  const customer = caller.kind === 'customer' ? requireCustomer(db, caller) : undefined;
  if (caller.kind === 'anonymous') throw new AppError('forbidden', 'Looking up tickets needs a verified customer.');
  const ticket = db.tickets.find((t) => t.id === ticketId);
  if (!ticket || (customer && ticket.customerId !== customer.id)) throw new AppError('not_found', `No ticket ${ticketId} was found.`);
  return { ticket, view: customer ? customerView(db, ticket) : staffView(db, ticket) };
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
  return {
    async create(caller, rctx, input) {
      const where = parseInput(requestContextSchema, rctx ?? {}, 'request context');
      const schema = caller.kind === 'staff' ? staffTicketSchema : caller.kind === 'anonymous' ? anonymousTicketSchema : customerTicketSchema;
      const parsed: z.output<typeof staffTicketSchema> = parseInput(schema, input, 'ticket');
      // A ticket form goes straight to the store and the staff card, past conversations' redaction.
      const subject = redactSecrets(parsed.subject);
      const description = redactSecrets(parsed.description);
      const redacted = REDACTION_KINDS.filter((k) => subject.kinds.includes(k) || description.kinds.includes(k));
      if (caller.kind === 'staff') requireStaff(ctx, caller);
      // An anonymous caller's contact known from the channel (e.g. a Slack-verified email) wins over one the model typed.
      const contact = (caller.kind === 'anonymous' ? caller.contact : undefined) ?? parsed.contact;
      if (caller.kind === 'anonymous' && !contact) throw new AppError('bad_input', 'Invalid ticket: contact: an email address is required so we can reply.');
      if (caller.kind === 'anonymous' && !emailString.safeParse(contact).success) throw new AppError('bad_input', 'Invalid ticket: contact: must be an email address');
      const analysis = analyze(`${subject.text}\n${description.text}`);
      // Outside staff, a requested priority is capped: only the text's own analysis can make a ticket urgent.
      const requested = parsed.priority && caller.kind !== 'staff' && PRIORITY_RANK[parsed.priority] > PRIORITY_RANK[MAX_REQUESTED_PRIORITY] ? MAX_REQUESTED_PRIORITY : parsed.priority;
      const priority = requested && PRIORITY_RANK[requested] > PRIORITY_RANK[analysis.priority] ? requested : analysis.priority;
      return ctx.store.update((db) => {
        const now = ctx.now().toISOString();
        const customerId = caller.kind === 'customer' ? requireCustomer(db, caller).id : (parsed.customerId ?? null);
        if (customerId && !db.customers.some((c) => c.id === customerId)) throw new AppError('not_found', `No customer ${customerId} was found.`);
        checkTicketAllowance(db, caller, { customerId, contact }, ctx.now());
        const number = nextTicketNumber(db);
        const ticket: Ticket = {
          id: `T-${number}`,
          customerId,
          subject: subject.text,
          description: description.text,
          channel: where.channel ?? parsed.channel ?? 'web',
          priority,
          category: analysis.category.name,
          sentiment: analysis.sentiment.comparative,
          status: 'open',
          createdAt: now,
          updatedAt: now,
          messages: [],
          history: [{ at: now, from: null, to: 'open', by: actorOf(caller) }],
        };
        if (contact) ticket.contact = contact;
        if (where.threadKey) ticket.threadKey = where.threadKey;
        db.tickets.push(ticket);
        db.state['tickets.nextNumber'] = number + 1;
        recordAudit(db, ctx.now(), actorOf(caller), 'ticket.create', `ticket:${ticket.id}`, {
          customerId, priority, category: ticket.category, channel: ticket.channel, ...(redacted.length > 0 ? { redacted } : {}),
        });
        ctx.log?.info({ ticketId: ticket.id, priority, category: ticket.category, redacted }, 'ticket created');
        return caller.kind === 'staff' ? staffView(db, ticket) : customerView(db, ticket);
      });
    },

    listMine(caller, filter) {
      const f = parseInput(myFilterSchema, filter ?? {}, 'ticket filter');
      const db = ctx.store.read();
      const customer = requireCustomer(db, caller);
      return db.tickets
        .filter((t) => t.customerId === customer.id && matches(t, f))
        .sort(newestFirst)
        .slice(0, f.limit ?? 50)
        .map((t) => customerView(db, t));
    },

    list(caller, filter) {
      requireStaff(ctx, caller);
      const f = parseInput(staffFilterSchema, filter ?? {}, 'ticket filter');
      const db = ctx.store.read();
      return db.tickets.filter((t) => matches(t, f)).sort(newestFirst).slice(0, f.limit ?? 50).map((t) => staffView(db, t));
    },

    get(caller, ticketId) {
      const id = parseInput(ticketIdString, ticketId, 'ticket id');
      return ticketFor(ctx, ctx.store.read(), caller, id).view;
    },

    handle(caller, ticketId) {
      requireStaff(ctx, caller);
      const id = parseInput(ticketIdString, ticketId, 'ticket id');
      const db = ctx.store.read();
      const { ticket, view } = ticketFor(ctx, db, caller, id);
      const customer = ticket.customerId ? db.customers.find((c) => c.id === ticket.customerId) : undefined;
      const customerWords = ticket.messages.filter((m) => m.author.kind !== 'staff' && m.visibility === 'public').map((m) => m.body);
      return {
        ticket: view,
        customer: customer ? customerRecordView(customer) : null,
        notes: customer ? notesOf(db, customer.id) : [],
        analysis: analyze([ticket.subject, ticket.description, ...customerWords].join('\n')),
      };
    },

    ...redactedUpdates(ctx),
  };
}
