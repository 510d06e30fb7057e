import { emptyDb, type Db } from './schema.js';
import type { Store } from './types.js';

/** A store held only in memory: for tests and benchmarks. Same semantics as the file store, minus the disk. */
export function createMemoryStore(initial?: Db): Store {
  const db: Db = initial ? structuredClone(initial) : emptyDb();
  let closed = false;
  return {
    location: 'memory',
    read: () => db,
    async update<T>(fn: (d: Db) => T): Promise<T> {
      if (closed) throw new Error('store is closed');
      return fn(db);
    },
    async flush() {},
    async close() {
      closed = true;
    },
  };
}
