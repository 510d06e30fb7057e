import { AppError } from '../../errors.js';
import { checkLimit, instant } from '../repos/common.js';
import type { NoteRepository } from '../repos/notes.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memoryNotes(s: MemoryState, run: Run): NoteRepository {
  return {
    add: (note) => run(() => {
      if (!s.customers.has(note.customerId)) throw new AppError('not_found', `No customer ${note.customerId} was found.`);
      s.notes.insert(note);
    }),
    listForCustomer: (customerId, limit) => run(() => {
      checkLimit(limit);
      return s.notes.where('customer', customerId)
        .sort((a, b) => instant(b.createdAt) - instant(a.createdAt) || s.notes.seqOf(b.id) - s.notes.seqOf(a.id))
        .slice(0, limit);
    }),
  };
}
