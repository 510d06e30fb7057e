/**
 * The audit log: one entry per change a person, the model or the system made. Append-only; write an entry in
 * the same `transaction` as the change it records. `details` never holds a secret.
 */
import type { AuditEntry } from '../schema.js';
import type { Page, PageRequest } from './common.js';

export interface AuditRepository {
  /** Append. `conflict` on a duplicate id. */
  append(entry: AuditEntry): Promise<void>;

  /** Newest first (append order descending: PostgreSQL orders by a bigserial), paginated. */
  list(page: PageRequest): Promise<Page<AuditEntry>>;

  /** Entries about one target (e.g. `approval:apr_…`), newest first, at most `limit`. Index on (target, seq). */
  listForTarget(target: string, limit: number): Promise<AuditEntry[]>;
}
