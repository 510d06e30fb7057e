/**
 * The processed-message ledger: every inbound message id, claimed before any side effect, so a redelivery
 * (Slack retry, IMAP re-sync, a second instance) is recognised and dropped. While a message is queued its entry
 * carries the (redacted) message, so a restart re-queues it. "Unfinished" = status `received` or `queued`.
 */
import type { Processed } from '../schema.js';

export type LedgerStatus = Processed['status'];

/** A change to an entry; absent fields stay. */
export interface LedgerChange {
  status?: LedgerStatus | undefined;
  /** `null` removes the reason. */
  reason?: string | null | undefined;
  /** The pending message to keep (only kept while the entry is unfinished). */
  message?: Record<string, unknown> | undefined;
}

export interface InboundLedgerRepository {
  /**
   * Insert the entry if its id is new. True: this call claimed the id. False: it was already there (the stored entry
   * is unchanged). Exactly one of any number of concurrent claims of one id wins (unique key; PostgreSQL:
   * `INSERT … ON CONFLICT (id) DO NOTHING`). A finished status drops `message`.
   */
  claim(entry: Processed): Promise<boolean>;

  get(id: string): Promise<Processed | undefined>;

  /**
   * Apply `change` and set `updatedAt = at`. Once the status is finished (`done`, `ignored`, `failed`) the stored
   * message is dropped. False when there is no such entry.
   */
  update(id: string, change: LedgerChange, at: string): Promise<boolean>;

  /**
   * Unfinished entries in arrival (claim) order, at most `limit`, after the entry with id `afterId` (for paging).
   * Partial index on arrival order where unfinished.
   */
  listUnfinished(limit: number, afterId?: string | undefined): Promise<Processed[]>;

  /**
   * One thread's unfinished entries in arrival order, at most `limit`: with several instances, whoever runs the thread
   * runs these first, whichever instance claimed them. Index on (threadKey, arrival).
   */
  unfinishedInThread(threadKey: string, limit: number): Promise<Processed[]>;

  /** Which of these thread keys (at most 1000) have an unfinished entry. Index on (threadKey) where unfinished. */
  threadsWithUnfinished(threadKeys: readonly string[]): Promise<string[]>;

  /** Retention: delete finished entries last updated before `before`, at most `limit`. Returns how many. */
  pruneFinished(before: string, limit: number): Promise<number>;

  /**
   * Count bound: while there are more than `maxEntries` entries, delete the oldest finished ones (arrival order),
   * never one updated at or after `notBefore`; at most `limit` in one call. Returns how many.
   */
  trimFinished(maxEntries: number, notBefore: string, limit: number): Promise<number>;

  /** How many entries there are. */
  count(): Promise<number>;
}
