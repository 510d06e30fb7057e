/** A small insertion-ordered cache with a size bound and an optional time-to-live (per instance, never global). */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  has(key: string): boolean;
  delete(key: string): void;
  /** Adds the key; false when it was already there (and still fresh). */
  add(key: string, value: V): boolean;
  readonly size: number;
}

export function createBoundedCache<V>(opts: { max: number; ttlMs?: number; now?: () => number }): BoundedCache<V> {
  const now = opts.now ?? (() => Date.now());
  const entries = new Map<string, { value: V; at: number }>();
  const fresh = (e: { at: number }) => opts.ttlMs === undefined || now() - e.at < opts.ttlMs;
  const get = (key: string): V | undefined => {
    const e = entries.get(key);
    if (!e) return undefined;
    if (!fresh(e)) {
      entries.delete(key);
      return undefined;
    }
    return e.value;
  };
  const set = (key: string, value: V): void => {
    entries.delete(key);
    entries.set(key, { value, at: now() });
    while (entries.size > opts.max) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };
  return {
    get,
    set,
    has: (key) => get(key) !== undefined,
    delete: (key) => void entries.delete(key),
    add(key, value) {
      if (get(key) !== undefined) return false;
      set(key, value);
      return true;
    },
    get size() {
      return entries.size;
    },
  };
}
