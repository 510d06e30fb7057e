import { AppError } from '../errors.js';
import type { Logger } from '../config/logger.js';
import type { Db } from './schema.js';
import type { ChangeTracker } from './change-tracker.js';
import { writeFileDurably } from './durable-file.js';
import { createJournalAppender, listJournals, removeJournals } from './journal-file.js';
import { buildOps, snapshotText } from './journal-record.js';

export interface JournalStats {
  /** Journal records written (group commits that changed something). */
  records: number;
  /** Bytes in the current journal generation. */
  journalBytes: number;
  /** Bytes appended to journals since the store opened. */
  appendedBytes: number;
  /** Full-file rewrites done (compactions, recoveries, close). */
  rewrites: number;
  /** Bytes of the last full-file rewrite. */
  lastWriteBytes: number;
}

export interface JournalWriterDeps {
  file: string;
  data: () => Db;
  tracker: ChangeTracker;
  log?: Logger | undefined;
  /** The seq of the last record the state on disk contains. */
  lastSeq: number;
  /** The generation the next record goes to (above every journal on disk). */
  nextGen: number;
  /** Size of the full file now on disk. */
  fullBytes: number;
  /** Compact once the journal holds this many bytes (default: 4 MiB or the full file's size, whichever is larger). */
  compactAtBytes?: number | undefined;
}

export interface JournalWriter {
  /** Group commit: one record with every change marked so far, appended and fdatasynced. For the write queue. */
  commit(): Promise<void>;
  /** Rewrite the full file with the whole state and remove every journal (on close). */
  checkpoint(): Promise<void>;
  stats(): JournalStats;
}

/**
 * The write-ahead journal behind the file store. Each commit appends one line `{"seq":n,"ops":[...]}`
 * holding the current value of every element changed since the previous commit, and fdatasyncs it.
 * When the journal grows past the threshold, later records go to the next generation and the full
 * file is rewritten in the background (carrying the seq it contains in `state['store.journal']`),
 * after which the older journals are removed. A failed append makes the next commit a full rewrite.
 */
export function createJournalWriter(d: JournalWriterDeps): JournalWriter {
  const appender = createJournalAppender(d.file);
  const threshold = () => d.compactAtBytes ?? Math.max(4 * 1024 * 1024, fullBytes);
  let lastSeq = d.lastSeq;
  let activeGen = d.nextGen;
  let journalBytes = 0;
  let fullBytes = d.fullBytes;
  let needsFull = false;
  let compacting: Promise<void> | undefined;
  const stats: JournalStats = { records: 0, journalBytes: 0, appendedBytes: 0, rewrites: 0, lastWriteBytes: d.fullBytes };

  const ioError = (err: unknown, what: string) =>
    err instanceof AppError ? err : new AppError('store_io', `cannot ${what} store file ${d.file}: ${(err as Error).message}`, { file: d.file }, { cause: err });

  async function writeFull(text: string, upto: number): Promise<void> {
    await writeFileDurably(d.file, text);
    fullBytes = Buffer.byteLength(text);
    stats.rewrites += 1;
    stats.lastWriteBytes = fullBytes;
    await removeJournals(d.file, upto);
  }

  /** Snapshot now (synchronously), rewrite after any compaction in flight, remove every older journal. */
  async function fullRewrite(): Promise<void> {
    d.tracker.take(); // the snapshot holds every change
    const text = snapshotText(d.data(), lastSeq);
    const upto = activeGen;
    activeGen += 1;
    journalBytes = 0;
    await appender.close();
    if (compacting) await compacting;
    try {
      await writeFull(text, upto);
    } catch (err) {
      d.log?.error({ file: d.file, err: (err as Error).message }, 'store rewrite failed');
      throw ioError(err, 'write');
    }
    needsFull = false;
  }

  async function commit(): Promise<void> {
    if (needsFull) return fullRewrite();
    if (!d.tracker.hasPending()) return; // nothing changed: every earlier commit is already durable
    let line: string;
    let snapshot: string | undefined;
    const gen = activeGen;
    try {
      const ops = buildOps(d.data(), d.tracker.take());
      line = `${JSON.stringify({ seq: lastSeq + 1, ops })}\n`;
    } catch (err) {
      needsFull = true; // the taken changes are in no record: the next commit rewrites everything
      throw new AppError('internal', `cannot serialise a store change: ${(err as Error).message}`, { file: d.file }, { cause: err });
    }
    const seq = ++lastSeq;
    const bytes = Buffer.byteLength(line);
    journalBytes += bytes;
    if (!compacting && journalBytes >= threshold()) {
      try {
        snapshot = snapshotText(d.data(), seq); // holds this record and everything before it
        activeGen += 1; // later records start the next journal
        journalBytes = 0;
      } catch (err) {
        d.log?.warn({ file: d.file, err: (err as Error).message }, 'store compaction skipped: the state cannot be serialised');
      }
    }
    try {
      await appender.append(gen, line);
    } catch (err) {
      needsFull = true; // the journal may end in a partial line: never append after it
      d.log?.error({ file: d.file, err: (err as Error).message }, 'store journal append failed');
      throw ioError(err, 'append to the journal of');
    }
    stats.records += 1;
    stats.appendedBytes += bytes;
    if (snapshot !== undefined) {
      const text = snapshot;
      compacting = writeFull(text, gen)
        .catch((err: unknown) => d.log?.warn({ file: d.file, err: (err as Error).message }, 'store compaction failed; the journal is kept'))
        .finally(() => { compacting = undefined; });
    }
  }

  return {
    commit,
    async checkpoint() {
      if (compacting) await compacting;
      const journals = await listJournals(d.file).catch(() => []);
      if (!needsFull && journals.length === 0 && !d.tracker.hasPending()) return;
      await fullRewrite();
      await appender.close();
    },
    stats: () => ({ ...stats, journalBytes }),
  };
}
