/**
 * `deliver(threadKey, reply)` for email threads: composes a threaded reply and writes it to the durable
 * outbox (with our Message-ID, generated now) before anything is sent; the outbox worker sends it.
 * Safe to call again: a second reply of the same kind to the same inbound message is not queued twice.
 * 'holding' replies are not emailed (mail is asynchronous; the real answer follows in the same thread).
 *
 * The outbox item is applied to the store at once and `deliver` does not wait for its rewrite: nothing
 * outside the process sees it until it is durable (the outbox worker sends only after a store barrier), and
 * every later write (the caller marking its message done) carries it too. A failed rewrite is logged here
 * and surfaces to the caller through its own next write.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../config/logger.js';
import type { DeliverPort } from '../../conversations/types.js';
import { AppError } from '../../errors.js';
import type { Db, OutboxItem } from '../../store/schema.js';
import type { Store } from '../../store/types.js';
import { newMessageId, replyReferences, replySubject, textToHtml } from './compose-reply.js';
import { indexSet, normalizeMessageId, threadGet } from './email-state.js';
import { createOutboxIndex, type OutboxIndex } from './outbox-index.js';

export interface EmailDeliverDeps {
  store: Store;
  from: string;
  log: Logger;
  clock: () => Date;
  /** Called after an item is queued (wakes the outbox worker). */
  queued: () => void;
  /** Shared with the outbox worker (default: its own). */
  index?: OutboxIndex | undefined;
}

/** `email:<message-id>` (our InboundMessage ids) → `<message-id>`. */
export function messageIdOfInbound(inboundId: string): string {
  return normalizeMessageId(inboundId.startsWith('email:') ? inboundId.slice('email:'.length) : inboundId);
}

export function createEmailDeliver(deps: EmailDeliverDeps): DeliverPort {
  const { store, log } = deps;
  const index = deps.index ?? createOutboxIndex();
  return {
    queuesInStore: true,
    async deliver(threadKey, reply) {
      if (!threadKey.startsWith('email:')) throw new AppError('bad_input', 'not an email thread', { threadKey });
      if (reply.kind === 'holding') {
        log.info({ threadKey }, 'holding reply not emailed');
        return;
      }
      const now = deps.clock().toISOString();
      const messageId = newMessageId(deps.from);
      let outcome: { queued: boolean; id: string } | undefined;
      const written = store.update((db) => {
        outcome = apply(db);
      });
      const o = outcome as { queued: boolean; id: string } | undefined;
      if (!o) return written.then(() => undefined); // refused (unknown thread, store closed): reject with that error
      written.catch((err: unknown) => log.error({ threadKey, err: String(err) }, 'email reply queued in memory, but the store write failed'));
      if (o.queued) {
        log.info({ threadKey, outboxId: o.id, kind: reply.kind }, 'email reply queued');
        deps.queued();
      } else {
        log.info({ threadKey, outboxId: o.id, kind: reply.kind }, 'email reply already queued; not queued again');
      }

      function apply(db: Db): { queued: boolean; id: string } {
        // Looked up in the live state itself, not through `db` (a change-tracking view that wraps every element
        // it hands out): same data, same synchronous step, without a wrapper per outbox item and ticket scanned.
        const live = store.read();
        const thread = threadGet(live, threadKey);
        if (!thread) throw new AppError('not_found', 'Unknown email thread: no customer address to answer', { threadKey });
        const sourceId = reply.inReplyToId;
        if (sourceId) {
          const dup = index.findReply(live, threadKey, sourceId, reply.kind);
          if (dup) return { queued: false as const, id: dup.id };
        }
        const inReplyTo = (sourceId ? messageIdOfInbound(sourceId) : '') || thread.lastInboundId;
        let ticket: { id: string; createdAt: string } | undefined;
        for (const t of live.tickets) if (t.threadKey === threadKey && (!ticket || t.createdAt > ticket.createdAt)) ticket = t;
        const item: OutboxItem = {
          id: `out_${randomUUID()}`,
          channel: 'email',
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
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        };
        db.outbox.push(item);
        // Indexed now, not after sending: a customer answering a mail we sent just before a crash still threads.
        indexSet(db, messageId, { threadKey, dir: 'out' });
        return { queued: true as const, id: item.id };
      }
    },
  };
}
