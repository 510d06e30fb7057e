/**
 * Group commit for the JSON engine. Every top-level repository call, once it has committed in memory, waits on
 * `durable()`: it resolves once everything written so far is on disk. One commit is written at a time; calls
 * that commit while it is being written wait for the next, which carries all of them (one append + fdatasync,
 * however many calls). A commit is normally one journal record holding the rows written since the previous one;
 * once the journal reaches `compactAtBytes` (default: the document's size, at least 4 MiB) the commit is a full
 * rewrite of the document instead, after which the journal is deleted. `compactAtBytes: 0` makes every commit a
 * full rewrite (no journal; bench/json-store.ts measures both).
 *
 * A failed write rejects the calls it carried with `store_io` (their changes stay in memory and go out with the
 * next write), and the next commit is a full rewrite (the journal may end in a partial line and is replaced).
 *
 * A commit that erases a one-time secret (secret-rows.ts: a system mail's body scrubbed once sent) is a full rewrite
 * too, followed by a fresh backup: the journal line, document and backup that held the pending mail are all
 * replaced, so no reset or confirmation link stays on disk once its mail is out.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Low } from 'lowdb';
import type { Logger } from '../../config/logger.js';
import { AppError } from '../../errors.js';
import type { MemoryState } from '../memory/state.js';
import { NO_DOCUMENT, type StoreDocument, snapshotDocument } from './document.js';
import type { JournalAppender } from './journal.js';
import { erasesSecret } from './secret-rows.js';
import type { Tracker } from './tracker.js';

export interface WriterOptions {
  file: string;
  state: MemoryState;
  tracker: Tracker;
  /** The document file (lowdb over `DocumentFile`). */
  low: Low<StoreDocument>;
  /** Size of the document now on disk. */
  documentBytes: () => number;
  journal: JournalAppender;
  /** The last journal record the state on disk holds. */
  journalSeq: number;
  /** Run `fn` where no transaction is open (inside the engine's mutex). */
  quiescent<T>(fn: () => T): Promise<T>;
  /** Replace the backup (`<file>.bak`) with a copy of the document now on disk. */
  backup(): Promise<void>;
  compactAtBytes?: number | undefined;
  log: Logger;
}

export interface WriterStats {
  /** Disk writes since open: journal appends + full rewrites (each carries any number of commits). */
  writes: number;
  appends: number;
  rewrites: number;
  failedWrites: number;
  journalBytes: number;
  documentBytes: number;
  /** Longest single write (append + fdatasync, or full rewrite), ms. */
  maxWriteMs: number;
}

export interface Writer {
  /** Resolves once every write made so far is durable; `store_io` when the write carrying it failed. */
  durable(): Promise<void>;
  /** Write the whole document now (and delete the journal); resolves once it is on disk. */
  rewrite(): Promise<void>;
  /** The failure of the last write, until a write succeeds. */
  readonly failure: AppError | undefined;
  /** Flush, fold the journal into the document, stop. Later `durable()` calls settle at once. */
  close(): Promise<void>;
  stats(): WriterStats;
}

const MIN_COMPACT_BYTES = 4 * 1024 * 1024;

interface Waiter {
  target: number;
  resolve(): void;
  reject(err: Error): void;
}

