import type { Logger } from '../config/logger.js';
import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Deliver } from './delivery.js';
import { ledgerMessage, type PendingMessage } from './ledger.js';
import { reasonOf } from './reason.js';
import { REPLIES } from './replies.js';
import type { StaffNotices } from './staff-notices.js';
import { clearHolding, HOLDING, type ThreadRecords } from './thread-record.js';

/** What became of one attempt at a queued message. */
export type TurnOutcome = 'done' | 'failed' | 'retry';

export interface TurnEndingDeps {
  repos: Repositories;
  log: Logger;
  now: () => string;
  deliver: Deliver;
  records: ThreadRecords;
  notices: StaffNotices;
}

/** How an attempt at a message ends: answered and delivered, failed with an apology, or held for a model outage. */
export function createTurnEndings(deps: TurnEndingDeps) {
  const { repos, log, now, deliver, records, notices } = deps;

  /** Keep the pending message (with its reply and progress) on its ledger entry. */
  const keep = (p: PendingMessage, reason?: string) => repos.ledger.update(p.id, { message: ledgerMessage(p), ...(reason ? { reason } : {}) }, now());

  /**
   * Finish a message whose turn has run: post its approvals to staff, deliver the stored reply, mark done. `replay`:
   * the reply was recorded by an earlier attempt, which may have delivered it before stopping.
   */
  async function finish(p: PendingMessage, opts: { replay?: boolean } = {}): Promise<TurnOutcome> {
    const reply = p.reply;
    if (!reply) throw new AppError('internal', 'finish without a reply');
    // Staff first, so the approval is on their screen by the time the customer reads "sent for approval".
    if (reply.approvalIds.length > 0 && !reply.approvalsPosted) {
      await notices.postApprovals(p.threadKey, reply.approvalIds);
      reply.approvalsPosted = true;
      await keep(p);
    }
    try {
      await deliver(p.threadKey, { text: reply.text, kind: 'reply', inReplyToId: p.id, inReplyToMeta: p.meta, ...(opts.replay ? { maybeDelivered: true } : {}) });
    } catch (err) {
      log.error({ messageId: p.id, threadKey: p.threadKey, err: reasonOf(err) }, 'reply could not be delivered');
      await repos.ledger.update(p.id, { status: 'failed', reason: `delivery failed: ${reasonOf(err)}` }, now());
      await notices.alert('A reply could not be delivered to a customer', { threadKey: p.threadKey, messageId: p.id });
      return 'failed';
    }
    if (reply.draftIds?.length && !reply.draftsPosted) {
      await notices.postDrafts(p.threadKey, reply.draftIds);
      reply.draftsPosted = true;
      await keep(p);
    }
    // Until this is stored, a crash delivers the reply again (marked maybeDelivered), never runs the turn again.
    await repos.ledger.update(p.id, { status: 'done', reason: reply.handoff ? 'handoff' : null }, now());
    if (reply.handoff) await notices.alert('A conversation was handed off to a person', { threadKey: p.threadKey, messageId: p.id });
    log.info({ messageId: p.id, threadKey: p.threadKey, handoff: reply.handoff, approvals: reply.approvalIds.length }, 'message answered');
    return 'done';
  }

  /** The turn failed for good: mark it failed, apologise in the thread, alert staff. */
  async function fail(p: PendingMessage, err: unknown): Promise<TurnOutcome> {
    log.error({ messageId: p.id, threadKey: p.threadKey, err: reasonOf(err) }, 'turn failed');
    try {
      await repos.transaction(async (tx) => {
        await tx.ledger.update(p.id, { status: 'failed', reason: reasonOf(err) }, now());
        await clearHolding(tx, p.threadKey);
      });
    } catch (e) {
      // The entry stays queued: a restart tries the message again.
      log.error({ messageId: p.id, err: reasonOf(e) }, 'could not record the failed turn');
    }
    await deliver(p.threadKey, { text: REPLIES.apology, kind: 'reply', inReplyToId: p.id, inReplyToMeta: p.meta })
      .catch((e: unknown) => log.error({ threadKey: p.threadKey, err: reasonOf(e) }, 'apology could not be delivered'));
    await notices.alert('A conversation turn failed', { threadKey: p.threadKey, messageId: p.id, error: reasonOf(err) });
    return 'failed';
  }

  /** The model is out: tell the thread once per outage, keep the message queued (durably) for a retry. */
  async function outage(p: PendingMessage, err: unknown): Promise<TurnOutcome> {
    p.attempts += 1;
    log.warn({ messageId: p.id, threadKey: p.threadKey, attempts: p.attempts, err: reasonOf(err) }, 'model unavailable; message stays queued');
    try {
      await keep(p, 'model unavailable');
      if (!(await records.isFlagged(p.threadKey, HOLDING))) {
        await deliver(p.threadKey, { text: REPLIES.holding, kind: 'holding', inReplyToId: p.id });
        await records.flag(p.threadKey, HOLDING);
      }
    } catch (e) {
      log.error({ messageId: p.id, err: reasonOf(e) }, 'could not record the outage or send the holding reply');
    }
    return 'retry';
  }

  return { finish, fail, outage };
}
