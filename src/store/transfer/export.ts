/**
 * `exportFromPostgres`: every product table written out as a current-format JSON store that `createJsonRepositories`
 * opens and serves. The tables are read in one read-only REPEATABLE READ snapshot, the document is checked as the
 * JSON engine will check it (schema, keys, unique emails…) before anything is written, and the file is written
 * atomically under the store's lock (`<file>.lock`: no JSON engine can open it meanwhile, and a running one makes the
 * export fail with `store_locked`). An existing file is only replaced with `force`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type pg from 'pg';
import { AppError } from '../../errors.js';
import { loadDocument, type StoreDocument, validateDocument } from '../json/document.js';
import { acquireLock } from '../lock.js';
import { createCore } from '../memory/core.js';
import { createState } from '../memory/state.js';
import { type ConnectionOptions, inTransaction, query, withPool } from './connection.js';
import { type TableCount, countTables, describeCounts } from './load.js';
import { copiedTables, importPlan } from './plan.js';
import { readDocument } from './read-postgres.js';
import { checkTarget, writeDocument } from './write-document.js';

export interface ExportOptions extends ConnectionOptions {
  /** The JSON store file to write, e.g. `data/db.json`. */
  file: string;
  /** Replace an existing file (and drop its journal). */
  force?: boolean | undefined;
}

export interface ExportResult {
  file: string;
  tables: TableCount[];
  /** The document's ticket sequence (next number). */
  nextTicket: number;
  bytes: number;
}

/** `config` when the database lacks tables of the schema (export reads; it does not migrate). */
async function checkSchema(client: pg.ClientBase): Promise<void> {
  const tables = copiedTables();
  const found = await query<{ name: string }>(client,
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1::text[])', [tables]);
  const missing = tables.filter((t) => !found.some((f) => f.name === t));
  if (missing.length > 0) {
    throw new AppError('config', `The database has no current Helpline schema (missing ${missing.join(', ')}); run \`npm run db:migrate\` first.`);
  }
}

/** The checks the JSON engine makes when it opens the file: `store_corrupt` for what it would refuse. */
function checkDocument(file: string, value: StoreDocument): StoreDocument {
  const doc = validateDocument(file, value, 'exported store');
  const core = createCore();
  core.setup(() => loadDocument(createState(core, () => new Date()), doc, file));
  return doc;
}

export async function exportFromPostgres(opts: ExportOptions): Promise<ExportResult> {
  const file = resolve(opts.file);
  const force = opts.force === true;
  await checkTarget(file, force);
  await mkdir(dirname(file), { recursive: true });
  const lock = await acquireLock(file, opts.log);
  try {
    return await withPool(opts, 'exportFromPostgres', async (pool) => {
      const { doc, tables } = await inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
        await checkSchema(client);
        const read = await readDocument(client);
        const counts = await countTables(client, importPlan(read));
        const off = counts.filter((c) => c.file !== c.database);
        if (off.length > 0) throw new AppError('store_corrupt', `The document does not hold every row (${describeCounts(off)}); nothing was written.`, { counts: off });
        return { doc: read, tables: counts };
      });
      const checked = checkDocument(file, doc);
      await checkTarget(file, force);
      const bytes = await writeDocument(file, checked, force);
      opts.log.info({ file, rows: tables.reduce((n, t) => n + t.file, 0), bytes }, 'PostgreSQL exported to a JSON store');
      return { file, tables, nextTicket: checked.ticketSeq, bytes };
    });
  } finally {
    await lock.release();
  }
}
