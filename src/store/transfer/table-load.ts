/**
 * One PostgreSQL table's share of a JSON store: its rows as column values, in the collection's order, and how rows
 * already in the table are treated. Table and column names come only from the constant plans (plan-*.ts); values
 * travel as statement parameters.
 */
import type { RowOf, TableName } from '../json/document.js';

/**
 * - `upsert`: `INSERT … ON CONFLICT (key) DO UPDATE` every other column (a changed record is brought over);
 * - `keep`: `ON CONFLICT (key) DO NOTHING` (append-only rows that a trigger forbids to rewrite: the audit log);
 * - `replace`: `DELETE … WHERE column = ANY(keys)` first, then a plain INSERT (rows without a key of their own,
 *   such as a ticket's history, and rows whose trigger refuses an arbitrary rewrite, such as drafts).
 */
export type WriteMode =
  | { mode: 'upsert'; key: string }
  | { mode: 'keep'; key: string }
  | { mode: 'replace'; column: string; keys: string[] };

export interface TableLoad {
  /** The PostgreSQL table. */
  table: string;
  /** The JSON collection the rows come from. */
  collection: TableName;
  columns: readonly string[];
  write: WriteMode;
  rows: unknown[][];
}

/** How one collection's rows become table loads (a collection may fill several tables). */
export type Plans<K extends TableName> = { [P in K]: (rows: ReadonlyArray<RowOf<P>>) => TableLoad[] };

/** `undefined` as SQL NULL. */
export const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export const upsert = (collection: TableName, table: string, key: string, columns: readonly string[], rows: unknown[][]): TableLoad =>
  ({ table, collection, columns, write: { mode: 'upsert', key }, rows });

export const keep = (collection: TableName, table: string, key: string, columns: readonly string[], rows: unknown[][]): TableLoad =>
  ({ table, collection, columns, write: { mode: 'keep', key }, rows });

export const replace = (collection: TableName, table: string, by: { column: string; keys: string[] }, columns: readonly string[], rows: unknown[][]): TableLoad =>
  ({ table, collection, columns, write: { mode: 'replace', ...by }, rows });
