/**
 * Writing table loads into PostgreSQL inside the caller's transaction, and counting what the tables hold. Rows go in
 * batches of multi-row `INSERT … VALUES ($1, $2, …), (…)`; the SQL text is built from the plan's constant table and
 * column names and placeholders only.
 */
import type pg from 'pg';
import { AppError, isAppError } from '../../errors.js';
import { storeError } from '../postgres/errors.js';
import { query } from './connection.js';
import type { TableLoad } from './table-load.js';

/** Rows per statement: at most this many, and within PostgreSQL's 65535 parameters. */
const BATCH_ROWS = 500;
const MAX_PARAMS = 65_535;

export interface TableCount {
  table: string;
  collection: string;
  /** Rows the JSON store holds for this table. */
  file: number;
  /** Rows the table holds. */
  database: number;
}

export function insertSql(load: TableLoad, rows: number): string {
  const n = load.columns.length;
  const tuples = Array.from({ length: rows }, (_, r) => `(${load.columns.map((_, c) => `$${r * n + c + 1}`).join(', ')})`);
  const insert = `INSERT INTO ${load.table} (${load.columns.join(', ')}) VALUES ${tuples.join(', ')}`;
  const w = load.write;
  if (w.mode === 'keep') return `${insert} ON CONFLICT (${w.key}) DO NOTHING`;
  if (w.mode === 'replace') return insert;
  const set = load.columns.filter((c) => c !== w.key).map((c) => `${c} = EXCLUDED.${c}`);
  return `${insert} ON CONFLICT (${w.key}) DO UPDATE SET ${set.join(', ')}`;
}

function rowFailure(load: TableLoad, index: number, row: readonly unknown[], err: unknown): AppError {
  const e = storeError(err);
  const cause = (e instanceof AppError ? e.cause : e) as { message?: unknown } | undefined;
  const reason = typeof cause?.message === 'string' ? `: ${cause.message}` : '';
  const code = isAppError(e) ? e.code : 'store_io';
  const key = String(row[0]).slice(0, 100);
  return new AppError(code, `${load.table} row ${index + 1} (${key}) from "${load.collection}" was refused${reason}`,
    { ...(isAppError(e) ? e.details : {}), table: load.table, row: index + 1 }, { cause: err });
}

const batchRows = (load: TableLoad) => Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMS / load.columns.length)));

/** Rows `from` to `to` in batches. Returns the first batch that fails (the transaction then needs a rollback to the savepoint). */
async function insertRows(client: pg.ClientBase, load: TableLoad, from: number, to: number): Promise<{ offset: number; err: unknown } | undefined> {
  const per = batchRows(load);
  for (let i = from; i < to; i += per) {
    const rows = load.rows.slice(i, Math.min(i + per, to));
    try {
      await client.query(insertSql(load, rows.length), rows.flat());
    } catch (err) {
      return { offset: i, err };
    }
  }
  return undefined;
}

async function removeReplaced(client: pg.ClientBase, load: TableLoad): Promise<void> {
  if (load.write.mode === 'replace' && load.write.keys.length > 0) {
    await query(client, `DELETE FROM ${load.table} WHERE ${load.write.column} = ANY($1::text[])`, [load.write.keys]);
  }
}

/**
 * Write one table load (after removing the rows it replaces), under one savepoint per table: a savepoint per batch
 * would make a large import several times slower (past 64 subtransactions PostgreSQL's visibility checks slow down).
 * When a batch fails, the table is rolled back to its savepoint and written again up to that batch, then the batch
 * row by row, so that the error names the row.
 */
export async function writeLoad(client: pg.ClientBase, load: TableLoad): Promise<void> {
  await query(client, 'SAVEPOINT helpline_transfer');
  await removeReplaced(client, load);
  const failed = await insertRows(client, load, 0, load.rows.length);
  if (!failed) {
    await query(client, 'RELEASE SAVEPOINT helpline_transfer');
    return;
  }
  await query(client, 'ROLLBACK TO SAVEPOINT helpline_transfer');
  await removeReplaced(client, load);
  const before = await insertRows(client, load, 0, failed.offset);
  if (before) throw rowFailure(load, before.offset, load.rows[before.offset] ?? [], before.err);
  const end = Math.min(failed.offset + batchRows(load), load.rows.length);
  for (let i = failed.offset; i < end; i++) {
    const row = load.rows[i] ?? [];
    try {
      await client.query(insertSql(load, 1), row);
    } catch (err) {
      throw rowFailure(load, i, row, err);
    }
  }
  // No row fails alone: rows of the batch collide with each other (the same key twice).
  throw rowFailure(load, failed.offset, load.rows[failed.offset] ?? [], failed.err);
}

/** Rows per table now, beside the rows the JSON store has for it. */
export async function countTables(client: pg.ClientBase, loads: readonly TableLoad[]): Promise<TableCount[]> {
  const out: TableCount[] = [];
  for (const load of loads) {
    const [r] = await query<{ n: string }>(client, `SELECT count(*) AS n FROM ${load.table}`);
    out.push({ table: load.table, collection: load.collection, file: load.rows.length, database: Number(r?.n ?? 0) });
  }
  return out;
}

export const describeCounts = (counts: readonly TableCount[]): string =>
  counts.map((c) => `${c.table}: file ${c.file}, database ${c.database}`).join('; ');
