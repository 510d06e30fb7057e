/**
 * Counts what the PostgreSQL engine sends while a benchmark runs, by wrapping `pg.Client#query` (so the engine keeps
 * its own pool and settings): statements (BEGIN, SAVEPOINT and COMMIT included), round trips (statements whose answer
 * was waited for before the next one went out: a pipelined BEGIN/SAVEPOINT/RELEASE travels with the statement after
 * it) and commits (COMMIT, and every statement outside a transaction that is not a plain SELECT).
 */
import pg from 'pg';

export interface StatementCounts { statements: number; roundTrips: number; commits: number }

export function countStatements(): { counts: () => StatementCounts; restore: () => void } {
  const counts: StatementCounts = { statements: 0, roundTrips: 0, commits: 0 };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const inTx = new WeakSet<object>();
  const queued = new WeakMap<object, number>();
  proto.query = function (this: object, ...args: unknown[]) {
    const first = args[0];
    const text = (typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '')).trim().toUpperCase();
    counts.statements++;
    // A statement sent while another is still unanswered on this client rides in the same round trip.
    if ((queued.get(this) ?? 0) === 0) counts.roundTrips++;
    if (text.startsWith('BEGIN')) inTx.add(this);
    else if (text.startsWith('COMMIT')) { inTx.delete(this); counts.commits++; }
    else if (text.startsWith('ROLLBACK') && !text.startsWith('ROLLBACK TO')) inTx.delete(this);
    else if (!inTx.has(this) && !text.startsWith('SELECT')) counts.commits++;
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      queued.set(this, (queued.get(this) ?? 0) + 1);
      const done = () => { queued.set(this, (queued.get(this) ?? 1) - 1); };
      (result as Promise<unknown>).then(done, done);
    }
    return result;
  };
  return { counts: () => ({ ...counts }), restore: () => { proto.query = original; } };
}
