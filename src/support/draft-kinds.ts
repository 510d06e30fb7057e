import { z } from 'zod';
import type { DraftKind } from '../store/schema.js';
import { ticketPrioritySchema, ticketStatusSchema } from '../store/schema.js';
import type { Support } from './api.js';
import type { Caller } from './caller.js';
import { idString, LIMITS, optionalText, text, ticketIdString } from './validation.js';

/**
 * What each kind of draft carries, how it reads to a person, which of its fields a person may edit before
 * sending, and the support operation that Send runs (as the staff member who clicked).
 */
interface KindSpec<S extends z.ZodObject> {
  schema: S;
  /** Text fields a person may edit before sending. */
  editable: ReadonlyArray<keyof z.output<S> & string>;
  summary(input: z.output<S>): string;
  run(ops: DraftOps, staff: Caller, input: z.output<S>): Promise<string>;
}

export type DraftOps = Pick<Support, 'tickets' | 'notes'>;

const clip = (s: string, n = 140) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const spec = <S extends z.ZodObject>(s: KindSpec<S>) => s;

export const DRAFT_KINDS = {
  ticket_response: spec({
    schema: z.strictObject({
      ticketId: ticketIdString,
      message: text(LIMITS.message),
      visibility: z.enum(['public', 'internal']),
      status: ticketStatusSchema.optional(),
      note: optionalText(LIMITS.note),
    }),
    editable: ['message', 'note'],
    summary: (i) => `${i.visibility === 'public' ? 'Public reply (the customer sees it)' : 'Internal note'} on ${i.ticketId}${i.status ? `, status → ${i.status}` : ''}: “${clip(i.message)}”`,
    run: async (ops, staff, i) => `Responded on ${(await ops.tickets.respond(staff, i)).id}`,
  }),
  ticket_status: spec({
    schema: z.strictObject({ ticketId: ticketIdString, status: ticketStatusSchema, note: optionalText(LIMITS.note) }),
    editable: ['note'],
    summary: (i) => `Move ${i.ticketId} to ${i.status}${i.note ? ` (“${clip(i.note)}”)` : ''}`,
    run: async (ops, staff, i) => `${(await ops.tickets.updateStatus(staff, i)).id} is now ${i.status}`,
  }),
  customer_note: spec({
    schema: z.strictObject({ customerId: idString, body: text(LIMITS.note), ticketId: ticketIdString.optional() }),
    editable: ['body'],
    summary: (i) => `CRM note on ${i.customerId}${i.ticketId ? ` (${i.ticketId})` : ''}: “${clip(i.body)}”`,
    run: async (ops, staff, i) => `Note ${(await ops.notes.add(staff, i)).id} added`,
  }),
  ticket_create: spec({
    schema: z.strictObject({
      subject: text(LIMITS.subject),
      description: text(LIMITS.description),
      priority: ticketPrioritySchema.optional(),
      customerId: idString.optional(),
      contact: optionalText(254),
    }),
    editable: ['subject', 'description'],
    summary: (i) => `New ${i.priority ?? 'normal'} ticket${i.customerId ? ` for ${i.customerId}` : ''}: “${clip(i.subject)}”`,
    run: async (ops, staff, i) => `Ticket ${(await ops.tickets.create(staff, {}, i)).id} opened`,
  }),
} satisfies Record<DraftKind, KindSpec<z.ZodObject>>;

export function kindSpec(kind: DraftKind): KindSpec<z.ZodObject> {
  return DRAFT_KINDS[kind] as unknown as KindSpec<z.ZodObject>;
}
