/**
 * One pass of the outbox worker: send everything due, re-reading the outbox whenever a kick says more was
 * queued, until nothing is left. One lane while the queue is short; up to `parallel` lanes (pooled SMTP
 * connections) once a backlog builds. A lane takes the oldest item whose thread has nothing in flight, so a
 * thread's mails keep their order. Only durable items are sent: every read of the outbox is followed by a
 * store barrier (an empty update) before its items go out, so a crash can never lose the record of a mail
 * that SMTP already accepted (its retry reuses the stored Message-ID).
 */
import type { Logger } from '../../config/logger.js';
import type { OutboxItem } from '../../store/schema.js';

/** More due items than this: send over several connections at once. */
export const BACKLOG = 4;

export interface OutboxPassDeps {
  /** Pending items due now, oldest first (from memory). */
  due(): OutboxItem[];
  /** Resolves once everything applied to the store so far is on disk. */
  barrier(): Promise<void>;
  sendOne(item: OutboxItem): Promise<void>;
  parallel: number;
  isStopped(): boolean;
  /** Whether more was queued since the last look (and forget it). */
  takeKick(): boolean;
  log: Logger;
}

export async function runOutboxPass(deps: OutboxPassDeps): Promise<void> {
  const inflight = new Set<string>();
  const busyThreads = new Set<string>();
  const lanes: Array<Promise<void>> = [];
  let items: OutboxItem[] = [];
  let failed = false;
  let active = 0; // counted before lane() runs (a lane calls grow() itself), uncounted when it ends

  async function refill(): Promise<void> {
    const fresh = deps.due().filter((it) => !inflight.has(it.id));
    try {
      await deps.barrier();
    } catch (err) {
      deps.log.error({ err: String(err) }, 'outbox: store not writable; sending nothing until it is');
      failed = true;
      return;
    }
    items = fresh.filter((it) => !inflight.has(it.id));
  }

  function take(): OutboxItem | undefined {
    const i = items.findIndex((it) => !busyThreads.has(it.threadKey));
    return i < 0 ? undefined : items.splice(i, 1)[0];
  }

  function grow(): void {
    const want = items.length > BACKLOG ? deps.parallel : 1;
    while (active < want && items.length > 0) {
      active++;
      lanes.push(lane().finally(() => { active--; }));
    }
  }

  async function lane(): Promise<void> {
    while (!deps.isStopped() && !failed) {
      let item = take();
      if (!item && items.length === 0 && deps.takeKick()) {
        await refill();
        item = take();
      }
      if (!item) return;
      inflight.add(item.id);
      busyThreads.add(item.threadKey);
      grow();
      try {
        await deps.sendOne(item);
      } catch (err) {
        // A store failure: leave the item pending; the next pass retries.
        deps.log.error({ outboxId: item.id, err: String(err) }, 'outbox pass failed');
        failed = true;
      } finally {
        busyThreads.delete(item.threadKey);
      }
    }
  }

  await refill();
  grow();
  for (let i = 0; i < lanes.length; i++) await lanes[i];
}
