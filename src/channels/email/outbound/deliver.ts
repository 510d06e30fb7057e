/**
 * `deliver(threadKey, reply)` for email threads: composes a threaded reply and writes it to the durable outbox
 * (with our Message-ID, generated now, indexed at once so a customer answering it threads even if we crash right
 * after sending) before anything is sent; the outbox worker sends it. Resolves once the item is stored.
 * Safe to call again: a second reply of the same kind to the same inbound message is not queued twice (the
 * outbox's unique (thread, source message, kind)). 'holding' replies are not emailed (mail is asynchronous; the
 * real answer follows in the same thread).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../config/logger.js';
import type { DeliverPort } from '../../../conversations/types.js';
import { AppError } from '../../../errors.js';
import type { OutboxRecord, Repositories } from '../../../store/repos/index.js';
import { messageIdOfInbound } from '../threads/message-ids.js';
import { newMessageId, replyReferences, replySubject, textToHtml } from './compose-reply.js';

export { messageIdOfInbound } from '../threads/message-ids.js';

export interface EmailDeliverDeps {
  repos: Repositories;
  from: string;
  log: Logger;
  clock: () => Date;
  /** Called after an item is queued (wakes the outbox worker). */
  queued: () => void;
}

export function createEmailDeliver(deps: EmailDeliverDeps): DeliverPort {
  const { repos, log } = deps;
  return {
    async deliver(threadKey, reply) {
      if (!threadKey.startsWith('email:')) throw new AppError('bad_input', 'not an email thread', { threadKey });
      if (reply.kind === 'holding') {
        log.info({ threadKey }, 'holding reply not emailed');
        return;
      }
      const now = deps.clock().toISOString();
      const messageId = newMessageId(deps.from);
      const sourceId = reply.inReplyToId;
      const { queued, item } = await repos.transaction(async (tx): Promise<{ queued: boolean; item: OutboxRecord }> => {
        const thread = await tx.email.thread(threadKey);
        if (!thread) throw new AppError('not_found', 'Unknown email thread: no customer address to answer', { threadKey });
        const dup = sourceId ? await tx.outbox.findReply(threadKey, sourceId, reply.kind) : undefined;
        if (dup) return { queued: false, item: dup };
        // only an inbound mail's id names a message to answer; a notice's own source id (e.g. a ticket reply) does not
        const inReplyTo = (sourceId?.startsWith('email:') ? messageIdOfInbound(sourceId) : '') || thread.lastInboundId;
        const ticket = await tx.tickets.latestForThread(threadKey);
        const out = await tx.outbox.enqueue({
          id: `out_${randomUUID()}`,
          threadKey,
          payload: {
            kind: 'reply',
            replyKind: reply.kind,
            ...(sourceId ? { sourceId } : {}),
            to: thread.customerEmail,
            subject: replySubject(thread.subject, ticket?.id),
            messageId,
            inReplyTo,
            references: replyReferences(thread.references, inReplyTo),
            text: reply.text,
            html: textToHtml(reply.text),
          },
          nextAttemptAt: now,
          createdAt: now,
        });
        if (out.queued) await tx.email.indexMessageId({ messageId, threadKey, dir: 'out', at: now });
        return out;
      });
      if (queued) {
        log.info({ threadKey, outboxId: item.id, kind: reply.kind }, 'email reply queued');
        deps.queued();
      } else {
        log.info({ threadKey, outboxId: item.id, kind: reply.kind }, 'email reply already queued; not queued again');
      }
    },
  };
}
