/** Inbound messages that could not be handled (too large, unparseable, failing repeatedly), kept for people. */
import type { QuarantineEntry } from '../schema.js';

export interface QuarantineRepository {
  /** Append. `conflict` on a duplicate id. */
  add(entry: QuarantineEntry): Promise<void>;

  /** Newest first (append order descending), at most `limit`. */
  list(limit: number): Promise<QuarantineEntry[]>;

  /** Metrics: how many entries there are. */
  count(): Promise<number>;
}
