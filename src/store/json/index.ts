/**
 * The JSON-file engine of the repositories (the default when DATABASE_URL is unset): the memory engine holds the
 * data, and every top-level call or transaction is on disk before its promise resolves. On disk: `<file>`, a
 * versioned document of typed collections (document.ts) written through lowdb with fsync (atomic-file.ts), and
 * `<file>.journal`, the rows of each group commit appended and fdatasynced (journal.ts, writer.ts), folded into
 * the document when it grows and on close. One process per file (`<file>.lock`: a second one gets
 * `store_locked`). A bad file refuses to start (`store_corrupt`) and is left as it is; an old whole-database
 * `Db` file is migrated on first start (its original kept as `<file>.v1.bak`). Once a mail that may carry a one-time
 * link is out (its body scrubbed), no journal line, document or `<file>.bak` keeps the link (writer.ts). bench/results.md
 * ("JSON engine: journal or whole-file rewrite") has the figures behind the journal.
 */
import type { Logger } from '../../config/logger.js';
import { AppError, isAppError } from '../../errors.js';
import type { Binding } from '../memory/core.js';
import type { Repositories } from '../repos/index.js';
import { copyFileAtomically } from './atomic-file.js';
import { jsonBundle } from './bundle.js';
import { JournalAppender } from './journal.js';
import { openFile } from './open-file.js';
import { trackState } from './tracker.js';
import { createWriter, type WriterStats } from './writer.js';

export { readJsonStore, type DurableStore } from './read-store.js';
export type { StoreDocument } from './document.js';

export interface JsonRepositoriesOptions {
  /** The data file, e.g. `data/db.json` (its directory is created when missing). */
  file: string;
  /** Used once, to create `file` when it does not exist (an old `Db` or a current document); never written. */
  seedFile?: string | undefined;
  log: Logger;
  /** The IMAP mailbox an old document's `state['email.sync']` belongs to (default `INBOX`). */
  mailbox?: string | undefined;
  /** The engine's clock, used by leases (default: the system clock). */
  clock?: (() => Date) | undefined;
  /**
   * Fold the journal into the document once it holds this many bytes (default: the document's size, at least
   * 4 MiB). 0: no journal, every group commit rewrites the whole document.
   */
  compactAtBytes?: number | undefined;
}

export type JsonStoreStats = WriterStats;

export interface JsonRepositories extends Repositories {
  /** The data file (absolute path). */
  readonly location: string;
  stats(): JsonStoreStats;
}

const AUTO: Binding = { kind: 'auto' };

/** Open (or create) the file and serve the repositories from it. Fails with `store_locked`, `store_corrupt` or `store_io`. */
export async function createJsonRepositories(opts: JsonRepositoriesOptions): Promise<JsonRepositories> {
  const { log } = opts;
  const opened = await openFile({ file: opts.file, seedFile: opts.seedFile, log, mailbox: opts.mailbox ?? 'INBOX', clock: opts.clock ?? (() => new Date()) });
  const { file, core, state, low, adapter, lock } = opened;
  const tracker = trackState(state);

  let coreClosed: () => void = () => undefined;
  const coreIdle = new Promise<void>((r) => { coreClosed = r; });
  /** Run `fn` where no transaction is open: in the engine's mutex, or once it is closed and idle. */
  async function quiescent<T>(fn: () => T): Promise<T> {
    let out: T | undefined;
    try {
      await core.op(AUTO, () => { out = fn(); });
    } catch (err) {
      if (!isAppError(err, 'unavailable')) throw err;
      await coreIdle;
      out = fn();
    }
    return out as T;
  }

  const writer = createWriter({
    file, state, tracker, low, log, quiescent,
    journal: new JournalAppender(file),
    backup: () => copyFileAtomically(file, `${file}.bak`),
    journalSeq: opened.journalSeq,
    documentBytes: () => adapter.lastWriteBytes || opened.documentBytes,
    compactAtBytes: opts.compactAtBytes,
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await core.close(AUTO);
      } catch (err) {
        closing = undefined; // close() inside a transaction: nothing was closed
        throw err;
      }
      coreClosed();
      try {
        await writer.close();
      } finally {
        await lock.release();
        log.info({ file }, 'store closed');
      }
    })();
    return closing;
  };

  const ready = async (): Promise<void> => {
    if (!writer.failure) return;
    await writer.rewrite().catch((err: unknown) => {
      throw new AppError('unavailable', `store file ${file} cannot be written: ${(err as Error).message}`, { file }, { cause: err });
    });
  };

  const repos = jsonBundle(core, state, AUTO, { durable: writer.durable, ready, close });
  return Object.assign(repos, { location: file, stats: writer.stats });
}
