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

export interface FileStoreOptions {
  /** The database file (e.g. `data/db.json`). */
  file: string;
  /** Used once to create `file` when it does not exist; never written to. */
  seedFile?: string;
  log?: Logger;
  /** Validate the file against `dbSchema` on load (default true). */
  validate?: boolean;
}

export interface FileStoreStats extends WriteStats {
  /** Bytes of the last rewrite. */
  lastWriteBytes: number;
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
  try {
    const stale = await removeStaleTemps(file);
    if (stale.length > 0) log?.warn({ file, removed: stale.length }, 'removed temp files left by an interrupted write');
    const { created, text } = await loadInto(low, adapter, opts, validate);
    await writeFileDurably(`${file}.bak`, text);
    log?.info({ file, created, seeded: created && Boolean(opts.seedFile) }, created ? 'store created' : 'store opened');
  } catch (err) {
    await lock.release().catch(() => undefined);
    if (err instanceof AppError) throw err;
    throw new AppError('store_io', `cannot open store file ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }

  const queue = createWriteQueue(async () => {
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
        result = fn(low.data);
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
      } finally {
        await lock.release();
        log?.info({ file }, 'store closed');
      }
    },
    stats: () => ({ ...queue.stats(), lastWriteBytes: adapter.lastWriteBytes }),
  };
}
