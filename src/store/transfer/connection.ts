/** The connection a transfer uses: a pool it opens from a URL (and ends), or the caller's pool; one client in a transaction. */
import pg from 'pg';
import type { Logger } from '../../config/logger.js';
import { AppError } from '../../errors.js';
import { storeError, unavailable } from '../postgres/errors.js';

export interface ConnectionOptions {
  /** A connection string (a small pool is opened and ended here) … */
  databaseUrl?: string | undefined;
  /** … or a pool the caller owns (left open). */
  pool?: pg.Pool | undefined;
  log: Logger;
}

/** Run `fn` with a pool, ending it afterwards when it was opened here. */
export async function withPool<T>(opts: ConnectionOptions, what: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  if (!opts.databaseUrl === !opts.pool) throw new AppError('bad_input', `${what} needs exactly one of databaseUrl or pool.`);
  if (opts.pool) return fn(opts.pool);
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2, connectionTimeoutMillis: 10_000, application_name: 'helpline-transfer' });
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'database connection lost'));
  try {
    return await fn(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** A statement on `client` (values only as parameters); database errors arrive as AppError. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(client: pg.ClientBase, text: string, values: readonly unknown[] = []): Promise<R[]> {
  try {
    return (await client.query<R>(text, [...values])).rows;
  } catch (err) {
    throw storeError(err);
  }
}

/** `fn` inside `begin` … COMMIT on one client of `pool`; ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw unavailable(err);
  }
  let broken = false;
  try {
    await query(client, begin);
    const out = await fn(client);
    await query(client, 'COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => { broken = true; });
    throw err;
  } finally {
    client.release(broken);
  }
}
