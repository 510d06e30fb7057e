import type { Db } from './schema.js';

/**
 * The store port. Everything above `store` talks to this, never to lowdb, so a server
 * database can take over later.
 *
 * Semantics:
 * - `read()` returns the current in-memory state. Treat it as read-only.
 * - `update(fn)` runs `fn` synchronously against the state (so a read-check-write inside one
 *   `fn` is atomic: compare-and-set), then resolves with `fn`'s result only once the change is
 *   durably on disk. If `fn` throws, the promise rejects with that error and no write is
 *   scheduled — but `fn` runs on the live state (no copy, so a 50 MB store stays fast), so
 *   every `fn` must do all of its checks BEFORE its first mutation.
 *   Many updates in flight coalesce into few file rewrites (or journal appends).
 * - `fn` must reach everything it changes through its `db` argument (never through objects kept from
 *   `read()` or from an earlier update): the file store journals only the changes it sees. Objects `fn`
 *   receives may be tracking views of the state; what `fn` returns, and what it stores, is unwrapped.
 * - `flush()` resolves once every update made so far is on disk.
 * - `close()` flushes and releases the lock; later calls reject.
 */
export interface Store {
  read(): Readonly<Db>;
  update<T>(fn: (db: Db) => T): Promise<T>;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Where the data lives (for messages and readiness checks). */
  readonly location: string;
}
