/**
 * Named leases: one holder at a time across processes and instances (one IMAP poller, one approval sweeper, one
 * retention run). A lease lasts `ttlMs` from its last acquire or renew, measured by the engine's clock (PostgreSQL:
 * the database's `now()`, one clock for every instance); the holder renews well before it ends and stops the
 * guarded work when a renew fails. `fence` increases every time a different holder acquires the lease (or the
 * same holder re-acquires after it ended), so work can be tagged with the lease it ran under.
 * Use leases outside `transaction(fn)`: inside, they take effect only when it commits.
 */
export interface Lease {
  name: string;
  holder: string;
  /** When it ends unless renewed (engine clock). */
  until: string;
  fence: number;
}

export interface LeaseRepository {
  /**
   * Take the lease when it is free or ended, or extend it when `holder` holds it already. `undefined` when someone
   * else holds it. Of concurrent acquires of a free lease exactly one wins.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;

  /** Extend to `ttlMs` from now, only while `holder` holds it and it has not ended. `undefined` otherwise (lost). */
  renew(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;

  /** End it now when `holder` holds it; true when released. */
  release(name: string, holder: string): Promise<boolean>;

  /** The lease while it lasts; `undefined` when free or ended. */
  get(name: string): Promise<Lease | undefined>;

  /**
   * Forget leases whose name starts with `prefix` and that ended before `before` (at most `limit`; how many). For
   * leases named per item (one per conversation thread), which would otherwise pile up; a later acquire starts anew.
   */
  pruneEnded(prefix: string, before: string, limit: number): Promise<number>;
}
