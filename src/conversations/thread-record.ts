import type { Repositories } from '../store/repos/index.js';
import type { Caller } from '../support/caller.js';
import type { PendingMessage } from './ledger.js';

/** Thread flags kept in the conversation's meta: a notice is sent once per episode, not once per message. */
export const HOLDING = 'holdingSentAt';
export const WARNED = 'secretWarningSentAt';
export type ThreadFlag = typeof HOLDING | typeof WARNED;

/** The thread's model outage (if any) is over (use the transaction's repos when it commits with other steps). */
export async function clearHolding(repos: Pick<Repositories, 'conversations'>, threadKey: string): Promise<void> {
  await repos.conversations.patchMeta(threadKey, { unset: [HOLDING] });
}

/** The turn runner's view of a thread's conversation record. */
export function createThreadRecords(repos: Pick<Repositories, 'conversations'>, now: () => string) {
  return {
    /** Create or refresh the thread's conversation record (who it is for, channel facts). */
    async touch(p: PendingMessage, caller: Caller): Promise<void> {
      await repos.conversations.touch(p.threadKey, {
        channel: p.channel, callerKind: caller.kind, customerId: caller.kind === 'customer' ? caller.customerId : undefined, meta: p.meta, at: now(),
      });
    },
    async isFlagged(threadKey: string, flag: ThreadFlag): Promise<boolean> {
      return Boolean((await repos.conversations.get(threadKey))?.meta[flag]);
    },
    /** Set the flag to the current time (no-op when the thread has no record). */
    async flag(threadKey: string, flag: ThreadFlag): Promise<void> {
      await repos.conversations.patchMeta(threadKey, { set: { [flag]: now() } });
    },
  };
}

export type ThreadRecords = ReturnType<typeof createThreadRecords>;
