/**
 * Recording an inbound message in its email thread: the thread record (customer address, subject, last inbound
 * Message-ID, bounded References chain) and the Message-ID index entry that lets a reply to it find the thread.
 * Called inside the transaction that records the message's decision.
 */
import type { EmailThread, Repositories } from '../../../store/repos/index.js';
import { boundRefs, normalizeMessageId } from './message-ids.js';

export interface InboundRecord {
  threadKey: string;
  customerEmail: string;
  subject: string;
  /** Normalised `<id@host>`. */
  messageId: string;
  /** In-Reply-To and References of the message, oldest first. */
  references: string[];
  now: string;
}

/** Create the thread for a new conversation, or move an existing one on to this message. */
export async function recordInbound(repos: Repositories, p: InboundRecord): Promise<EmailThread> {
  const cur = await repos.email.thread(p.threadKey);
  const references = boundRefs([...p.references.map(normalizeMessageId), p.messageId]);
  const next: EmailThread = cur
    ? { ...cur, lastInboundId: p.messageId, references, updatedAt: p.now }
    : { threadKey: p.threadKey, customerEmail: p.customerEmail.toLowerCase(), subject: p.subject, lastInboundId: p.messageId, references, createdAt: p.now, updatedAt: p.now };
  await repos.email.putThread(next);
  if (p.messageId) await repos.email.indexMessageId({ messageId: p.messageId, threadKey: p.threadKey, dir: 'in', at: p.now });
  return next;
}
