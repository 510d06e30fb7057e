/**
 * `importIntoPostgres`: a JSON store (current document plus journal, or an old whole-database `Db` file) copied into
 * PostgreSQL. The file is only read (no lock taken, nothing written: a running Helpline on it is not disturbed, and
 * what it has on disk now is what gets copied). Then the schema is migrated and every collection is upserted in ONE
 * transaction; afterwards each table must hold exactly the file's rows, else everything is rolled back.
 *
 * Idempotent: records are upserted on their primary keys, so a second run changes nothing and a run after the file
 * changed brings the changed records over. Audit entries are insert-if-absent (append-only); a ticket's messages and
 * history, a reply-budget key's entries and drafts are replaced whole. A database that holds rows the file does not
 * (another store's data, or records the JSON engine has pruned since the last import) fails the count check.
 */
import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { AppError } from '../../errors.js';
import { isProcessAlive } from '../durable-file.js';
import { readJsonStore } from '../json/read-store.js';
import { runMigrations } from '../postgres/migrate.js';
import { type ConnectionOptions, inTransaction, query, withPool } from './connection.js';
import { type TableCount, countTables, describeCounts, writeLoad } from './load.js';
import { importPlan } from './plan.js';
import { nextTicketNumber } from './read-postgres.js';

export interface ImportOptions extends ConnectionOptions {
  /** The JSON store file, e.g. `data/db.json`. */
  source: string;
  /** The IMAP mailbox an old document's `state['email.sync']` belongs to (default `INBOX`). */
  mailbox?: string | undefined;
}

export interface ImportResult {
  source: string;
  /** The file was an old whole-database document. */
  legacy: boolean;
  /** Journal records read on top of the document. */
  journalRecords: number;
  tables: TableCount[];
  /** The next ticket number the database hands out. */
  nextTicket: number;
}

/** Imports into one database take turns (`pg_advisory_xact_lock`). */
const IMPORT_LOCK_KEY = 0x48_454c_49; // 'HELI'

/** The next number is at least the file's, one past every stored ticket, and never lower than before. */
const SET_SEQUENCE = `SELECT setval('ticket_number_seq', $1::bigint, false)`;

async function warnIfOpen(file: string, log: ConnectionOptions['log']): Promise<void> {
  const pid = Number((await readFile(`${file}.lock`, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
    log.warn({ file, pid }, 'the store is open in a running process: copying what is on disk now; stop it and import again for a final copy');
  }
}

export async function importIntoPostgres(opts: ImportOptions): Promise<ImportResult> {
  const source = resolve(opts.source);
  const { log } = opts;
  await warnIfOpen(source, log);
  const store = await readJsonStore(source, { mailbox: opts.mailbox });
  if (store.tornTail) log.warn({ file: source }, 'ignored a journal record cut short by a crash');
  const plan = importPlan(store.doc);

  return withPool(opts, 'importIntoPostgres', async (pool: pg.Pool) => {
    await runMigrations({ pool, log });
    const started = Date.now();
    const { tables, nextTicket } = await inTransaction(pool, 'BEGIN ISOLATION LEVEL READ COMMITTED', async (client) => {
      await query(client, 'SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
      for (const load of plan) await writeLoad(client, load);
      const counts = await countTables(client, plan);
      const more = counts.filter((c) => c.database > c.file);
      const fewer = counts.filter((c) => c.database < c.file);
      if (more.length > 0) {
        throw new AppError('conflict', `The database holds rows that ${source} does not (${describeCounts(more)}); nothing was imported. `
          + 'Import into an empty database, or one only ever filled from this file (rows the JSON store deleted since are not deleted here).', { counts: more });
      }
      if (fewer.length > 0) throw new AppError('store_corrupt', `Rows went missing on the way (${describeCounts(fewer)}); nothing was imported.`, { counts: fewer });
      // Last: a sequence change is not rolled back (a higher number only leaves a gap).
      const next = Math.max(store.doc.ticketSeq, await nextTicketNumber(client));
      await query(client, SET_SEQUENCE, [next]);
      return { tables: counts, nextTicket: next };
    });
    log.info({ source, legacy: store.legacy, rows: tables.reduce((n, t) => n + t.database, 0), nextTicket, ms: Date.now() - started }, 'JSON store imported into PostgreSQL');
    return { source, legacy: store.legacy, journalRecords: store.journalRecords, tables, nextTicket };
  });
}
