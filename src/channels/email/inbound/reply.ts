/**
 * The hand-off of a message to be answered: the reply budget is taken once (a 'pending' decision already took it
 * before a crash) together with the 'pending' decision and the thread record, in one transaction; then
 * `conversations.handle` (which claims the message in its own ledger: a second hand-off is a duplicate); then the
 * final decision, which also advances the mailbox position.
 */
import type { Config } from '../../../config/config.js';
import type { Logger } from '../../../config/logger.js';
import type { ConversationsPort, InboundMessage } from '../../../conversations/types.js';
import { isAppError } from '../../../errors.js';
import type { EmailDecisionKind, Repositories } from '../../../store/repos/index.js';
import type { EmailAnalysis } from '../analysis/analyze.js';
import { recordInbound } from '../threads/thread-record.js';
import { begun, type Begun, type MessageIo, type MessageRef, type ProcessOutcome, type Recorder, type Who } from './record.js';
import { takeReplyBudget, type BudgetVerdict } from './reply-budget.js';

export interface ReplyStepDeps {
  config: Config['email'];
  repos: Repositories;
  conversations: ConversationsPort;
  log: Logger;
  clock: () => Date;
  rec: Recorder;
}

function describeAttachments(a: EmailAnalysis['attachments']): string {
  if (a.length === 0) return '';
  const list = a.slice(0, 20).map((x) => `${x.filename} (${x.contentType}, ${x.size} bytes)`).join('; ');
  return `\n\n[Attachments, not opened: ${list}${a.length > 20 ? `; and ${a.length - 20} more` : ''}]`;
}

export function createReplyStep(deps: ReplyStepDeps) {
  const { repos, log, config, rec } = deps;

  /** Budget, 'pending' decision and thread in one transaction; a spent budget is the final decision instead. */
  async function takeBudget(ref: MessageRef, io: MessageIo, key: string, a: EmailAnalysis, who: Who): Promise<BudgetVerdict> {
    const at = deps.clock();
    const now = at.toISOString();
    const decision = (d: EmailDecisionKind, reason: string) => ({ messageId: key, decision: d, reason, uid: ref.uid, uidValidity: ref.uidValidity, ...who, at: now });
    const limits = { perSender: config.replyBudgetPerSenderHour, perThread: config.replyBudgetPerThreadHour };
    const verdict = await repos.transaction(async (tx) => {
      const v = await takeReplyBudget(tx, { sender: a.sender.address, threadKey: a.threadKey, limits, now: at });
      if (!v.ok) {
        await tx.email.recordDecision(decision('budget', `reply budget per ${v.over} spent`));
        await io.record(tx);
        return v;
      }
      await tx.email.recordDecision(decision('pending', 'handing to conversations'));
      await recordInbound(tx, { threadKey: a.threadKey, customerEmail: a.sender.address, subject: a.subject, messageId: key, references: [...a.references, ...(a.inReplyTo ? [a.inReplyTo] : [])], now });
      return v;
    });
    if (!verdict.ok) io.recorded();
    return verdict;
  }

  async function handOver(ref: MessageRef, io: MessageIo, key: string, a: EmailAnalysis, who: Who): Promise<Begun> {
    const msg: InboundMessage = {
      id: `email:${key}`,
      channel: 'email',
      threadKey: a.threadKey,
      sender: { id: a.sender.address, verified: a.sender.verified, displayName: a.sender.name, email: a.sender.address },
      text: (a.text || '(no text)') + describeAttachments(a.attachments),
      receivedAt: deps.clock().toISOString(),
      meta: { subject: a.subject, messageId: key, uid: ref.uid, uidValidity: ref.uidValidity, verification: a.sender.verification },
    };
    // Awaited before the next message begins: conversations queues a thread's messages in mailbox order.
    let res: Awaited<ReturnType<ConversationsPort['handle']>>;
    try {
      res = await deps.conversations.handle(msg);
    } catch (err) {
      if (isAppError(err, 'bad_input')) return rec.quarantine(ref, io, key, `rejected by conversations: ${err.message}`, { from: a.sender.address });
      throw err;
    }
    if (!res.accepted && res.reason === 'stopped') return begun('stop');
    const decision: EmailDecisionKind = res.accepted || res.reason === 'duplicate' ? 'replied' : 'busy';
    const settled = (async (): Promise<ProcessOutcome> => {
      await rec.decide(ref, io, key, decision, res.accepted ? 'handed to conversations' : `conversations: ${res.reason ?? 'refused'}`, undefined, who);
      log.info({ messageId: key, uid: ref.uid, threadKey: a.threadKey, verified: a.sender.verified, decision }, 'email handed to conversations');
      return 'done';
    })();
    return { settled };
  }

  return async function reply(ref: MessageRef, io: MessageIo, key: string, a: EmailAnalysis, fresh: boolean, who: Who): Promise<Begun> {
    if (fresh) {
      const v = await takeBudget(ref, io, key, a, who);
      if (!v.ok) {
        log.warn({ messageId: key, over: v.over }, 'reply budget spent; staying silent');
        if (!v.alert) return begun('done');
        return begun(rec.alert(`Email reply budget per ${v.over} spent: no more automatic replies this hour`, { key: v.key, messageId: key }).then(() => 'done' as const));
      }
    }
    return handOver(ref, io, key, a, who);
  };
}
