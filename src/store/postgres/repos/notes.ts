import { checkLimit } from '../../repos/common.js';
import type { NoteRepository } from '../../repos/notes.js';
import type { Session } from '../db.js';
import { noteOf } from '../records.js';

export function pgNotes(s: Session): NoteRepository {
  return {
    /** The customer must exist: the foreign key answers `not_found`. */
    add: (n) => s.run('write', async (q) => {
      await q.count('INSERT INTO notes (id, customer_id, author_kind, author_id, body, ticket_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [n.id, n.customerId, n.author.kind, n.author.id, n.body, n.ticketId ?? null, n.createdAt]);
    }),

    listForCustomer: (customerId, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      return (await q.rows('SELECT * FROM notes WHERE customer_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2', [customerId, limit])).map(noteOf);
    }),
  };
}
