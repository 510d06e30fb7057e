import type { Caller, RequestContext } from '../support/caller.js';
import type { ConversationsDeps } from './conversations.js';
import { createDelivery, deliveryFor } from './delivery.js';
import { setLedger, toInbound, type PendingMessage } from './ledger.js';
import { isOutage, reasonOf } from './reason.js';
import { secretWarning } from './redact.js';
import { createStaffNotices } from './staff-notices.js';
import { clearHolding, createThreadRecords, WARNED } from './thread-record.js';
import { createTurnEndings, type TurnOutcome } from './turn-endings.js';

export { deliveryFor } from './delivery.js';
export type { TurnOutcome } from './turn-endings.js';

/** What the turn runner takes from the conversations' own deps, plus what conversations decides for it. */
export type TurnDeps = Pick<ConversationsDeps, 'store' | 'agent' | 'connectTools' | 'resolvers' | 'delivery' | 'staff' | 'log' | 'outbound'> & {
  now: () => string;
  /** Pause between delivery attempts (tests shorten it). */
  deliveryRetryMs: number;
  /** True once conversations is stopping: a turn finishing late records its reply but leaves delivery to the next start. */
  isStopped: () => boolean;
};

/** The sender's channel identity, recorded on what their message requests (approvals: the four-eyes check). */
function requesterOf(p: PendingMessage): RequestContext['requester'] {
  const how = typeof p.meta?.['verification'] === 'string' ? (p.meta['verification'] as string) : p.sender.verified ? `${p.channel} verified` : `${p.channel} unverified`;
  return { id: p.sender.id, ...(p.sender.email ? { email: p.sender.email } : {}), verification: how.slice(0, 200) };
}

/** Runs the turn for the message at the head of a thread and sees it through to delivery. */
export function createTurnRunner(deps: TurnDeps) {
  const { store, log, now } = deps;
  const deliver = createDelivery({ delivery: deps.delivery, log, retryMs: deps.deliveryRetryMs });
  const records = createThreadRecords(store, now);
  const notices = createStaffNotices(deps);
  const endings = createTurnEndings({ store, log, now, deliver, records, notices });

  function queuesInStore(threadKey: string): boolean {
    try {
      return deliveryFor(deps.delivery, threadKey).queuesInStore === true;
    } catch {
      return false;
    }
  }

  async function resolveCaller(p: PendingMessage): Promise<Caller> {
    const resolver = deps.resolvers[p.channel];
    if (!resolver) return { kind: 'anonymous' };
    return resolver.resolve(p.sender, toInbound(p));
  }

  /** One attempt at the message at the head of its thread. Never throws: an unexpected error (e.g. the store
   * cannot write) leaves the message queued for a retry after backoff. */
  async function run(p: PendingMessage): Promise<TurnOutcome> {
    try {
      return await attempt(p);
    } catch (err) {
      p.attempts += 1;
      log.error({ messageId: p.id, threadKey: p.threadKey, err: reasonOf(err) }, 'could not finish a message; it stays queued');
      return 'retry';
    }
  }

  async function attempt(p: PendingMessage): Promise<TurnOutcome> {
    if (p.reply) return endings.finish(p, { replay: true }); // the turn ran before a crash or a failed delivery; only the delivery is left
    let session: { close(): Promise<void> } | undefined;
    try {
      const caller = await resolveCaller(p);
      // Applied now; its durability is awaited with the reply below (nothing outside depends on it earlier).
      const touched = records.touch(p, caller);
      touched.catch(() => undefined);
      if (p.redactions.length > 0 && !records.isFlagged(p.threadKey, WARNED)) {
        await deliver(p.threadKey, { text: secretWarning(p.redactions), kind: 'notice', inReplyToId: p.id });
        await records.flag(p.threadKey, WARNED);
      }
      const s = await deps.connectTools(caller, { threadKey: p.threadKey, channel: p.channel, requester: requesterOf(p), ...(caller.kind === 'staff' ? { drafting: true } : {}) });
      session = s;
      const result = await deps.agent.runTurn({
        messageId: p.id, threadKey: p.threadKey, channel: p.channel, caller, text: p.text, tools: s.client,
      });
      // Model text for anyone but staff passes the outbound policy before it is stored, so what is kept is what is sent.
      const outbound = caller.kind === 'staff' || !deps.outbound ? { text: result.reply, removed: 0 } : deps.outbound.apply(result.reply);
      if (outbound.removed > 0) log.warn({ messageId: p.id, threadKey: p.threadKey, removed: outbound.removed }, 'links to domains not allowed were removed from a reply');
      p.reply = { text: outbound.text, approvalIds: result.approvalIds, handoff: result.handoff, ...(result.draftIds?.length ? { draftIds: result.draftIds } : {}) };
      // Applied before the event loop turns, like the agent's last transcript save: the store's group commit
      // takes both in one journal record.
      const recorded = store.update((db) => {
        setLedger(db, p.id, { message: p }, now());
        clearHolding(db, p.threadKey);
      });
      recorded.catch(() => undefined); // awaited below, or (email) surfaced by the outbox write that follows
      try {
        await Promise.all([result.saved, touched]);
        // A channel that only queues in this store (email outbox) cannot get ahead of the reply record on disk;
        // staff notices (approvals, handoff) leave the process, so those still wait for it.
        const quiet = p.reply.approvalIds.length === 0 && !p.reply.handoff;
        if (!(quiet && queuesInStore(p.threadKey) && !deps.isStopped())) await recorded;
      } catch (err) {
        delete p.reply; // not known to be on disk: never delivered from memory
        throw err;
      }
      if (deps.isStopped()) return 'retry';
    } catch (err) {
      if (isOutage(err)) return endings.outage(p, err);
      return await endings.fail(p, err);
    } finally {
      if (session) await session.close().catch((e: unknown) => log.warn({ err: reasonOf(e) }, 'tool session close failed'));
    }
    return endings.finish(p);
  }

  return { run, deliver };
}
