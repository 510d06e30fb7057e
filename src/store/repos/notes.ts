/** CRM notes staff keep on a customer (optionally about one of their tickets). Append-only. */
import type { Note } from '../schema.js';

export interface NoteRepository {
  /** Insert. `conflict` on a duplicate id; `not_found` when the customer does not exist. */
  add(note: Note): Promise<void>;

  /** The customer's notes, newest first (`createdAt` descending, then insertion order descending), at most `limit`. */
  listForCustomer(customerId: string, limit: number): Promise<Note[]>;
}
