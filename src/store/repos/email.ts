/**
 * The email channel's own state, typed (it replaces the `state` bag's `email.*` keys):
 * - mailbox positions: `(UIDVALIDITY, last UID)` per IMAP mailbox (progress is never the \Seen flag);
 * - message decisions: Message-ID → what was decided about a received mail (the dedupe key across UIDVALIDITY);
 * - threads: thread key → the customer address, subject, last inbound Message-ID and references chain;
 * - the Message-ID index: ids we received or sent → their thread (threading replies, recognising our own mail).
 * Message-IDs are stored and matched exactly as given (callers normalise them to `<id@host>`).
 */
import type { Page } from './common.js';

export interface MailboxState {
  mailbox: string;
  uidValidity: string;
  lastUid: number;
  /** The UIDVALIDITY before the last reset, when it changed. */
  previousUidValidity?: string | undefined;
  updatedAt: string;
}

export type EmailDecisionKind = 'pending' | 'replied' | 'ignored' | 'quarantined' | 'budget' | 'busy';

export interface EmailDecision {
  messageId: string;
  decision: EmailDecisionKind;
  reason: string;
  uid: number;
  uidValidity: string;
  from?: string | undefined;
  threadKey?: string | undefined;
  at: string;
}

export interface EmailThread {
  threadKey: string;
  /** Lower-case. */
  customerEmail: string;
  subject: string;
  lastInboundId: string;
  references: string[];
  createdAt: string;
  updatedAt: string;
}

export interface MessageIdEntry {
  messageId: string;
  threadKey: string;
  dir: 'in' | 'out';
  at: string;
}

export interface EmailStateRepository {
  mailbox(name: string): Promise<MailboxState | undefined>;

  /**
   * Move the position forward: writes `lastUid` only when the mailbox has no position yet, or has this
   * `uidValidity` and a lower `lastUid` (a late writer never moves it back, nor across a UIDVALIDITY change).
   * True when written.
   */
  advanceMailbox(name: string, position: { uidValidity: string; lastUid: number; at: string }): Promise<boolean>;

  /** Set the position unconditionally (first start, UIDVALIDITY changed); keeps the old UIDVALIDITY as `previousUidValidity` when it differs. */
  resetMailbox(name: string, position: { uidValidity: string; lastUid: number; at: string }): Promise<MailboxState>;

  decision(messageId: string): Promise<EmailDecision | undefined>;

  /** Insert or replace the decision about `messageId`. */
  recordDecision(decision: EmailDecision): Promise<void>;

  /** Decisions newest first (`at` descending), paginated (status pages, tests). Index on at. */
  recentDecisions(limit: number, cursor?: string | undefined): Promise<Page<EmailDecision>>;

  /** Retention: delete decisions other than `pending` taken before `before`, at most `limit`. Returns how many. */
  pruneDecisions(before: string, limit: number): Promise<number>;

  thread(threadKey: string): Promise<EmailThread | undefined>;

  /** Insert or replace the thread record. */
  putThread(thread: EmailThread): Promise<void>;

  /** Retention: delete threads last updated before `before`, at most `limit`. Returns how many. */
  pruneThreads(before: string, limit: number): Promise<number>;

  /** Insert or replace the index entry of `messageId` (an empty id is `bad_input`). */
  indexMessageId(entry: MessageIdEntry): Promise<void>;

  /** The index entries of these ids (at most 100) that exist, in the order of `messageIds`. */
  lookupMessageIds(messageIds: readonly string[]): Promise<MessageIdEntry[]>;

  /** Retention: delete index entries written before `before`, at most `limit`. Returns how many. */
  pruneMessageIds(before: string, limit: number): Promise<number>;
}
