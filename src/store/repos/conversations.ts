/**
 * Conversations (one per thread key: `slack:…`, `email:…`, `terminal:…`) and their transcripts: the model's
 * messages, a summary of trimmed or compacted turns, token usage, and channel facts in `meta`.
 */
import type { Channel, Conversation } from '../schema.js';
import type { CasResult } from './common.js';

export type CallerKind = Conversation['callerKind'];
export type TranscriptUsage = Conversation['usage'];

/** Who the thread is for, refreshed by every turn. Creates the conversation when there is none. */
export interface ConversationTouch {
  channel: Channel;
  callerKind: CallerKind;
  /** Set when given (a thread that was a customer's keeps its customer). */
  customerId?: string | undefined;
  /** Merged into `meta` (keys given replace those stored). */
  meta?: Record<string, unknown> | undefined;
  at: string;
}

/** A transcript to store: replaces messages, summary and usage as a whole. */
export interface TranscriptWrite {
  /** Used only when the conversation is created by this write. */
  channel: Channel;
  messages: unknown[];
  /** Absent: the stored summary is removed. */
  summary?: string | undefined;
  usage: TranscriptUsage;
  /** Stored as `meta.appliedMessageIds` (replaces the previous list). */
  appliedMessageIds: string[];
  at: string;
  /** Also refresh who the thread is for, as `touch` does (caller kind, customer kept once set, meta merged). */
  touch?: Pick<ConversationTouch, 'callerKind' | 'customerId' | 'meta'> | undefined;
  /** `meta` keys to remove (thread flags such as `holdingSentAt`), after `touch.meta` is merged. */
  unsetMeta?: readonly string[] | undefined;
}

/** A thread whose messages are stored (not compacted), for the compaction index. */
/** One of a customer's threads, as listed (no transcript). */
export interface CustomerThread {
  threadKey: string;
  channel: Conversation['channel'];
  createdAt: string;
  updatedAt: string;
}

export interface LiveThread {
  threadKey: string;
  updatedAt: string;
  /** Length of the JSON of its messages (a size estimate). */
  chars: number;
}

export interface ConversationRepository {
  get(threadKey: string): Promise<Conversation | undefined>;

  exists(threadKey: string): Promise<boolean>;

  /**
   * Create (anonymous caller, empty transcript) or refresh the thread's record: caller kind, customer, merged
   * meta, `updatedAt = at`. Atomic; concurrent touches of a new thread create it once. Returns the record.
   */
  touch(threadKey: string, touch: ConversationTouch): Promise<Conversation>;

  /**
   * Store the transcript (creating the conversation when needed): messages, summary, usage and applied message ids
   * replace what was stored; other meta stays; `updatedAt = at`. With `touch`, the same write refreshes the thread's
   * record as `touch` would; `unsetMeta` removes meta keys. One atomic write. Returns the record.
   */
  saveTranscript(threadKey: string, write: TranscriptWrite): Promise<Conversation>;

  /**
   * Set and remove `meta` keys (thread flags such as `holdingSentAt`) without touching `updatedAt`.
   * False when there is no such conversation (nothing is created).
   */
  patchMeta(threadKey: string, patch: { set?: Record<string, unknown> | undefined; unset?: readonly string[] | undefined }): Promise<boolean>;

  /**
   * Threads with stored messages, least recently updated first (`updatedAt`, then threadKey), at most `limit`,
   * starting after `after` (the last thread of the previous page). Partial index on updatedAt where messages exist.
   */
  listLive(limit: number, after?: { updatedAt: string; threadKey: string } | undefined): Promise<LiveThread[]>;

  /**
   * A customer's own conversations (callerKind `customer`) on every channel, most recently updated first (`updatedAt`
   * descending, then threadKey), at most `limit`, without their transcripts. Index on (customerId, updatedAt).
   */
  listForCustomer(customerId: string, limit: number): Promise<CustomerThread[]>;

  /**
   * Compaction, compare-and-set on `updatedAt`: only while the conversation's `updatedAt` still equals
   * `expectUpdatedAt` (no turn wrote it since the caller read it), drop its messages, set the summary (absent:
   * removed), remove `meta.appliedMessageIds` and set `meta.compactedAt = at`. `updatedAt` is left as it was.
   */
  compact(threadKey: string, compaction: { summary?: string | undefined; at: string; expectUpdatedAt: string }): Promise<CasResult<Conversation>>;
}
