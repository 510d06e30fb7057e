import { AppError } from '../errors.js';
import type { Logger } from '../config/logger.js';
import { dbSchema, type Db } from './schema.js';
import { parseDb, readDbText } from './load.js';
import { writeFileDurably } from './durable-file.js';
import { listJournals, removeJournals } from './journal-file.js';
import { snapshotText, takeBaseSeq } from './journal-record.js';
import { replayJournals } from './journal-replay.js';

export interface JournaledState {
  db: Db;
  /** Seq of the last record the state on disk contains. */
  lastSeq: number;
  /** Generation for the next journal (above any on disk). */
  nextGen: number;
  /** Text of the full file now on disk (for the `.bak`). */
  text: string;
}

/**
 * Bring a loaded full file up to date with its journals: replay every complete record newer than the
 * seq the file holds, validate the result, then (only when journals were found) rewrite the full file
 * and remove the journals, so a torn last line is never followed by new appends. Nothing is written
 * when a journal is damaged or the result does not validate.
 */
export async function applyJournals(file: string, db: Db, text: string, validate: boolean, log?: Logger): Promise<JournaledState> {
  const journals = await listJournals(file);
  const baseSeq = takeBaseSeq(db);
  if (journals.length === 0) return { db, lastSeq: baseSeq, nextGen: 1, text };
  const replayed = await replayJournals(file, db, baseSeq, journals);
  let state = db;
  if (validate) {
    const parsed = dbSchema.safeParse(db);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'invalid';
      throw new AppError('store_corrupt', `store file ${file} with its journal does not match the database schema: ${where}; nothing was changed`, { file });
    }
    state = parsed.data;
  }
  const nextGen = journals[journals.length - 1]!.gen + 1;
  const full = snapshotText(state, replayed.lastSeq);
  await writeFileDurably(file, full);
  await removeJournals(file, nextGen - 1);
  log?.info({ file, records: replayed.applied, journals: journals.length, tornLine: replayed.tornLine }, 'store journal replayed');
  if (replayed.tornLine !== undefined) log?.warn({ file, line: replayed.tornLine }, 'ignored a journal record cut short by a crash (its update had not been confirmed)');
  return { db: state, lastSeq: replayed.lastSeq, nextGen, text: full };
}

/** A journal next to a missing store file: refuse rather than start from the seed. */
export async function assertNoOrphanJournal(file: string): Promise<void> {
  const journals = await listJournals(file);
  if (journals.length > 0) {
    throw new AppError('store_corrupt', `store file ${file} is missing but its journal ${journals[0]!.path} exists; restore the file (or its .bak) before starting`, { file });
  }
}

/**
 * The durable state of a store file as the next open would see it (the full file plus its complete
 * journal records), read without taking the lock and without writing anything. For checks and tools.
 * A live store may compact while this reads (a journal vanishes after the full file moved on): that
 * read is retried, so only real damage is reported.
 */
export async function readDurableState(file: string, opts: { validate?: boolean } = {}): Promise<Db> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readDurableOnce(file, opts.validate ?? true);
    } catch (err) {
      const raced = err instanceof AppError && typeof err.details?.['journal'] === 'string';
      if (!raced || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

async function readDurableOnce(file: string, validate: boolean): Promise<Db> {
  const text = await readDbText(file);
  if (text === null) throw new AppError('store_io', `store file ${file} does not exist`, { file });
  const db = parseDb(file, text, { validate });
  const journals = await listJournals(file);
  const baseSeq = takeBaseSeq(db);
  if (journals.length === 0) return db;
  await replayJournals(file, db, baseSeq, journals);
  return validate ? dbSchema.parse(db) : db;
}
