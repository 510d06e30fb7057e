import type { Db } from '../store/schema.js';
import type { Store } from '../store/types.js';
import type { Caller } from '../support/caller.js';
import type { PendingMessage } from './ledger.js';
import { newConversation } from './transcripts.js';

/** Thread flags kept in the conversation's meta: a notice is sent once per episode, not once per message. */
export const HOLDING = 'holdingSentAt';
export const WARNED = 'secretWarningSentAt';
export type ThreadFlag = typeof HOLDING | typeof WARNED;

/** The thread's model outage (if any) is over (call inside `store.update`). */
export function clearHolding(db: Db, threadKey: string): void {
  const c = db.conversations[threadKey];
  if (c) delete c.meta[HOLDING];
}

/** The turn runner's view of a thread's conversation record. */
export function createThreadRecords(store: Store, now: () => string) {
  return {
    /** Create or refresh the thread's conversation record (who it is for, channel facts). */
    async touch(p: PendingMessage, caller: Caller): Promise<void> {
      const at = now();
      await store.update((db) => {
        const c = db.conversations[p.threadKey] ?? newConversation(db, p.threadKey, p.channel, at);
        c.callerKind = caller.kind;
        if (caller.kind === 'customer') c.customerId = caller.customerId;
        if (p.meta) c.meta = { ...c.meta, ...p.meta };
        c.updatedAt = at;
      });
    },
    isFlagged(threadKey: string, flag: ThreadFlag): boolean {
      return Boolean(store.read().conversations[threadKey]?.meta[flag]);
    },
    /** Set the flag to the current time (no-op when the thread has no record). */
    async flag(threadKey: string, flag: ThreadFlag): Promise<void> {
      const at = now();
      await store.update((db) => {
        const c = db.conversations[threadKey];
        if (c) c.meta[flag] = at;
      });
    },
  };
}

export type ThreadRecords = ReturnType<typeof createThreadRecords>;
