/**
 * Opening the JSON engine's file: take `<file>.lock`, load the document (or create it from the seed / empty),
 * replay the journal, and leave one clean document on disk (an old `Db` document migrated, the journal folded
 * in and deleted, so a torn last line is never followed by new appends), plus `<file>.bak`, a copy of the state
 * loaded. A bad file or journal fails with `store_corrupt`/`store_io` before anything is written: the files are
 * left exactly as they were, and the lock is released.
 */
import { access, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from '../../config/logger.js';
import { AppError } from '../../errors.js';
import { acquireLock, type FileLock } from '../lock.js';
import { type Core, createCore } from '../memory/core.js';
import { releaseDeadClaims } from './dead-claims.js';
import { createState, type MemoryState } from '../memory/state.js';
import { copyFileAtomically, removeStaleTemps, syncDir } from './atomic-file.js';
import { NO_DOCUMENT, type StoreDocument, loadDocument, snapshotDocument } from './document.js';
import { DocumentFile } from './document-file.js';
import { applyJournal, journalPathOf, readJournal } from './journal.js';

export interface OpenFileOptions {
  file: string;
  seedFile?: string | undefined;
  log: Logger;
  mailbox: string;
  clock: () => Date;
}

export interface OpenedFile {
  file: string;
  core: Core;
  state: MemoryState;
  low: Low<StoreDocument>;
  adapter: DocumentFile;
  lock: FileLock;
  /** The last journal record the document on disk holds. */
  journalSeq: number;
  documentBytes: number;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function readSeed(seedFile: string, opts: OpenFileOptions): Promise<StoreDocument> {
  const doc = await new DocumentFile(seedFile, { what: 'seed file', mailbox: opts.mailbox, clock: opts.clock }).read();
  if (!doc) throw new AppError('store_io', `seed file ${seedFile} does not exist`, { file: seedFile });
  return doc;
}

/** Where the original of a migrated old document is kept (never overwritten). */
async function legacyBackupPath(file: string): Promise<string> {
  const plain = `${file}.v1.bak`;
  return (await exists(plain)) ? `${file}.v1-${Date.now()}.bak` : plain;
}

/** Load, repair and back up the file; the caller owns the returned lock. */
async function load(file: string, lock: FileLock, opts: OpenFileOptions): Promise<OpenedFile> {
  const { log } = opts;
  const stale = await removeStaleTemps(file);
  if (stale.length > 0) log.warn({ file, removed: stale.length }, 'removed temp files left by an interrupted write');

  const adapter = new DocumentFile(file, { mailbox: opts.mailbox, clock: opts.clock });
  const low = new Low<StoreDocument>(adapter, NO_DOCUMENT);
  await low.read();
  const found = low.data !== NO_DOCUMENT;
  if (!found && (await exists(journalPathOf(file)))) {
    throw new AppError('store_corrupt', `store file ${file} is missing but its journal ${journalPathOf(file)} exists; restore the file (or its .bak) before starting`, { file });
  }
  const doc = found ? low.data : opts.seedFile ? await readSeed(resolve(opts.seedFile), opts) : undefined;
  low.data = NO_DOCUMENT;

  const core = createCore();
  const state = createState(core, opts.clock);
  if (doc) core.setup(() => loadDocument(state, doc, file));
  const journal = found ? await readJournal(file) : undefined;
  let journalSeq = doc?.journalSeq ?? 0;
  if (journal) {
    const from = journalSeq;
    journalSeq = core.setup(() => applyJournal(state, journal.records, from, file));
    log.info({ file, records: journalSeq - from }, 'store journal replayed');
    if (journal.tornTail) log.warn({ file }, 'ignored a journal record cut short by a crash (its write had not been acknowledged)');
  }
  const freed = core.setup(() => releaseDeadClaims(state, opts.clock()));
  if (freed.claims + freed.leases > 0) log.info({ file, ...freed }, 'freed the outbox claims and leases of the process that had the file before');

  if (!found || adapter.legacy || journal) {
    if (adapter.legacy) {
      const backup = await legacyBackupPath(file);
      await copyFileAtomically(file, backup);
      log.info({ file, backup }, 'store file is an old whole-database document: migrating it (the original is kept)');
    }
    low.data = snapshotDocument(state, journalSeq);
    try {
      await low.write();
    } finally {
      low.data = NO_DOCUMENT;
    }
    if (journal) {
      await rm(journalPathOf(file), { force: true });
      await syncDir(dirname(file));
    }
  }
  await copyFileAtomically(file, `${file}.bak`);
  const documentBytes = (await stat(file)).size;
  log.info({ file, created: !found, seeded: !found && Boolean(opts.seedFile), migrated: adapter.legacy }, found ? 'store opened' : 'store created');
  return { file, core, state, low, adapter, lock, journalSeq, documentBytes };
}

export async function openFile(opts: OpenFileOptions): Promise<OpenedFile> {
  const file = resolve(opts.file);
  let lock: FileLock | undefined;
  try {
    await mkdir(dirname(file), { recursive: true });
    lock = await acquireLock(file, opts.log);
    return await load(file, lock, opts);
  } catch (err) {
    await lock?.release().catch(() => undefined);
    if (err instanceof AppError) throw err;
    throw new AppError('store_io', `cannot open store file ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
}
