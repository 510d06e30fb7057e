import type { Transcript, TurnResult } from '../agent/types.js';
import type { Caller, RequestContext } from '../support/caller.js';
import type { ConversationsDeps } from './conversations.js';
import type { TranscriptStore } from './transcripts.js';
import { createDelivery } from './delivery.js';
import { ledgerMessage, toInbound, type PendingMessage } from './ledger.js';
import { isOutage, reasonOf } from './reason.js';
import { secretWarning } from './redact.js';
import { replyFilter } from './reply-stream.js';
import { createStaffNotices } from './staff-notices.js';
import { clearHolding, createThreadRecords, HOLDING, touchOf, WARNED } from './thread-record.js';
import type { ThreadEvents } from './thread-events.js';
import { createTurnEndings, type TurnOutcome } from './turn-endings.js';

export { deliveryFor } from './delivery.js';
export type { TurnOutcome } from './turn-endings.js';

/** What the turn runner takes from the conversations' own deps, plus what conversations decides for it. */
export type TurnDeps = Pick<ConversationsDeps, 'repos' | 'agent' | 'connectTools' | 'channels' | 'staff' | 'log' | 'outbound'> & {
  now: () => string;
  /** Where the turn's last transcript is written (in one commit with the reply). */
  transcripts: TranscriptStore;
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
  const deliver = createDelivery({ channels: deps.channels, log, retryMs: deps.deliveryRetryMs, onDelivered: deps.events?.delivered });
  const records = createThreadRecords(repos, now);
  const notices = createStaffNotices({ repos, staff: deps.staff, log });
  const endings = createTurnEndings({ repos, log, now, deliver, records, notices });

  async function resolveCaller(p: PendingMessage): Promise<Caller> {
    const resolver = deps.channels.resolver(p.channel);
    if (!resolver) return { kind: 'anonymous' };
    return resolver.resolve(p.sender, toInbound(p));
  }

  /**
   * The reply goes onto the message's ledger entry, stored before anyone sees it, in one commit with the thread's
   * record (who it is for; its outage, if any, is over) and, when the agent hands it over, the turn's last transcript.
   */
  async function recordReply(p: PendingMessage, caller: Caller, transcript?: Transcript): Promise<void> {
    await repos.transaction(async (tx) => {
      if (transcript) {
        const { channel: _channel, at: _at, ...touch } = touchOf(p, caller, now());
        await tx.conversations.saveTranscript(p.threadKey, { ...deps.transcripts.writeOf(transcript), touch, unsetMeta: [HOLDING] });
      } else {
        await records.touch(p, caller, tx);
        await clearHolding(tx, p.threadKey);
      }
      await tx.ledger.update(p.id, { message: ledgerMessage(p) }, now());
    });
  }

  /** The turn's result becomes the message's reply (model text for anyone but staff passes the outbound policy first, so what is kept is what is sent), recorded. */
  async function answer(p: PendingMessage, caller: Caller, result: TurnResult, transcript?: Transcript): Promise<void> {
    const outbound = replyFilter(caller, deps.outbound)(result.reply);
    if (outbound.removed > 0) log.warn({ messageId: p.id, threadKey: p.threadKey, removed: outbound.removed }, 'links to domains not allowed were removed from a reply');
    p.reply = { text: outbound.text, approvalIds: result.approvalIds, handoff: result.handoff, ...(result.draftIds?.length ? { draftIds: result.draftIds } : {}) };
    try {
      await recordReply(p, caller, transcript);
    } catch (err) {
      delete p.reply; // not known to be stored: never delivered from memory
      throw err;
    }
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
    let caller: Caller | undefined;
    let touched = false;
    try {
      caller = await resolveCaller(p);
      const who = caller;
      if (p.redactions.length > 0) {
        await records.touch(p, who); // the warning's flag is kept on the thread's record
        touched = true;
        if (!(await records.isFlagged(p.threadKey, WARNED))) {
          await deliver(p.threadKey, { text: secretWarning(p.redactions), kind: 'notice', inReplyToId: p.id });
          await records.flag(p.threadKey, WARNED);
        }
      }
      const s = await deps.connectTools(who, { threadKey: p.threadKey, channel: p.channel, requester: requesterOf(p), ...(who.kind === 'staff' ? { drafting: true } : {}) });
      session = s;
      // Model text for anyone but staff passes the outbound policy before anyone sees it: streamed, stored or sent.
      const filter = replyFilter(who, deps.outbound);
      // The turn's last transcript and the reply are stored in one commit before the turn resolves: a crash after it
      // delivers the stored reply; a crash before it runs the turn again (its effects were stored as they happened).
      let stored = false;
      const result = await deps.agent.runTurn({
        messageId: p.id, threadKey: p.threadKey, channel: p.channel, caller: who, text: p.text, tools: s.client,
        onEvent: deps.events?.forTurn(p.threadKey, p.id, filter),
        storeAnswer: async (transcript, r) => {
          await answer(p, who, r, transcript);
          stored = true;
        },
      });
      if (!stored) await answer(p, who, result); // answered from the stored transcript (a retry): only the reply is left to record
      touched = true;
      if (deps.isStopped()) return 'retry';
    } catch (err) {
      // The thread keeps a record of who it is for even when the turn did not finish (held replies, known threads).
      if (caller && !touched) await records.touch(p, caller).catch((e: unknown) => log.warn({ threadKey: p.threadKey, err: reasonOf(e) }, 'could not record the thread'));
      if (isOutage(err)) return endings.outage(p, err);
      return await endings.fail(p, err);
    } finally {
      if (session) await session.close().catch((e: unknown) => log.warn({ err: reasonOf(e) }, 'tool session close failed'));
    }
    return endings.finish(p);
  }

  return { run, deliver };
}