export function createWriter(opts: WriterOptions): Writer {
  const { file, state, tracker, low, journal, log } = opts;
  const waiters: Waiter[] = [];
  const stats = { writes: 0, appends: 0, rewrites: 0, failedWrites: 0, maxWriteMs: 0 };
  let durableVersion = tracker.version;
  let lastSeq = opts.journalSeq;
  let writtenTicketSeq = state.ticketSeq.next;
  let needFull = false;
  /** A secret was erased since the backup was last refreshed: refresh it after the next full rewrite. */
  let backupStale = false;
  let running = false;
  let closed = false;
  let failure: AppError | undefined;

  const compactAt = () => opts.compactAtBytes ?? Math.max(MIN_COMPACT_BYTES, opts.documentBytes());

  function settle(upTo: number, err?: Error): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i] as Waiter;
      if (w.target > upTo) continue;
      waiters.splice(i, 1);
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  async function writeDocument(doc: StoreDocument): Promise<void> {
    low.data = doc;
    try {
      await low.write();
    } finally {
      // lowdb keeps `data`; drop the snapshot so replaced rows can be collected before the next rewrite.
      low.data = NO_DOCUMENT;
    }
    stats.rewrites += 1;
    stats.writes += 1;
    writtenTicketSeq = doc.ticketSeq;
    try {
      await journal.remove();
      needFull = false;
    } catch (err) {
      // The document holds everything (records up to its journalSeq are skipped on load): try again next commit.
      log.error({ file, err: (err as Error).message }, 'store journal could not be removed after a rewrite');
    }
  }

  /** The backup may hold an erased secret: replace it (a failure is logged; the next full rewrite tries again). */
  async function refreshBackup(): Promise<void> {
    try {
      await opts.backup();
      backupStale = false;
    } catch (err) {
      log.error({ file, err: (err as Error).message }, 'store backup could not be refreshed after a secret was erased');
    }
  }

  /** One write carrying every commit made so far. Never throws: the outcome goes to the waiters. */
  async function commitOnce(forceFull: boolean): Promise<void> {
    const started = performance.now();
    const full = forceFull || needFull || journal.bytes >= compactAt();
    let version: number | undefined;
    try {
      const write = await opts.quiescent(() => {
        version = tracker.version;
        const erases = tracker.someWritten(erasesSecret);
        backupStale ||= erases;
        if (!full && !erases) return { changes: tracker.takeChanges() };
        tracker.clear();
        return { doc: snapshotDocument(state, lastSeq) };
      });
      if (write.doc) {
        await writeDocument(write.doc);
        if (backupStale) await refreshBackup();
      } else {
        const { changes } = write;
        if (changes.rows.length > 0 || changes.ticketSeq !== writtenTicketSeq) {
          lastSeq += 1;
          await journal.append({ seq: lastSeq, ticketSeq: changes.ticketSeq, rows: changes.rows });
          writtenTicketSeq = changes.ticketSeq;
          stats.appends += 1;
          stats.writes += 1;
        }
      }
      stats.maxWriteMs = Math.max(stats.maxWriteMs, performance.now() - started);
      durableVersion = Math.max(durableVersion, version as number);
      failure = undefined;
      settle(durableVersion);
    } catch (err) {
      needFull = true;
      stats.failedWrites += 1;
      const reason = (err as Error).message;
      failure = new AppError('store_io', `cannot write store file ${file}: ${reason}`, { file }, { cause: err });
      log.error({ file, err: reason }, 'store write failed; the next write rewrites the whole file');
      settle(version ?? Number.POSITIVE_INFINITY, failure);
    }
  }

  let forced: Waiter[] = [];
  async function loop(): Promise<void> {
    try {
      while (waiters.length > 0 || forced.length > 0) {
        const force = forced;
        forced = [];
        await commitOnce(force.length > 0);
        for (const w of force) {
          if (failure) w.reject(failure);
          else w.resolve();
        }
      }
    } finally {
      running = false;
    }
  }
  // The loop runs in the async context the engine was built in, never in a caller's (which may be inside a transaction).
  const kick = AsyncResource.bind(() => {
    if (running) return;
    running = true;
    void loop();
  });

  const durable = (): Promise<void> => {
    const target = tracker.version;
    if (target <= durableVersion) return Promise.resolve();
    if (closed) return Promise.reject(failure ?? new AppError('unavailable', `store ${file} is closed`, { file }));
    return new Promise<void>((resolve, reject) => {
      waiters.push({ target, resolve, reject });
      kick();
    });
  };

  const rewrite = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      forced.push({ target: 0, resolve, reject });
      kick();
    });

  return {
    durable,
    rewrite,
    get failure() {
      return failure;
    },
    async close() {
      if (closed) return;
      try {
        await durable();
        if (journal.bytes > 0 || needFull) await rewrite();
      } finally {
        closed = true;
        await journal.close();
      }
    },
    stats: () => ({ ...stats, journalBytes: journal.bytes, documentBytes: opts.documentBytes() }),
  };
}
