/**
 * An in-memory table: rows by primary key, secondary indexes (value → keys), optional unique indexes, and an
 * insertion sequence number per row for stable ordering. Stored rows are deep copies, frozen: code never changes
 * a stored row in place, it writes a new one. Every write reports how to undo it (`undo` hook), which is how
 * operations and transactions roll back.
 */
import { AppError } from '../../errors.js';

export type IndexFn<T> = (row: T) => string | undefined;

export interface TableOptions<T> {
  key: (row: T) => string;
  indexes?: Record<string, IndexFn<T>>;
  /** Names of indexes whose values must be unique. */
  unique?: readonly string[];
}

export interface Table<T> {
  readonly name: string;
  get(key: string): T | undefined;
  has(key: string): boolean;
  /** Insertion sequence of the row (kept by `put`), or -1. */
  seqOf(key: string): number;
  /** `conflict` when the key or a unique index value is taken. Returns the stored (frozen) row. */
  insert(row: T): T;
  /** Insert or replace (a replaced row keeps its sequence number). */
  put(row: T): T;
  delete(key: string): boolean;
  /** Rows with `value` in `index`, in insertion order. */
  where(index: string, value: string): T[];
  countWhere(index: string, value: string): number;
  /** Every row in insertion order (for aggregates and retention passes of this engine). */
  scan(): T[];
  size(): number;
}

interface Entry<T> { row: T; seq: number }

/** A deep, frozen copy. */
export function frozenCopy<T>(value: T): T {
  const copy = structuredClone(value);
  deepFreeze(copy);
  return copy;
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const child of Object.values(v)) deepFreeze(child);
}

export function createTable<T>(name: string, opts: TableOptions<T>, undo: (fn: () => void) => void): Table<T> {
  const rows = new Map<string, Entry<T>>();
  const indexes = new Map<string, Map<string, Set<string>>>();
  const indexFns = Object.entries(opts.indexes ?? {});
  for (const [n] of indexFns) indexes.set(n, new Map());
  const unique = new Set(opts.unique ?? []);
  let nextSeq = 0;

  function bucket(index: string, value: string): Set<string> | undefined {
    const idx = indexes.get(index);
    if (!idx) throw new AppError('internal', `table ${name} has no index ${index}`);
    return idx.get(value);
  }

  function link(key: string, row: T): void {
    for (const [n, fn] of indexFns) {
      const v = fn(row);
      if (v === undefined) continue;
      const idx = indexes.get(n) as Map<string, Set<string>>;
      let set = idx.get(v);
      if (!set) {
        set = new Set();
        idx.set(v, set);
      }
      set.add(key);
    }
  }

  function unlink(key: string, row: T): void {
    for (const [n, fn] of indexFns) {
      const v = fn(row);
      if (v === undefined) continue;
      const idx = indexes.get(n) as Map<string, Set<string>>;
      const set = idx.get(v);
      set?.delete(key);
      if (set?.size === 0) idx.delete(v);
    }
  }

  /** Raw write without undo: `entry` undefined removes the key. */
  function set(key: string, entry: Entry<T> | undefined): void {
    const prev = rows.get(key);
    if (prev) unlink(key, prev.row);
    if (entry) {
      rows.set(key, entry);
      link(key, entry.row);
    } else {
      rows.delete(key);
    }
  }

  function checkUnique(key: string, row: T): void {
    for (const [n, fn] of indexFns) {
      if (!unique.has(n)) continue;
      const v = fn(row);
      if (v === undefined) continue;
      const holders = bucket(n, v);
      if (holders && [...holders].some((k) => k !== key)) throw new AppError('conflict', `${name}: the ${n} is already in use`);
    }
  }

  function write(key: string, row: T, seq: number): T {
    const stored = frozenCopy(row);
    if (opts.key(stored) !== key) throw new AppError('internal', `${name}: a row's key cannot change`);
    checkUnique(key, stored);
    const prev = rows.get(key);
    set(key, { row: stored, seq });
    undo(() => set(key, prev));
    return stored;
  }

  const sorted = (keys: Iterable<string>): T[] =>
    [...keys].map((k) => rows.get(k) as Entry<T>).sort((a, b) => a.seq - b.seq).map((e) => e.row);

  return {
    name,
    get: (key) => rows.get(key)?.row,
    has: (key) => rows.has(key),
    seqOf: (key) => rows.get(key)?.seq ?? -1,
    insert(row) {
      const key = opts.key(row);
      if (rows.has(key)) throw new AppError('conflict', `${name}: ${key} already exists`);
      return write(key, row, nextSeq++);
    },
    put(row) {
      const key = opts.key(row);
      return write(key, row, rows.get(key)?.seq ?? nextSeq++);
    },
    delete(key) {
      const prev = rows.get(key);
      if (!prev) return false;
      set(key, undefined);
      undo(() => set(key, prev));
      return true;
    },
    where: (index, value) => sorted(bucket(index, value) ?? []),
    countWhere: (index, value) => bucket(index, value)?.size ?? 0,
    scan: () => sorted(rows.keys()),
    size: () => rows.size,
  };
}
