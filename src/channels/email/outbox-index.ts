/**
 * Lookups into the store's outbox array without scanning all of it per mail. The outbox keeps every sent
 * and failed mail for the retention period (30 days by default: tens of thousands of items on a busy inbox),
 * and each reply used to scan it several times (duplicate check, finding its item to record the outcome,
 * collecting due items), which made the cost per reply grow with the mail of the last month.
 *
 * Nothing here is stored: it is derived from the array and checked against it on every use, so writers that
 * do not know about it (support's system mail, the retention prune, a reload) cannot make it lie.
 * - Positions by item id, and reply keys (thread, source message, reply kind) → item id, are filled in
 *   from the array's new tail (items are only ever appended); an entry that no longer matches the array,
 *   or an array that shrank or was replaced, rebuilds from scratch.
 * - Pending items: items before a low-water mark are known final (an item never goes back to pending);
 *   the mark only moves forward and is reset when the array is replaced or shrinks.
 */
import type { Db, OutboxItem } from '../../store/schema.js';

export interface OutboxIndex {
  /** Index of item `id` in `db.outbox`, or -1. */
  position(db: Readonly<Db>, id: string): number;
  /** The reply already queued for (thread, source message, kind), if any. */
  findReply(db: Readonly<Db>, threadKey: string, sourceId: string, replyKind: string): OutboxItem | undefined;
  /** Every pending item, in array order. */
  pending(db: Readonly<Db>): OutboxItem[];
}

const replyKey = (threadKey: string, sourceId: string, kind: string) => `${threadKey}\u0000${sourceId}\u0000${kind}`;

function keyOf(item: OutboxItem): string | undefined {
  const p = item.payload;
  return typeof p['sourceId'] === 'string' && typeof p['replyKind'] === 'string' ? replyKey(item.threadKey, p['sourceId'], p['replyKind']) : undefined;
}

export function createOutboxIndex(): OutboxIndex {
  let arr: readonly OutboxItem[] | undefined;
  let seen = 0; // items [0, seen) are in the maps
  let low = 0; // items [0, low) are final
  const byId = new Map<string, number>();
  const byReply = new Map<string, string>();

  function sync(db: Readonly<Db>): readonly OutboxItem[] {
    const cur = db.outbox;
    if (cur !== arr || cur.length < seen) reset(cur);
    fill(cur);
    return cur;
  }
  /** Add the items appended since the last look. */
  function fill(cur: readonly OutboxItem[]): void {
    for (; seen < cur.length; seen++) add(cur[seen] as OutboxItem, seen);
  }
  function reset(cur: readonly OutboxItem[]): void {
    arr = cur;
    seen = 0;
    low = 0;
    byId.clear();
    byReply.clear();
  }
  function add(item: OutboxItem, i: number): void {
    byId.set(item.id, i);
    const k = keyOf(item);
    if (k !== undefined) byReply.set(k, item.id);
  }
  /** A lookup that missed or did not match: the array changed under us in a way its length does not show. */
  function rebuild(cur: readonly OutboxItem[]): void {
    reset(cur);
    fill(cur);
  }

  function position(db: Readonly<Db>, id: string): number {
    const cur = sync(db);
    let i = byId.get(id);
    if (i !== undefined && cur[i]?.id === id) return i;
    rebuild(cur);
    i = byId.get(id);
    return i !== undefined && cur[i]?.id === id ? i : -1;
  }

  return {
    position,
    findReply(db, threadKey, sourceId, replyKind) {
      const cur = sync(db);
      const k = replyKey(threadKey, sourceId, replyKind);
      const id = byReply.get(k);
      if (id === undefined) return undefined;
      const i = position(db, id);
      const item = i < 0 ? undefined : cur[i];
      if (item && keyOf(item) === k) return item;
      byReply.delete(k);
      return undefined;
    },
    pending(db) {
      const cur = sync(db);
      while (low < cur.length && (cur[low] as OutboxItem).status !== 'pending') low++;
      const out: OutboxItem[] = [];
      for (let i = low; i < cur.length; i++) if ((cur[i] as OutboxItem).status === 'pending') out.push(cur[i] as OutboxItem);
      return out;
    },
  };
}
