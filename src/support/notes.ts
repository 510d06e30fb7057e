import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Actor, Db, Note } from '../store/schema.js';
import type { Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireStaff } from './authority.js';
import { actorOf } from './caller.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { redactSecrets } from './redact/index.js';
import { idString, LIMITS, parseInput, text, ticketIdString } from './validation.js';

const addSchema = z.strictObject({ customerId: idString, body: text(LIMITS.note), ticketId: ticketIdString.optional() });

/** Append a CRM note and its audit entry (inside an update, after all checks). Secrets in the body are removed. */
export function pushNote(db: Db, at: Date, author: Actor, customerId: string, body: string, ticketId?: string): Note {
  const note: Note = { id: newId('note'), customerId, author: { ...author }, body: redactSecrets(body).text, createdAt: at.toISOString() };
  if (ticketId) note.ticketId = ticketId;
  db.notes.push(note);
  recordAudit(db, at, author, 'note.add', `customer:${customerId}`, { noteId: note.id, ticketId });
  return note;
}

/** A customer's notes, newest first. */
export function notesOf(db: Readonly<Db>, customerId: string): Note[] {
  return db.notes
    .filter((n) => n.customerId === customerId)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((n) => structuredClone(n));
}

export function createNotes(ctx: SupportContext): Support['notes'] {
  return {
    async add(caller, input) {
      const staff = requireStaff(ctx, caller);
      const parsed = parseInput(addSchema, input, 'note');
      return ctx.store.update((db) => {
        if (!db.customers.some((c) => c.id === parsed.customerId)) throw new AppError('not_found', `No customer ${parsed.customerId} was found.`);
        if (parsed.ticketId && !db.tickets.some((t) => t.id === parsed.ticketId && t.customerId === parsed.customerId)) {
          throw new AppError('not_found', `No ticket ${parsed.ticketId} was found for customer ${parsed.customerId}.`);
        }
        return structuredClone(pushNote(db, ctx.now(), actorOf(staff), parsed.customerId, parsed.body, parsed.ticketId));
      });
    },

    list(caller, customerId) {
      requireStaff(ctx, caller);
      const id = parseInput(idString, customerId, 'customer id');
      const db = ctx.store.read();
      if (!db.customers.some((c) => c.id === id)) throw new AppError('not_found', `No customer ${id} was found.`);
      return notesOf(db, id);
    },
  };
}
