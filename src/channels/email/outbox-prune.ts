/**
 * Retention of the email outbox: sent and failed items are kept for a while (duplicate-reply checks, matching a
 * late bounce to its recipient, support questions), then dropped so the outbox — and every scan of it — stays
 * bounded however long the bot runs. Pending items are never dropped.
 */
import type { Db, OutboxItem } from '../../store/schema.js';

/**
 * Finished and older than `before` — and not the reply to a message that is still waiting in the processed
 * ledger (its turn may run or deliver again after a long outage; this item is what stops a second mail).
 */
function expired(db: Readonly<Db>, item: OutboxItem, before: string): boolean {
  if (item.status === 'pending' || (item.sentAt ?? item.createdAt) >= before) return false;
  const source = item.payload['sourceId'];
  const waiting = typeof source === 'string' ? db.processed[source] : undefined;
  return !(waiting && (waiting.status === 'queued' || waiting.status === 'received'));
}

/** How many items `pruneOutbox` would drop now; read-only, to skip a store write when none. */
export function countPrunable(db: Readonly<Db>, before: string): number {
  let n = 0;
  for (const item of db.outbox) if (expired(db, item, before)) n++;
  return n;
}

/** Drop finished items older than `before`, keeping the order of the rest. Inside `store.update`. Returns how many. */
export function pruneOutbox(db: Db, before: string): number {
  const kept = db.outbox.filter((item) => !expired(db, item, before));
  const dropped = db.outbox.length - kept.length;
  if (dropped > 0) db.outbox = kept;
  return dropped;
}
