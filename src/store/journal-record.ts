import { dbSchema, type Db } from './schema.js';
import { ENTRY_TRACKED, type Dirty } from './change-tracker.js';

/**
 * One change in a journal record. Every op is absolute (the element's whole current value, a delete
 * marker or an array length), never relative like "push", so a record's effect does not depend on
 * anything but the keys it names.
 * - `{c, w}` replace the whole top-level entry `c`; `{c, x: 1}` remove it
 * - `{c, i, v}` set array element `i` (`v` absent = null, as JSON writes undefined in arrays)
 * - `{c, len}` set the array's length
 * - `{c, k, v}` set record entry `k`; `{c, k, d: 1}` delete it
 * - `{in, k, e, v}` set entry `e` of the record at `in`.`k` as its newest key (removed, then added); `{in, k, e, d: 1}`
 *   delete it. Only for records inside `state`, and only when replaying them keeps the record's key order. Named
 *   `in`, not `c`, on purpose: a version from before these ops refuses such a journal (unknown collection) instead
 *   of misreading it as whole-record writes. Before a downgrade, stop cleanly: closing folds the journal in.
 */
export type JournalOp =
  | { c: string; w: unknown }
  | { c: string; x: 1 }
  | { c: string; i: number; v?: unknown }
  | { c: string; len: number }
  | { c: string; k: string; v?: unknown; d?: 1 }
  | { in: string; k: string; e: string; v?: unknown; d?: 1 };

export interface JournalRecord {
  seq: number;
  ops: JournalOp[];
}

/** Where the full file records the last journal seq it already contains. */
export const SEQ_KEY = 'store.journal';

const TOP_LEVEL = new Set(Object.keys(dbSchema.shape));
const MAX_INDEX = 1e9;

