/**
 * One pass of the outbox worker: send everything due until nothing is left. Each lane claims one due item
 * (`outbox.claimDue`: the claim is this instance's for `leaseMs`, longer than a send can take; only the oldest
 * pending item of a thread is ever claimable, so a thread's mails keep their order and no two instances send the
 * same item), sends it, records the outcome, and claims the next. One lane while the queue is short; once more
 * than BACKLOG items went out in a pass, up to `parallel` lanes (pooled SMTP connections).
 */
import type { Logger } from '../../../config/logger.js';
import type { OutboxRecord } from '../../../store/repos/index.js';

/** More items than this in one pass: send over several connections at once. */
export const BACKLOG = 4;

export interface OutboxPassDeps {
  /** Claim the next due item for this instance (at most one), or none. */
  claim(): Promise<OutboxRecord | undefined>;
  /** Give a claimed item back (stopping, or its outcome could not be recorded); never rejects. */
  release(item: OutboxRecord): Promise<void>;
  sendOne(item: OutboxRecord): Promise<void>;
  parallel: number;
  isStopped(): boolean;
  log: Logger;
}

export async function runOutboxPass(deps: OutboxPassDeps): Promise<void> {
  const lanes: Array<Promise<void>> = [];
  let taken = 0;
  let failed = false;
  let active = 0; // counted before lane() runs, uncounted when it ends

  /** A lane that finds nothing to claim ends; each successful claim may start more (a thread's next mail is claimable once its previous one is sent). */
  function grow(): void {
    const want = taken > BACKLOG ? deps.parallel : 1;
    while (active < want && !failed && !deps.isStopped()) {
      active++;
      lanes.push(lane().finally(() => { active--; }));
    }
  }

  async function lane(): Promise<void> {
    while (!deps.isStopped() && !failed) {
      let item: OutboxRecord | undefined;
      try {
        item = await deps.claim();
      } catch (err) {
        deps.log.error({ err: String(err) }, 'outbox: store not reachable; sending nothing until it is');
        failed = true;
        return;
      }
      if (!item) return;
      if (deps.isStopped()) {
        await deps.release(item);
        return;
      }
      taken++;
      grow();
      try {
        await deps.sendOne(item);
      } catch (err) {
        // A store failure: the item stays pending and is given back (if the store lets us); the next pass retries.
        deps.log.error({ outboxId: item.id, err: String(err) }, 'outbox pass failed');
        failed = true;
        await deps.release(item);
      }
    }
  }

  grow();
  for (let i = 0; i < lanes.length; i++) await lanes[i];
}
