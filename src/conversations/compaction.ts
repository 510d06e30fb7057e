import { summarizeAll } from '../agent/trim.js';
import { messagesOf } from '../agent/transcript.js';
import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import type { Conversation } from '../store/schema.js';
import { createLiveIndex, type LiveEntry } from './live-index.js';

/** Summary kept for a compacted thread (the agent's own trim summary may be longer while the thread is live). */
export const COMPACT_SUMMARY_MAX = 2000;
const PAGE = 500;
const BATCH = 100;

export interface CompactionOptions {
  repos: Pick<Repositories, 'conversations' | 'ledger'>;
  log: Logger;
  /** Threads whose messages stay whole: the most recently active ones (default 2,000). */
  keepRecent?: number | undefined;
  /** Total size (characters of JSON) the kept transcripts may take; past it the oldest are compacted (default 32 M). */
  maxLiveChars?: number | undefined;
  /** A thread with no activity for this long is compacted on the next sweep (default 24 h). */
  idleMs?: number | undefined;
  clock?: (() => Date) | undefined;
}

/**
 * A conversation's messages folded into its summary: what a compaction keeps. The thread record (caller, customer,
 * usage, meta) stays and a later turn continues from the summary. The applied message ids go too (the repository
 * drops them): they only matter for a message whose turn may still be retried, and such a thread is never compacted.
 */
export function compactedSummary(c: Conversation): string | undefined {
  // Stored messages are loose: the API also allows a plain string as content.
  const loose = c.messages.map((m) => {
    const mm = m as { role?: unknown; content?: unknown } | null;
    return mm && typeof mm.content === 'string' ? { role: mm.role, content: [{ type: 'text', text: mm.content }] } : m;
  });
  return summarizeAll(messagesOf({ threadKey: c.threadKey, channel: c.channel, messages: loose, usage: c.usage }), c.summary, COMPACT_SUMMARY_MAX);
}

const entryOf = (c: Conversation): LiveEntry => ({ at: Date.parse(c.updatedAt) || 0, chars: JSON.stringify(c.messages).length });

/**
 * Bounds the stored transcripts: keeps the messages of the `keepRecent` most recently active threads (and no more
 * than `maxLiveChars` of them) that were active within `idleMs`; every other thread is compacted to its record and
 * a summary. Activity is tracked in an in-process index (read page by page from the repository by `start()` and
 * `sweep()`), so a pass costs only the threads it compacts. Passes run one at a time; a thread with a message still
 * unfinished is never compacted, and one written since it was read is left alone (compare-and-set on updatedAt).
 */
export function createCompaction(opts: CompactionOptions) {
  const { repos, log } = opts;
  const keepRecent = Math.max(1, opts.keepRecent ?? 2000);
  const idleMs = Math.max(1, opts.idleMs ?? 24 * 3600_000);
  const slack = Math.max(10, Math.ceil(keepRecent / 20));
  const maxChars = Math.max(1, opts.maxLiveChars ?? 32 * 1024 * 1024);
  const clock = opts.clock ?? (() => new Date());
  const index = createLiveIndex();
  let chain: Promise<unknown> = Promise.resolve();

  /** Run `fn` after every pass started before it (passes read and change the index). */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function seed(): Promise<void> {
    const entries: Array<[string, LiveEntry]> = [];
    let after: { updatedAt: string; threadKey: string } | undefined;
    for (;;) {
      const page = await repos.conversations.listLive(PAGE, after);
      for (const t of page) entries.push([t.threadKey, { at: Date.parse(t.updatedAt) || 0, chars: t.chars }]);
      const last = page.at(-1);
      if (page.length < PAGE || !last) break;
      after = { updatedAt: last.updatedAt, threadKey: last.threadKey };
    }
    index.replace(entries);
  }

  const tooMany = (count: number) => count > keepRecent || index.chars() > maxChars;

  /** Compact one thread unless it was written since it was indexed (then it is marked as recent instead). */
  async function compactOne(key: string, indexed: LiveEntry, at: string): Promise<boolean> {
    index.forget(key);
    const c = await repos.conversations.get(key);
    if (!c || c.messages.length === 0) return false;
    if (Date.parse(c.updatedAt) > indexed.at) {
      index.remember(key, entryOf(c)); // another turn (or instance) wrote it
      return false;
    }
    const r = await repos.conversations.compact(key, { summary: compactedSummary(c), at, expectUpdatedAt: c.updatedAt });
    // Lost to a later write: it is recent now. Lost with nothing newer (should not happen): leave it out of the index
    // until the next sweep re-reads it, rather than retrying it on every turn.
    if (!r.won && r.record?.messages.length && Date.parse(r.record.updatedAt) > Date.parse(c.updatedAt)) index.remember(key, entryOf(r.record));
    return r.won;
  }

  /** Compact the least recently active threads while `over(count, lastActive)` holds; pending threads are skipped. */
  async function pass(over: (count: number, lastActive: number) => boolean): Promise<number> {
    const first = index.oldest();
    if (!first || !over(index.size(), first.at)) return 0;
    const at = clock().toISOString();
    const snapshot = index.entries();
    let n = 0;
    for (let i = 0; i < snapshot.length; i += BATCH) {
      const batch = snapshot.slice(i, i + BATCH);
      const busy = new Set(await repos.ledger.threadsWithUnfinished(batch.map(([k]) => k)));
      for (const [key, entry] of batch) {
        if (!over(index.size(), entry.at)) return n;
        if (!busy.has(key) && (await compactOne(key, entry, at))) n++;
      }
    }
    return n;
  }

  function logged(n: number): number {
    if (n > 0) log.debug({ compacted: n, live: index.size() }, 'transcripts compacted');
    return n;
  }

  return {
    /** Index the threads that have messages in the repository; call once before use (e.g. on start). */
    start: (): Promise<void> => serial(seed),
    /** A thread's transcript was just written: mark it most recent, and compact past `keepRecent` (with some slack). */
    touched: (threadKey: string): Promise<number> => serial(async () => {
      const c = await repos.conversations.get(threadKey);
      index.forget(threadKey);
      if (c?.messages.length) index.remember(threadKey, entryOf(c));
      if (index.size() <= keepRecent + slack && index.chars() <= maxChars) return 0;
      return logged(await pass(tooMany));
    }),
    /** Re-read the index, then compact threads idle for `idleMs` and any beyond the bounds (periodic and on start). */
    sweep: (): Promise<number> => serial(async () => {
      await seed();
      const before = clock().getTime() - idleMs;
      return logged(await pass((count, lastActive) => tooMany(count) || lastActive < before));
    }),
    /** Resolves once the passes started so far are over. */
    idle: (): Promise<void> => serial(async () => undefined),
    /** How many threads keep their messages, and their size in characters of JSON. */
    live: () => ({ threads: index.size(), chars: index.chars() }),
  };
}

export type Compaction = ReturnType<typeof createCompaction>;
