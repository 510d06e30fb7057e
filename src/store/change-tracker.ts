import type { Db } from './schema.js';

/**
 * What changed since the last commit. `colls`, per top-level entry of the database: `'all'` (the entry was
 * replaced, or is not a collection) or the keys of the elements that changed (array indices as strings, record
 * keys); an array listed here also gets its length recorded. `entries`, for the records inside `state` (small
 * maps and hash shards): element key → the keys set or deleted directly on it, for elements not changed in any
 * other way (not listed in `colls`), so a write to one entry of a 500-entry shard journals that entry only.
 */
export interface Dirty {
  colls: Map<string, Set<string> | 'all'>;
  entries: Map<string, Set<string>>;
}

/** The collection whose elements (records) are tracked entry by entry. */
export const ENTRY_TRACKED = 'state';

export interface ChangeTracker {
  /**
   * Run `fn` against a change-tracking view of `db`: every set/delete/defineProperty reached through
   * it marks the collection + element it lands in. Values stored through the view and the value `fn`
   * returns are unwrapped (no proxy ever ends up in the database or in the caller's hands), and
   * `structuredClone` of tracked values works inside `fn`.
   */
  run<T>(db: Db, fn: (db: Db) => T): T;
  /** The changes marked so far; starts a fresh set. */
  take(): Dirty;
  /** True when changes are marked and not yet taken. */
  hasPending(): boolean;
}

const INDEX = /^(?:0|[1-9]\d*)$/;

function isPlainContainer(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Level of a proxy: 0 = the database, 1 = a collection, 2 = inside one element of a collection (`top`: the
 * element itself, not an object nested in it).
 */
interface Where { level: 0 | 1 | 2; coll: string; key: string; top: boolean }

export function createChangeTracker(): ChangeTracker {
  let pending: Dirty['colls'] = new Map();
  let entries: Dirty['entries'] = new Map();
  /** Every proxy this tracker made → its target (lives as long as the proxies do). */
  const targets = new WeakMap<object, object>();

  function markAll(coll: string): void {
    pending.set(coll, 'all');
  }
  /** Entry `entry` of element `key` of the entry-tracked collection was set or deleted. */
  function markEntry(key: string, entry: string): void {
    const cur = pending.get(ENTRY_TRACKED);
    if (cur === 'all' || cur?.has(key)) return; // the whole element is journalled anyway
    const set = entries.get(key);
    if (set) set.add(entry);
    else entries.set(key, new Set([entry]));
  }
  function markKey(coll: string, key: string | undefined): void {
    const cur = pending.get(coll);
    if (cur === 'all') return;
    const set = cur ?? new Set<string>();
    if (!cur) pending.set(coll, set);
    if (key !== undefined) set.add(key);
  }

  /** Replace (in place) every tracked proxy inside a value about to be stored by its target. */
  function unwrapDeep(v: unknown, seen?: Set<object>): unknown {
    if (v === null || typeof v !== 'object') return v;
    const raw = targets.get(v);
    if (raw) return raw; // a database object: holds no proxies
    if (!isPlainContainer(v)) return v;
    const visited = seen ?? new Set<object>();
    if (visited.has(v)) return v;
    visited.add(v);
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const child = rec[k];
      if (child === null || typeof child !== 'object') continue;
      const u = unwrapDeep(child, visited);
      if (u !== child) rec[k] = u;
    }
    return v;
  }

  /** A copy of `v` with proxies replaced by their targets (for structuredClone; `v` itself is left alone). */
  function unwrappedCopy(v: unknown, depth = 0): unknown {
    if (v === null || typeof v !== 'object') return v;
    const raw = targets.get(v);
    if (raw) return raw;
    if (!isPlainContainer(v) || depth > 200) return v;
    if (Array.isArray(v)) return v.map((x) => unwrappedCopy(x, depth + 1));
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
    for (const k of Object.keys(v)) out[k] = unwrappedCopy((v as Record<string, unknown>)[k], depth + 1);
    return out;
  }

  function markFor(where: Where, target: object, prop: string | symbol): void {
    if (typeof prop === 'symbol') return;
    if (where.level === 0) { markAll(prop); return; }
    if (where.level === 2) {
      if (where.top && where.coll === ENTRY_TRACKED && !Array.isArray(target)) { markEntry(where.key, prop); return; }markKey(where.coll, where.key); return; 
    }
    if (Array.isArray(target)) {
      if (prop === 'length') { markKey(where.coll, undefined); return; }
      if (INDEX.test(prop)) { markKey(where.coll, prop); return; }markAll(where.coll); return; 
    }
    markKey(where.coll, prop);
  }

  function view(db: Db): Db {
    const cache = new WeakMap<object, object>();
    /** Where each wrapped target sits; one handler serves every proxy of this view (no closures per proxy). */
    const whereOf = new WeakMap<object, Where>();
    const wrap = (value: object, where: Where): object => {
      const hit = cache.get(value);
      if (hit) return hit;
      const p = new Proxy(value, handler);
      cache.set(value, p);
      whereOf.set(value, where);
      targets.set(p, value);
      return p;
    };
    const at = (target: object): Where => whereOf.get(target) as Where;
    const handler: ProxyHandler<object> = {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (value === null || typeof value !== 'object' || typeof prop === 'symbol') return value;
        if (targets.has(value)) return value;
        const desc = Reflect.getOwnPropertyDescriptor(target, prop);
        if (desc && desc.configurable === false && desc.writable === false) return value; // proxy invariant
        const where = at(target);
        const child: Where = where.level === 0 ? { level: 1, coll: prop, key: '', top: false }
          : where.level === 1 ? { level: 2, coll: where.coll, key: prop, top: true }
          : where.top ? { ...where, top: false } : where;
        return wrap(value, child);
      },
      set(target, prop, value) {
        markFor(at(target), target, prop);
        return Reflect.set(target, prop, unwrapDeep(value));
      },
      deleteProperty(target, prop) {
        markFor(at(target), target, prop);
        return Reflect.deleteProperty(target, prop);
      },
      defineProperty(target, prop, desc) {
        markFor(at(target), target, prop);
        const d = 'value' in desc ? { ...desc, value: unwrapDeep(desc.value) } : desc;
        return Reflect.defineProperty(target, prop, d);
      },
    };
    return wrap(db, { level: 0, coll: '', key: '', top: false }) as Db;
  }

  return {
    run<T>(db: Db, fn: (db: Db) => T): T {
      const g = globalThis as { structuredClone: typeof structuredClone };
      const original = g.structuredClone;
      const patched = ((v: unknown, o?: Parameters<typeof structuredClone>[1]) => original(unwrappedCopy(v), o)) as typeof structuredClone;
      g.structuredClone = patched;
      try {
        return unwrapDeep(fn(view(db))) as T;
      } finally {
        g.structuredClone = original;
      }
    },
    take() {
      const taken: Dirty = { colls: pending, entries };
      pending = new Map();
      entries = new Map();
      return taken;
    },
    hasPending: () => pending.size > 0 || entries.size > 0,
  };
}
