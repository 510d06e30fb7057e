/**
 * An in-process chat of one customer, vouched for by the embedding code (like a backend with an API key). Its
 * messages go into a `web` thread of that customer, through the same conversations, ledger, identity (the web
 * channel's resolver: a verified sender is that customer) and approvals as every other channel.
 */
import { randomUUID } from 'node:crypto';
import { historyOf, newCustomerThread, type HistoryEntry } from '../channels/web/index.js';
import type { ConversationsPort, CustomerDirectory, ThreadEvent, ThreadEventsPort, ThreadResync } from '../conversations/types.js';
import { AppError } from '../errors.js';
import type { ApprovalRepository, ConversationRepository } from '../store/repos/index.js';
import type { Approval } from '../store/schema.js';

/** A sensitive action the turn asked for: it waits for staff (Slack or the terminal), it has not happened. */
export interface PendingApproval {
  id: string;
  action: Approval['action'];
  expiresAt: string;
}

export interface ChatReply {
  /** What the assistant answered (as the customer sees it on every channel). */
  text: string;
  /** Approvals this message opened that wait for staff. */
  approvals: PendingApproval[];
  /** The conversation was handed to a person (a ticket for the support team). */
  handoff: boolean;
  /** The web thread this session writes to (the web API's thread id). */
  threadId: string;
}

export interface HelplineSession {
  readonly customerId: string;
  /** Send a message and get the reply. Unknown customer: AppError `not_found`; closed or overloaded: `unavailable`. */
  chat(text: string): Promise<ChatReply>;
  /** Start a new thread (the old one stays in the customer's history). */
  reset(): void;
  /** What the customer sees of the current thread: their messages, the assistant's replies and notices. */
  history(): Promise<HistoryEntry[]>;
}

export interface SessionDeps {
  conversations: ConversationsPort & ThreadEventsPort;
  directory: Pick<CustomerDirectory, 'byId'>;
  conversationStore: Pick<ConversationRepository, 'get'>;
  approvals: Pick<ApprovalRepository, 'listPending'>;
  clock: () => Date;
  /** How long `chat` waits for the reply before `timeout`. */
  replyTimeoutMs: number;
  /** Whether `close` was called: then nothing more is taken. */
  closed: () => boolean;
}

interface Answer { text: string; handoff: boolean }

/** Resolves with the reply to `messageId` (a holding reply is not the answer: the real one follows). */
function awaitReply(deps: SessionDeps, threadKey: string, messageId: string): { answer: Promise<Answer>; cancel(): void } {
  let stop = () => {};
  const answer = new Promise<Answer>((resolve, reject) => {
    let handoff = false;
    const timer = setTimeout(() => finish(new AppError('timeout', 'No reply in time; it will be in the thread history when it comes.')), deps.replyTimeoutMs);
    const unsubscribe = deps.conversations.subscribe(threadKey, (e: ThreadEvent | ThreadResync) => {
      if (e.type === 'turn_done' && e.messageId === messageId) handoff = e.handoff;
      if (e.type !== 'message' || e.inReplyToId !== messageId) return;
      if (e.kind === 'reply') finish({ text: e.text, handoff });
      else if (e.kind === 'busy') finish(new AppError('unavailable', e.text));
    });
    function finish(r: Answer | AppError): void {
      clearTimeout(timer);
      unsubscribe();
      if (r instanceof AppError) reject(r);
      else resolve(r);
    }
    stop = () => finish(new AppError('unavailable', 'Helpline is closed.'));
  });
  return { answer, cancel: () => stop() };
}

export function createSession(deps: SessionDeps, customerId: string): HelplineSession {
  let thread = newCustomerThread(customerId);
  let verified = false;
  async function ensureCustomer(): Promise<void> {
    if (deps.closed()) throw new AppError('unavailable', 'Helpline is closed.');
    if (verified) return;
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(customerId) || !(await deps.directory.byId(customerId))) {
      throw new AppError('not_found', 'No such customer.', { customerId });
    }
    verified = true;
  }

  return {
    customerId,
    async chat(text) {
      if (typeof text !== 'string' || !text.trim()) throw new AppError('bad_input', 'Say something: the message is empty.');
      await ensureCustomer();
      const { threadKey, threadId } = thread;
      const id = `${threadKey}:${randomUUID()}`;
      const sentAt = deps.clock().toISOString();
      const waiting = awaitReply(deps, threadKey, id);
      const result = await deps.conversations.handle({ id, channel: 'web', threadKey, text, receivedAt: sentAt, sender: { id: customerId, verified: true } })
        .catch((err: unknown) => { waiting.cancel(); throw err; });
      if (!result.accepted && result.reason === 'stopped') waiting.cancel();
      const answer = await waiting.answer;
      const opened = (await deps.approvals.listPending(deps.clock().toISOString(), 200))
        .filter((a) => a.threadKey === threadKey && a.requestedAt >= sentAt)
        .map((a) => ({ id: a.id, action: a.action, expiresAt: a.expiresAt }));
      return { text: answer.text, handoff: answer.handoff, approvals: opened, threadId };
    },
    reset() {
      thread = newCustomerThread(customerId);
    },
    async history() {
      await ensureCustomer();
      const c = await deps.conversationStore.get(thread.threadKey);
      return c ? historyOf(c.messages) : [];
    },
  };
}
