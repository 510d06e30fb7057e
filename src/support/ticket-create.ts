import { z } from 'zod';
import { AppError } from '../errors.js';
import type { NewTicket as NewTicketRecord } from '../store/repos/index.js';
import { channelSchema, ticketPrioritySchema } from '../store/schema.js';
import type { NewTicket, Support, TicketView } from './api.js';
import { PRIORITY_RANK } from './analytics.js';
import { recordAudit } from './audit.js';
import { requireCustomer, requireStaff } from './authority.js';
import { actorOf, type Caller, type RequestContext } from './caller.js';
import type { SupportContext } from './context.js';
import { REDACTION_KINDS, redactSecrets } from './redact/index.js';
import { checkTicketAllowance, MAX_REQUESTED_PRIORITY } from './ticket-limits.js';
import { customerView, staffView } from './ticket-views.js';
import { emailString, idString, LIMITS, parseInput, requestContextSchema, text } from './validation.js';

const base = {
  subject: text(LIMITS.subject),
  description: text(LIMITS.description),
  priority: ticketPrioritySchema.optional(),
  channel: channelSchema.optional(),
};
const customerTicketSchema = z.strictObject(base);
const anonymousTicketSchema = z.strictObject({ ...base, contact: emailString.optional() });
const staffTicketSchema = z.strictObject({ ...base, contact: emailString.optional(), customerId: idString.optional() });

/**
 * Opens a ticket: validation, redaction and analysis first; then one transaction with the customer check, the hourly
 * allowance (counted inside it, so concurrent creations count each other), the ticket (its `T-<n>` id from the
 * repository's sequence) and the audit entry.
 */
export async function createTicket(ctx: SupportContext, analyze: Support['analytics']['analyze'], caller: Caller, rctx: RequestContext, input: NewTicket): Promise<TicketView> {
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
  const view = await ctx.repos.transaction(async (tx) => {
    const now = ctx.now();
    const at = now.toISOString();
    const customer = caller.kind === 'customer' ? await requireCustomer(tx, caller) : parsed.customerId ? await tx.customers.get(parsed.customerId) : undefined;
    if (parsed.customerId && !customer) throw new AppError('not_found', `No customer ${parsed.customerId} was found.`);
    const customerId = customer?.id ?? null;
    await checkTicketAllowance(tx, caller, { customerId, contact }, now);
    const draft: NewTicketRecord = {
      customerId,
      subject: subject.text,
      description: description.text,
      channel: where.channel ?? parsed.channel ?? 'web',
      priority,
      category: analysis.category.name,
      sentiment: analysis.sentiment.comparative,
      status: 'open',
      createdAt: at,
      updatedAt: at,
      messages: [],
      history: [{ at, from: null, to: 'open', by: actorOf(caller) }],
    };
    if (contact) draft.contact = contact;
    if (where.threadKey) draft.threadKey = where.threadKey;
    const ticket = await tx.tickets.create(draft);
    await recordAudit(tx, now, actorOf(caller), 'ticket.create', `ticket:${ticket.id}`, {
      customerId, priority, category: ticket.category, channel: ticket.channel, ...(redacted.length > 0 ? { redacted } : {}),
    });
    return caller.kind === 'staff' ? staffView(ticket, customer?.name) : customerView(ticket, customer?.name);
  });
  ctx.log?.info({ ticketId: view.id, priority, category: view.category, redacted }, 'ticket created');
  return view;
}
