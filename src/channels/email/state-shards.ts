/**
 * A map kept in the store's `state` as hash shards `<name>/00` … `<name>/ff` instead of one record under
 * `<name>`. The file store journals a change to an entry of a `state` record as that entry alone, but a whole
 * snapshot still serialises every record, and a change it cannot journal entry by entry (one out of the record's
 * key order) writes the whole record: a shard is 1/256 of the map.
 *
 * Bounded: each shard keeps its own insertion order and at most `ceil(cap / SHARDS)` entries (the oldest
 * go first), so the map holds at most about `cap`. A map written by an older version as one record under
 * `<name>` is still read (after the shards) and is moved into the shards by `migrate`.
 * Every function runs inside `store.update` (or reads a snapshot), synchronously.
 */
import type { Db } from '../../store/schema.js';

export const SHARDS = 256;

type Rec<T> = Record<string, T>;

function isRec(v: unknown): v is Rec<unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** FNV-1a, 32 bits. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface ShardedMap<T> {
  get(db: Readonly<Db>, key: string): T | undefined;
  /** Insert, or re-insert as the newest entry of its shard. */
  set(db: Db, key: string, value: T): void;
  delete(db: Db, key: string): void;
  /** Every entry, shard by shard (each shard oldest first). */
  entries(db: Readonly<Db>): Array<[string, T]>;
  /** Delete every entry `dead` says is over (reads every shard: for occasional housekeeping). */
  sweep(db: Db, dead: (value: T, key: string) => boolean): void;
  /** Move the entries of the old single record `<name>` into the shards (in their order) and drop it. */
  migrate(db: Db): void;
}

/** `legacy: false`: the record `<name>` is someone else's (not an old copy of this map); never read it. */
export function shardedMap<T>(name: string, cap = Number.POSITIVE_INFINITY, opts: { legacy?: boolean } = {}): ShardedMap<T> {
  const legacy = opts.legacy ?? true;
  const perShard = Math.max(1, Math.ceil(cap / SHARDS));
  const shardKey = (key: string) => `${name}/${(hash(key) % SHARDS).toString(16).padStart(2, '0')}`;
  const allShardKeys = Array.from({ length: SHARDS }, (_, i) => `${name}/${i.toString(16).padStart(2, '0')}`);

  function peek(db: Readonly<Db>, k: string): Readonly<Rec<T>> | undefined {
    if (k === name && !legacy) return undefined;
    const cur = db.state[k];
    return isRec(cur) ? (cur as Rec<T>) : undefined;
  }

  function bag(db: Db, k: string): Rec<T> {
    const cur = db.state[k];
    if (isRec(cur)) return cur as Rec<T>;
    const fresh: Rec<T> = {};
    db.state[k] = fresh;
    return fresh;
  }

  function put(db: Db, key: string, value: T): void {
    const shard = bag(db, shardKey(key));
    const existed = Object.hasOwn(shard, key);
    if (existed) delete shard[key]; // re-insert: insertion order = recency for the cap
    shard[key] = value;
    if (existed || !Number.isFinite(cap)) return;
    const keys = Object.keys(shard);
    for (let i = 0; i < keys.length - perShard; i++) delete shard[keys[i] as string];
  }

  return {
    get(db, key) {
      const v = peek(db, shardKey(key))?.[key];
      if (v !== undefined) return v;
      const old = peek(db, name);
      return old && Object.hasOwn(old, key) ? old[key] : undefined;
    },
    set(db, key, value) {
      put(db, key, value);
    },
    delete(db, key) {
      const shard = peek(db, shardKey(key));
      if (shard && Object.hasOwn(shard, key)) delete (shard as Rec<T>)[key];
      const old = peek(db, name);
      if (old && Object.hasOwn(old, key)) delete (old as Rec<T>)[key];
    },
    entries(db) {
      const out: Array<[string, T]> = [];
      const old = peek(db, name);
      if (old) for (const k of Object.keys(old)) out.push([k, old[k] as T]);
      for (const sk of allShardKeys) {
        const shard = peek(db, sk);
        if (shard) for (const k of Object.keys(shard)) out.push([k, shard[k] as T]);
      }
      return out;
    },
    sweep(db, dead) {
      for (const sk of [name, ...allShardKeys]) {
        const shard = peek(db, sk);
        if (!shard) continue;
        for (const k of Object.keys(shard)) if (dead(shard[k] as T, k)) delete (shard as Rec<T>)[k];
      }
    },
    migrate(db) {
      const old = peek(db, name);
      if (!old) {
        if (legacy && Object.hasOwn(db.state, name)) delete db.state[name];
        return;
      }
      const entries = Object.keys(old).map((k) => [k, old[k] as T] as const);
      delete db.state[name];
      for (const [k, v] of entries) if (peek(db, shardKey(k))?.[k] === undefined) put(db, k, v);
    },
  };
}
