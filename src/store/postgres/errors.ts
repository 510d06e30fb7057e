/**
 * PostgreSQL failures as Helpline's errors. SQLSTATE classes: 23 integrity (unique → `conflict`, foreign key →
 * `not_found`, check / not null → `bad_input`), 22 data exceptions → `bad_input`, 40 serialization failure and
 * deadlock (retried by the engine, `store_io` when retries run out), 08 / 57 / 53 and socket errors → `unavailable`.
 * Messages never carry the values of the statement (they may be secrets); the constraint name goes into `details`.
 */
import pg from 'pg';
import { AppError } from '../../errors.js';

/** Serialization failure, deadlock: the whole transaction may be run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/** The SQLSTATE of a database error, or of the AppError made from one. */
export function sqlstateOf(err: unknown): string | undefined {
  if (err instanceof AppError) {
    const s = err.details?.['sqlstate'];
    return typeof s === 'string' ? s : undefined;
  }
  return err instanceof pg.DatabaseError && typeof err.code === 'string' ? err.code : undefined;
}

export const isRetryable = (err: unknown): boolean => RETRYABLE.has(sqlstateOf(err) ?? '');

/** Connection-level trouble: refused, reset, terminated, timed out, or the pool is gone. */
function isConnectionError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return /connection|terminated|timeout|not queryable|after calling end/i.test(err.message);
}

export function unavailable(cause: unknown): AppError {
  return new AppError('unavailable', 'The database cannot be reached.', undefined, { cause });
}

/**
 * `err` as an AppError when it came from the database or the driver; anything else (an AppError, a caller's own
 * error thrown inside a transaction) is returned unchanged.
 */
export function storeError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof pg.DatabaseError) return fromSqlstate(err);
  if (err instanceof Error && isConnectionError(err)) return unavailable(err);
  return err;
}

function fromSqlstate(err: pg.DatabaseError): AppError {
  const sqlstate = err.code ?? 'XX000';
  const details: Record<string, unknown> = { sqlstate, ...(err.constraint ? { constraint: err.constraint } : {}), ...(err.table ? { table: err.table } : {}) };
  const opts = { cause: err };
  if (sqlstate === '23505') return new AppError('conflict', 'A record with this id or unique key exists already.', details, opts);
  if (sqlstate === '23503') return new AppError('not_found', 'A record it refers to does not exist.', details, opts);
  if (sqlstate === '23514' || sqlstate === '23502' || sqlstate.startsWith('22')) {
    return new AppError('bad_input', `A value breaks a rule of the stored records${err.constraint ? ` (${err.constraint})` : ''}.`, details, opts);
  }
  if (RETRYABLE.has(sqlstate)) return new AppError('store_io', 'The database gave up on a busy transaction (serialization failure or deadlock); try again.', details, opts);
  if (sqlstate.startsWith('08') || sqlstate.startsWith('53') || sqlstate.startsWith('57')) {
    return new AppError('unavailable', 'The database cannot serve the request now.', details, opts);
  }
  if (sqlstate.startsWith('42')) return new AppError('internal', 'The engine sent a statement the database does not accept.', details, opts);
  return new AppError('store_io', 'The database failed the request.', details, opts);
}
