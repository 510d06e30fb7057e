import { summarizeAll } from '../agent/trim.js';
import { messagesOf } from '../agent/transcript.js';
import type { Logger } from '../config/logger.js';
import type { Conversation, Db } from '../store/schema.js';
import type { Store } from '../store/types.js';

/** Summary kept for a compacted thread (the agent's own trim summary may be longer while the thread is live). */
export const COMPACT_SUMMARY_MAX = 2000;

export interface CompactionOptions {
  store: Store;
  log: Logger;
  /** Threads whose messages stay in memory: the most recently active ones (default 2,000). */
  keepRecent?: number | undefined;
  /** Total size (characters of JSON) the kept transcripts may take; past it the oldest are compacted (default 32 M). */
  maxLiveChars?: number | undefined;
  /** A thread with no activity for this long is compacted on the next sweep (default 24 h). */
  idleMs?: number | undefined;
  clock?: (() => Date) | undefined;
}

/** Threads with a message still queued or running (its ledger entry carries the pending message): never compacted. */
export function pendingThreads(db: Readonly<Db>): Set<string> {
  const keys = new Set<string>();
  for (const e of Object.values(db.processed)) if (e.status === 'queued' || e.status === 'received') keys.add(e.threadKey);
  return keys;
}

/**
 * Fold a conversation's messages into its summary and drop them (call inside `store.update`). The thread record
 * (threadKey, channel, caller, customer, usage, meta) stays; a later turn continues from the summary. The applied
 * message ids go too: they only matter for a message whose turn may still be retried, and such a thread is never
 * compacted; finished messages are deduplicated by the processed ledger.
 */
export function compactConversation(c: Conversation, now: string): boolean {
  if (c.messages.length === 0) return false;
  // Stored messages are loose: the API also allows a plain string as content.
  const loose = c.messages.map((m) => {
    const mm = m as { role?: unknown; content?: unknown } | null;
    return mm && typeof mm.content === 'string' ? { role: mm.role, content: [{ type: 'text', text: mm.content }] } : m;
  });
  const summary = summarizeAll(messagesOf({ threadKey: c.threadKey, channel: c.channel, messages: loose, usage: c.usage }), c.summary, COMPACT_SUMMARY_MAX);
  c.messages = [];
  if (summary === undefined) delete c.summary;
  else c.summary = summary;
  const { appliedMessageIds: _applied, ...meta } = c.meta;
  c.meta = { ...meta, compactedAt: now };
  return true;
}

/**
 * Bounds the transcripts held in memory: keeps the messages of the `keepRecent` most recently active threads (and
 * no more than `maxLiveChars` of them) that were active within `idleMs`; every other thread is compacted to its
 * record and a summary. Activity is
 * tracked in an LRU index (seeded from the store by `start()`), so a pass costs only the threads it compacts.
 */
export function createCompaction(opts: CompactionOptions) {
  const { store, log } = opts;
  const keepRecent = Math.max(1, opts.keepRecent ?? 2000);
  const idleMs = Math.max(1, opts.idleMs ?? 24 * 3600_000);
  const slack = Math.max(10, Math.ceil(keepRecent / 20));
  const maxChars = Math.max(1, opts.maxLiveChars ?? 32 * 1024 * 1024);
  const clock = opts.clock ?? (() => new Date());
  /** threadKey → last activity (ms) and transcript size; Map order is least recently active first. */
  const active = new Map<string, { at: number; chars: number }>();
  let liveChars = 0;

  function forget(key: string): void {
    const e = active.get(key);
    if (!e) return;
    liveChars -= e.chars;
    active.delete(key);
  }

  function remember(c: Conversation, at: number): void {
    const chars = JSON.stringify(c.messages).length;
    active.set(c.threadKey, { at, chars });
    liveChars += chars;
  }

  function seed(): void {
    const live = Object.values(store.read().conversations).filter((c) => c.messages.length > 0);
    live.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
    active.clear();
    liveChars = 0;
    for (const c of live) remember(c, Date.parse(c.updatedAt) || 0);
  }

  const tooMany = (count: number) => count > keepRecent || liveChars > maxChars;

  /** Compact the least recently active threads while `over(count, lastActive)` holds; pending threads are skipped. */
  async function pass(over: (count: number, lastActive: number) => boolean): Promise<number> {
    const first = active.entries().next();
    if (first.done || !over(active.size, first.value[1].at)) return 0;
    const at = clock().toISOString();
    const done = await store.update((db) => {
      const busy = pendingThreads(db);
      let count = active.size;
      let n = 0;
      for (const [key, { at: lastActive }] of active) {
        if (!over(count, lastActive)) break;
        if (busy.has(key)) continue;
        forget(key);
        count--;
        const c = db.conversations[key];
        if (c && compactConversation(c, at)) n++;
      }
      return n;
    });
    if (done > 0) log.debug({ compacted: done, live: active.size }, 'transcripts compacted');
    return done;
  }

  return {
    /** Index the threads that have messages in the store; call once before use (e.g. on start). */
    start(): void { seed(); },
    /** A thread's transcript was just written: mark it most recent, and compact past `keepRecent` (with some slack). */
    async touched(threadKey: string): Promise<number> {
      forget(threadKey);
      const c = store.read().conversations[threadKey];
      if (c?.messages.length) remember(c, clock().getTime());
      if (active.size <= keepRecent + slack && liveChars <= maxChars) return 0;
      return pass(tooMany);
    },
    /** Compact threads idle for `idleMs` and any beyond `keepRecent` (periodic and on start). */
    async sweep(): Promise<number> {
      const before = clock().getTime() - idleMs;
      return pass((count, lastActive) => tooMany(count) || lastActive < before);
    },
    /** How many threads keep their messages in memory, and their size in characters of JSON. */
    live: () => ({ threads: active.size, chars: liveChars }),
  };
}

export type Compaction = ReturnType<typeof createCompaction>;
