/**
 * The durable email outbox: replies and system mail (reset links, account notices) are written here before anything
 * is sent; senders claim due items (several instances: PostgreSQL `FOR UPDATE SKIP LOCKED`), send them, and record
 * the outcome. A claim is a lease on the item: `claimedBy` until `claimedUntil`; an expired claim may be taken over.
 * Only the current claimer changes a claimed item's outcome.
 */
export interface EmailPayload {
  /** `system`: mail from the bank to the address on file (its body may carry a one-time link). */
  kind: 'reply' | 'system';
  /** For replies: which reply to `sourceId` this is (`reply`, `busy`, `notice`…). */
  replyKind?: string | undefined;
  /** The inbound message id this replies to. */
  sourceId?: string | undefined;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /** Our Message-ID, stored before the first attempt so every retry reuses it. */
  messageId?: string | undefined;
  inReplyTo?: string | undefined;
  references?: string[] | undefined;
}

/**
 * `dev`: delivered to the local dev mailbox instead of SMTP (no mail server is configured): never sent, body kept
 * for the person to read until its one-time link is used (`scrubDev`).
 */
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'dev';

export interface OutboxRecord {
  id: string;
  threadKey: string;
  payload: EmailPayload;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string | undefined;
  createdAt: string;
  sentAt?: string | undefined;
  claimedBy?: string | undefined;
  claimedUntil?: string | undefined;
}

export type NewOutboxItem = Pick<OutboxRecord, 'id' | 'threadKey' | 'payload' | 'nextAttemptAt' | 'createdAt'>;

/** What a final outcome leaves of a system mail's body (it may carry a one-time link): every engine writes exactly this. */
export const SCRUBBED_SYSTEM_TEXT = {
  sent: '[sent; body removed: system mail may carry a one-time link]',
  failed: '[not sent; body removed: system mail may carry a one-time link]',
  used: '[dev mailbox; body removed: its one-time link has been used]',
} as const;

export interface OutboxRepository {
  /**
   * Insert a pending item (0 attempts). When the payload has `sourceId` and `replyKind` and an item with the same
   * (threadKey, sourceId, replyKind) exists, nothing is inserted and that item is returned with `queued: false`
   * (unique index; concurrent enqueues of one reply insert it once). `conflict` on a duplicate id.
   */
  enqueue(item: NewOutboxItem): Promise<{ queued: boolean; item: OutboxRecord }>;

  get(id: string): Promise<OutboxRecord | undefined>;

  /** The item queued for (thread, source message, reply kind), if any. */
  findReply(threadKey: string, sourceId: string, replyKind: string): Promise<OutboxRecord | undefined>;

  /**
   * Claim up to `limit` due items for `holder` until `now + leaseMs`, oldest `nextAttemptAt` first. Due: pending,
   * `nextAttemptAt` at or before `now`, not claimed (or the claim ended), and the oldest pending item of its
   * thread (`createdAt`, then insertion order), so a thread's mails go out in order. No item is ever held by two
   * live claims: concurrent claimers get disjoint sets.
   */
  claimDue(request: { now: string; limit: number; holder: string; leaseMs: number }): Promise<OutboxRecord[]>;

  /**
   * Store our Message-ID unless the item has one already; returns the stored one (the first writer wins), or
   * `undefined` when there is no such item. Index on lower(messageId).
   */
  setMessageId(id: string, messageId: string): Promise<string | undefined>;

  /**
   * Only while pending and claimed by `holder`: status `sent`, attempts + 1, `sentAt = at`, no `lastError`, claim
   * released; a system mail's text becomes `SCRUBBED_SYSTEM_TEXT.sent` and its html goes. True when written.
   */
  markSent(id: string, holder: string, at: string): Promise<boolean>;

  /**
   * Only while pending and claimed by `holder`: status `failed` with `lastError` (and `attempts` when given), claim
   * released; a system mail's body is scrubbed (`SCRUBBED_SYSTEM_TEXT.failed`). True when written.
   */
  markFailed(id: string, holder: string, failure: { error: string; attempts?: number | undefined }): Promise<boolean>;

  /** Only while pending and claimed by `holder`: stays pending with these attempts, error and next attempt; claim released. */
  retryLater(id: string, holder: string, retry: { attempts: number; error: string; nextAttemptAt: string }): Promise<boolean>;

  /**
   * Only while pending and claimed by `holder`: status `dev` (put in the local dev mailbox, not sent), attempts + 1,
   * `sentAt = at` (when it reached the dev mailbox), no `lastError`, claim released; the body is kept. True when written.
   */
  markDev(id: string, holder: string, at: string): Promise<boolean>;

  /** The dev mailbox: items with status `dev`, newest first (`sentAt`, then queue order), at most `limit`. */
  listDev(limit: number): Promise<OutboxRecord[]>;

  /**
   * A dev-mailbox system mail's one-time link was used: every `dev` system item of `threadKey` gets the text
   * `SCRUBBED_SYSTEM_TEXT.used` and loses its html. Returns how many were scrubbed.
   */
  scrubDev(threadKey: string): Promise<number>;

  /** Give the claim back unchanged (stopping). True when `holder` held it. */
  release(id: string, holder: string): Promise<boolean>;

  /** Recipients (lower-case, distinct) of the items whose Message-ID is one of these (at most 100, case-insensitive). For bounces. */
  recipientsOf(messageIds: readonly string[]): Promise<string[]>;

  /** Metrics: pending items. */
  countPending(): Promise<number>;

  /** The earliest `nextAttemptAt` of a pending item, for the worker's timer. */
  nextDueAt(): Promise<string | undefined>;

  /**
   * Retention: delete sent and failed items finished before `before` (`sentAt`, else `createdAt`), except replies
   * whose `sourceId` is still unfinished in the inbound ledger (that item is what stops a second mail). At most
   * `limit`. Returns how many.
   */
  prune(before: string, limit: number): Promise<number>;
}