/** The ops that bring a copy of the database up to date with `db` for the entries in `dirty`. */
export function buildOps(db: Db, dirty: Dirty): JournalOp[] {
  const ops: JournalOp[] = [];
  const root = db as unknown as Record<string, unknown>;
  const colls = new Map(dirty.colls);
  if (dirty.entries.size > 0) entryOps(root, dirty, colls, ops);
  for (const [c, keys] of colls) {
    const cur = root[c];
    if (!Object.hasOwn(root, c) || cur === undefined) {
      ops.push({ c, x: 1 });
      continue;
    }
    if (keys === 'all' || cur === null || typeof cur !== 'object' || (Array.isArray(cur) && keys.size > 16 && keys.size * 2 > cur.length)) {
      ops.push({ c, w: cur });
      continue;
    }
    if (Array.isArray(cur)) {
      const indices = [...keys].map(Number).filter((i) => i < cur.length).sort((a, b) => a - b);
      for (const i of indices) ops.push({ c, i, v: cur[i] });
      ops.push({ c, len: cur.length });
      continue;
    }
    const rec = cur as Record<string, unknown>;
    for (const k of keys) {
      if (Object.hasOwn(rec, k) && rec[k] !== undefined) ops.push({ c, k, v: rec[k] });
      else ops.push({ c, k, d: 1 });
    }
  }
  return ops;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Entry ops for the `state` records changed only entry by entry. Replaying them removes the changed entries and
 * adds back the present ones in their current order, which yields the record's current key order only when those
 * are its last keys (true for writers that re-insert what they change, as the hash shards do); otherwise, or when
 * the record is gone, the whole element is journalled instead (added to `colls`).
 */
function entryOps(root: Record<string, unknown>, dirty: Dirty, colls: Map<string, Set<string> | 'all'>, ops: JournalOp[]): void {
  const c = ENTRY_TRACKED;
  const marked = colls.get(c);
  if (marked === 'all') return;
  const coll = root[c];
  if (!isRecord(coll)) return void colls.set(c, 'all');
  let whole: Set<string> | undefined;
  for (const [k, changed] of dirty.entries) {
    if (marked?.has(k)) continue;
    const r = Object.hasOwn(coll, k) ? coll[k] : undefined;
    const keys = isRecord(r) ? Object.keys(r) : [];
    const present = isRecord(r) ? [...changed].filter((e) => Object.hasOwn(r, e)).length : 0;
    const tail = keys.slice(keys.length - present);
    if (!isRecord(r) || !tail.every((e) => changed.has(e))) {
      whole ??= new Set(marked);
      whole.add(k);
      continue;
    }
    for (const e of changed) if (!Object.hasOwn(r, e)) ops.push({ in: c, k, e, d: 1 });
    for (const e of tail) ops.push(r[e] === undefined ? { in: c, k, e, d: 1 } : { in: c, k, e, v: r[e] });
  }
  if (whole) colls.set(c, whole);
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function applyEntryOp(root: Record<string, unknown>, o: Record<string, unknown>, bad: (why: string) => Error): void {
  const { in: c, k, e } = o;
  if (c !== ENTRY_TRACKED) throw bad(`entries of ${JSON.stringify(c)} are not journalled`);
  const coll = root[c];
  if (typeof k !== 'string' || typeof e !== 'string') throw bad('bad key');
  const rec = isRecord(coll) && Object.hasOwn(coll, k) ? coll[k] : undefined;
  if (!isRecord(rec)) throw bad(`${c}.${k} is not a record of entries`);
  delete rec[e];
  if (!('d' in o)) define(rec, e, o['v']);
}

/** Apply one parsed record to `db`. Throws an Error describing the first malformed op. */
export function applyRecord(db: Db, rec: unknown): JournalRecord {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new Error('not a journal record');
  const { seq, ops } = rec as { seq?: unknown; ops?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new Error('record has no valid seq');
  if (!Array.isArray(ops)) throw new Error(`record ${seq} has no ops list`);
  const root = db as unknown as Record<string, unknown>;
  for (const [n, op] of (ops as unknown[]).entries()) {
    const bad = (why: string) => new Error(`record ${seq} op ${n}: ${why}`);
    if (op === null || typeof op !== 'object' || Array.isArray(op)) throw bad('not an object');
    const o = op as Record<string, unknown>;
    if ('in' in o) {
      applyEntryOp(root, o, bad);
      continue;
    }
    const c = o['c'];
    if (typeof c !== 'string' || !TOP_LEVEL.has(c)) throw bad(`unknown collection ${JSON.stringify(c)}`);
    if ('w' in o) { define(root, c, o['w']); continue; }
    if ('x' in o) { delete root[c]; continue; }
    const target = root[c];
    if ('i' in o || 'len' in o) {
      if (!Array.isArray(target)) throw bad(`${c} is not a list`);
      const n2 = 'i' in o ? o['i'] : o['len'];
      if (typeof n2 !== 'number' || !Number.isInteger(n2) || n2 < 0 || n2 > MAX_INDEX) throw bad('bad index or length');
      if ('i' in o) target[n2] = 'v' in o ? o['v'] : null;
      else target.length = n2;
      continue;
    }
    if ('k' in o) {
      if (target === null || typeof target !== 'object' || Array.isArray(target)) throw bad(`${c} is not a record`);
      const k = o['k'];
      if (typeof k !== 'string') throw bad('bad key');
      if ('d' in o) delete (target as Record<string, unknown>)[k];
      else define(target as Record<string, unknown>, k, o['v']);
      continue;
    }
    throw bad('unknown op');
  }
  return rec as JournalRecord;
}

/** The full-file text of `db`, recording that it contains every journal record up to `seq`. */
export function snapshotText(db: Db, seq: number): string {
  if (seq <= 0) return JSON.stringify(db);
  return JSON.stringify({ ...db, state: { ...db.state, [SEQ_KEY]: { seq } } });
}

/** Remove the seq marker from a loaded database; returns the seq it held (0 when none). */
export function takeBaseSeq(db: Db): number {
  const mark = db.state[SEQ_KEY] as { seq?: unknown } | undefined;
  delete db.state[SEQ_KEY];
  const seq = mark?.seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : 0;
}
