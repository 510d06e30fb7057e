import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Actor, Note } from '../store/schema.js';
import type { Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireStaff } from './authority.js';
import { actorOf } from './caller.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { redactSecrets } from './redact/index.js';
import { idString, LIMITS, parseInput, text, ticketIdString } from './validation.js';

const addSchema = z.strictObject({ customerId: idString, body: text(LIMITS.note), ticketId: ticketIdString.optional() });

/** How many of a customer's notes staff see (newest first). */
export const NOTES_LIMIT = 200;

/** Append a CRM note and its audit entry (with `tx`, after all checks). Secrets in the body are removed. */
export async function pushNote(tx: Repositories, at: Date, author: Actor, customerId: string, body: string, ticketId?: string): Promise<Note> {
  const note: Note = { id: newId('note'), customerId, author: { ...author }, body: redactSecrets(body).text, createdAt: at.toISOString() };
  if (ticketId) note.ticketId = ticketId;
  await tx.notes.add(note);
  await recordAudit(tx, at, author, 'note.add', `customer:${customerId}`, { noteId: note.id, ticketId });
  return note;
}

export function createNotes(ctx: SupportContext): Support['notes'] {
  return {
    async add(caller, input) {
      const staff = requireStaff(ctx, caller);
      const parsed = parseInput(addSchema, input, 'note');
      return ctx.repos.transaction(async (tx) => {
        if (!(await tx.customers.get(parsed.customerId))) throw new AppError('not_found', `No customer ${parsed.customerId} was found.`);
        if (parsed.ticketId && (await tx.tickets.get(parsed.ticketId))?.customerId !== parsed.customerId) {
          throw new AppError('not_found', `No ticket ${parsed.ticketId} was found for customer ${parsed.customerId}.`);
        }
        return pushNote(tx, ctx.now(), actorOf(staff), parsed.customerId, parsed.body, parsed.ticketId);
      });
    },

    async list(caller, customerId) {
      requireStaff(ctx, caller);
      const id = parseInput(idString, customerId, 'customer id');
      if (!(await ctx.repos.customers.get(id))) throw new AppError('not_found', `No customer ${id} was found.`);
      return ctx.repos.notes.listForCustomer(id, NOTES_LIMIT);
    },
  };
}
