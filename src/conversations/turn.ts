import type { Caller, RequestContext } from '../support/caller.js';
import type { ConversationsDeps } from './conversations.js';
import { createDelivery } from './delivery.js';
import { ledgerMessage, toInbound, type PendingMessage } from './ledger.js';
import { isOutage, reasonOf } from './reason.js';
import { secretWarning } from './redact.js';
import { replyFilter } from './reply-stream.js';
import { createStaffNotices } from './staff-notices.js';
import { clearHolding, createThreadRecords, WARNED } from './thread-record.js';
import type { ThreadEvents } from './thread-events.js';
import { createTurnEndings, type TurnOutcome } from './turn-endings.js';

export { deliveryFor } from './delivery.js';
export type { TurnOutcome } from './turn-endings.js';

/** What the turn runner takes from the conversations' own deps, plus what conversations decides for it. */
export type TurnDeps = Pick<ConversationsDeps, 'repos' | 'agent' | 'connectTools' | 'resolvers' | 'delivery' | 'staff' | 'log' | 'outbound'> & {
  now: () => string;
  /** Pause between delivery attempts (tests shorten it). */
  deliveryRetryMs: number;
  /** True once conversations is stopping: a turn finishing late records its reply but leaves delivery to the next start. */
  isStopped: () => boolean;
  /** The threads' live events: each turn reports to them, and so does every delivery. */
  events?: ThreadEvents | undefined;
};

/** The sender's channel identity, recorded on what their message requests (approvals: the four-eyes check). */
function requesterOf(p: PendingMessage): RequestContext['requester'] {
  const how = typeof p.meta?.['verification'] === 'string' ? (p.meta['verification'] as string) : p.sender.verified ? `${p.channel} verified` : `${p.channel} unverified`;
  return { id: p.sender.id, ...(p.sender.email ? { email: p.sender.email } : {}), verification: how.slice(0, 200) };
}

/** Runs the turn for the message at the head of a thread and sees it through to delivery. */
export function createTurnRunner(deps: TurnDeps) {
  const { repos, log, now } = deps;
  const deliver = createDelivery({ delivery: deps.delivery, log, retryMs: deps.deliveryRetryMs, onDelivered: deps.events?.delivered });
  const records = createThreadRecords(repos, now);
  const notices = createStaffNotices({ repos, staff: deps.staff, log });
  const endings = createTurnEndings({ repos, log, now, deliver, records, notices });

  async function resolveCaller(p: PendingMessage): Promise<Caller> {
    const resolver = deps.resolvers[p.channel];
    if (!resolver) return { kind: 'anonymous' };
    return resolver.resolve(p.sender, toInbound(p));
  }

  /** The reply goes onto the message's ledger entry (and the thread's outage is over), stored before anyone sees it. */
  async function recordReply(p: PendingMessage): Promise<void> {
    await repos.transaction(async (tx) => {
      await tx.ledger.update(p.id, { message: ledgerMessage(p) }, now());
      await clearHolding(tx, p.threadKey);
    });
  }

  /** One attempt at the message at the head of its thread. Never throws: an unexpected error (e.g. the repositories
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
      await records.touch(p, caller);
      if (p.redactions.length > 0 && !(await records.isFlagged(p.threadKey, WARNED))) {
        await deliver(p.threadKey, { text: secretWarning(p.redactions), kind: 'notice', inReplyToId: p.id });
        await records.flag(p.threadKey, WARNED);
      }
      const s = await deps.connectTools(caller, { threadKey: p.threadKey, channel: p.channel, requester: requesterOf(p), ...(caller.kind === 'staff' ? { drafting: true } : {}) });
      session = s;
      // Model text for anyone but staff passes the outbound policy before anyone sees it: streamed, stored or sent.
      const filter = replyFilter(caller, deps.outbound);
      // Resolves once the turn's transcript (with the answer) is stored: a crash after it answers from the transcript.
      const result = await deps.agent.runTurn({
        messageId: p.id, threadKey: p.threadKey, channel: p.channel, caller, text: p.text, tools: s.client, onEvent: deps.events?.forTurn(p.threadKey, p.id, filter),
      });
      const outbound = filter(result.reply);
      if (outbound.removed > 0) log.warn({ messageId: p.id, threadKey: p.threadKey, removed: outbound.removed }, 'links to domains not allowed were removed from a reply');
      p.reply = { text: outbound.text, approvalIds: result.approvalIds, handoff: result.handoff, ...(result.draftIds?.length ? { draftIds: result.draftIds } : {}) };
      try {
        await recordReply(p);
      } catch (err) {
        delete p.reply; // not known to be stored: never delivered from memory
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
