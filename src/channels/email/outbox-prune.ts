/**
 * Retention of the email outbox: sent and failed items are kept for a while (duplicate-reply checks, matching a
 * late bounce to its recipient, support questions), then dropped so the outbox — and every scan of it — stays
 * bounded however long the bot runs. Pending items are never dropped.
 */
import type { Db, OutboxItem } from '../../store/schema.js';

function expired(item: OutboxItem, before: string): boolean {
  return item.status !== 'pending' && (item.sentAt ?? item.createdAt) < before;
}

/** How many finished items were created (or sent) before `before`; read-only, to skip a store write when none. */
export function countPrunable(outbox: readonly OutboxItem[], before: string): number {
  let n = 0;
  for (const item of outbox) if (expired(item, before)) n++;
  return n;
}

/** Drop finished items older than `before`, keeping the order of the rest. Inside `store.update`. Returns how many. */
export function pruneOutbox(db: Db, before: string): number {
  const kept = db.outbox.filter((item) => !expired(item, before));
  const dropped = db.outbox.length - kept.length;
  if (dropped > 0) db.outbox = kept;
  return dropped;
}
