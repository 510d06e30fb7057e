import { resolve } from 'node:path';
import { Low } from 'lowdb';
import { AppError } from '../errors.js';
import type { Logger } from '../config/logger.js';
import { emptyDb, type Db } from './schema.js';
import type { Store } from './types.js';
import { removeStaleTemps, writeFileDurably } from './durable-file.js';
import { JsonFileAdapter } from './json-file-adapter.js';
import { parseDb, readDbText } from './load.js';
import { acquireLock, type FileLock } from './lock.js';
import { createWriteQueue, type WriteStats } from './write-queue.js';
import { createChangeTracker } from './change-tracker.js';
import { createJournalWriter, type JournalWriter } from './journal-writer.js';
import { applyJournals, assertNoOrphanJournal } from './load-journaled.js';

export interface FileStoreOptions {
  /** The database file (e.g. `data/db.json`). */
  file: string;
  /** Used once to create `file` when it does not exist; never written to. */
  seedFile?: string;
  log?: Logger;
  /** Validate the file against `dbSchema` on load (default true). */
  validate?: boolean;
  /**
   * Make updates durable through an append-only journal (`<file>.journal.<n>`, group-committed,
   * compacted into the full file in the background and on close) instead of a full rewrite per
   * commit (default true). With false, every commit rewrites the whole file.
   */
  journal?: boolean;
  /** Journal mode: compact once the journal holds this many bytes (default: 4 MiB or the full file's size, whichever is larger). */
  compactAtBytes?: number;
}

export interface FileStoreStats extends WriteStats {
  /** Bytes of the last full-file rewrite. */
  lastWriteBytes: number;
  /** Full-file rewrites since open (journal mode: compactions, recoveries, close; otherwise = writes). */
  rewrites: number;
  /** Journal mode: records appended since open, and bytes in the current journal. */
  journalRecords: number;
  journalBytes: number;
  /** Bytes appended to journals since the store opened (0 without a journal). */
  journalAppendedBytes: number;
}

export interface FileStore extends Store {
  stats(): FileStoreStats;
}

async function loadSeed(seedFile: string, validate: boolean): Promise<Db> {
  const text = await readDbText(seedFile, 'seed file');
  if (text === null) throw new AppError('store_io', `seed file ${seedFile} does not exist`, { file: seedFile });
  return parseDb(seedFile, text, { validate, what: 'seed file' });
}

/** Load (or create) the database: returns whether it was created, and the text to back up. */
async function loadInto(low: Low<Db>, adapter: JsonFileAdapter, opts: FileStoreOptions, validate: boolean): Promise<{ created: boolean; text: string }> {
  const missing = low.data;
  await low.read();
  if (low.data !== missing) return { created: false, text: adapter.lastReadText ?? JSON.stringify(low.data) };
  await assertNoOrphanJournal(adapter.file);
  low.data = opts.seedFile ? await loadSeed(resolve(opts.seedFile), validate) : emptyDb();
  await low.write();
  return { created: true, text: JSON.stringify(low.data) };
}

/**
 * Open the JSON-file store: take `<file>.lock`, load and validate the file (or create it from
 * the seed / empty), keep `<file>.bak` of the loaded state, then serve updates through one
 * coalescing writer. A bad file fails with `store_corrupt`/`store_io` and is left untouched.
 */
export async function openFileStore(opts: FileStoreOptions): Promise<FileStore> {
  const file = resolve(opts.file);
  const validate = opts.validate ?? true;
  const log = opts.log;
  const lock: FileLock = await acquireLock(file, log);
  const adapter = new JsonFileAdapter(file, validate);
  const low = new Low<Db>(adapter, emptyDb());
  const journaled = opts.journal !== false;
  const tracker = createChangeTracker();
  let journal: JournalWriter | undefined;
  try {
    const stale = await removeStaleTemps(file);
    if (stale.length > 0) log?.warn({ file, removed: stale.length }, 'removed temp files left by an interrupted write');
    const loaded = await loadInto(low, adapter, opts, validate);
    const { created } = loaded;
    let text = loaded.text;
    // Journals left by a journaled run are folded in whatever the mode, so switching modes never loses them.
    const state = await applyJournals(file, low.data, text, validate, log);
    low.data = state.db;
    text = state.text;
    if (journaled) {
      journal = createJournalWriter({
        file, data: () => low.data, tracker, log, lastSeq: state.lastSeq, nextGen: state.nextGen,
        fullBytes: Buffer.byteLength(text), compactAtBytes: opts.compactAtBytes,
      });
    }
    await writeFileDurably(`${file}.bak`, text);
    log?.info({ file, created, seeded: created && Boolean(opts.seedFile) }, created ? 'store created' : 'store opened');
  } catch (err) {
    await lock.release().catch(() => undefined);
    if (err instanceof AppError) throw err;
    throw new AppError('store_io', `cannot open store file ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }

  const queue = createWriteQueue(journal ? journal.commit : async () => {
    try {
      await low.write();
    } catch (err) {
      log?.error({ file, err: (err as Error).message }, 'store write failed');
      throw new AppError('store_io', `cannot write store file ${file}: ${(err as Error).message}`, { file }, { cause: err });
    }
  });
  let closed = false;
  const closedError = () => new AppError('unavailable', `store ${file} is closed`, { file });

  return {
    location: file,
    read: () => low.data,
    update<T>(fn: (db: Db) => T): Promise<T> {
      if (closed) return Promise.reject(closedError());
      let result: T;
      try {
        result = journal ? tracker.run(low.data, fn) : fn(low.data);
      } catch (err) {
        return Promise.reject(err);
      }
      const written = queue.request();
      if (result instanceof Promise) {
        return written.then(() => Promise.reject(new AppError('internal', 'store update functions must be synchronous')));
      }
      return written.then(() => result);
    },
    flush() {
      return closed ? Promise.reject(closedError()) : queue.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await queue.flush();
        await journal?.checkpoint();
      } finally {
        await lock.release();
        log?.info({ file }, 'store closed');
      }
    },
    stats: () => {
      const q = queue.stats();
      if (!journal) return { ...q, lastWriteBytes: adapter.lastWriteBytes, rewrites: q.writes, journalRecords: 0, journalBytes: 0, journalAppendedBytes: 0 };
      const j = journal.stats();
      return { ...q, lastWriteBytes: j.lastWriteBytes, rewrites: j.rewrites, journalRecords: j.records, journalBytes: j.journalBytes, journalAppendedBytes: j.appendedBytes };
    },
  };
}
