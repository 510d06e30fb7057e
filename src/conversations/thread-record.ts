import type { ConversationTouch, Repositories } from '../store/repos/index.js';
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

/** Who the thread is for and its channel facts, as the message's turn records them on the conversation. */
export function touchOf(p: PendingMessage, caller: Caller, at: string): ConversationTouch {
  return { channel: p.channel, callerKind: caller.kind, customerId: caller.kind === 'customer' ? caller.customerId : undefined, meta: p.meta, at };
}

/** The turn runner's view of a thread's conversation record. */
export function createThreadRecords(repos: Pick<Repositories, 'conversations'>, now: () => string) {
  return {
    /** Create or refresh the thread's conversation record (who it is for, channel facts); use `tx` inside a transaction. */
    async touch(p: PendingMessage, caller: Caller, tx: Pick<Repositories, 'conversations'> = repos): Promise<void> {
      await tx.conversations.touch(p.threadKey, touchOf(p, caller, now()));
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
