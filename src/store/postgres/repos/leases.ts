import { AppError } from '../../../errors.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { LeaseRepository } from '../../repos/leases.js';
import type { Session } from '../db.js';
import { leaseOf } from '../records.js';

/** Lease times are the database's own clock (`clock_timestamp()`: the moment of the statement, one clock for all instances). */
const TTL = `clock_timestamp() + $3::float8 * interval '1 millisecond'`;
const RETURNING = 'RETURNING name, holder, expires_at, fence';

/**
 * Take a free or ended lease (a new tenure: fence + 1), or extend it for its live holder (same fence). A live lease
 * of someone else is left alone (no row returned). Concurrent acquirers serialise on the row (or the key).
 */
const ACQUIRE = `
INSERT INTO leases AS l (name, holder, acquired_at, expires_at, fence) VALUES ($1, $2, clock_timestamp(), ${TTL}, 1)
ON CONFLICT (name) DO UPDATE SET
  fence = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > EXCLUDED.acquired_at THEN l.fence ELSE l.fence + 1 END,
  acquired_at = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > EXCLUDED.acquired_at THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
  holder = EXCLUDED.holder,
  expires_at = EXCLUDED.expires_at
WHERE l.expires_at <= EXCLUDED.acquired_at OR l.holder = EXCLUDED.holder
${RETURNING}`;
const RENEW = `UPDATE leases SET expires_at = ${TTL} WHERE name = $1 AND holder = $2 AND expires_at > clock_timestamp() ${RETURNING}`;
/** Ends it now (never at or before its start, which the table's check refuses). */
const RELEASE = `UPDATE leases SET expires_at = greatest(clock_timestamp(), acquired_at + interval '1 microsecond')
WHERE name = $1 AND holder = $2 AND expires_at > clock_timestamp()`;

const PRUNE = `DELETE FROM leases WHERE name IN (
  SELECT name FROM leases WHERE left(name, char_length($1)) = $1 AND expires_at < $2::timestamptz LIMIT $3)`;

function checkArgs(name: string, holder: string, ttlMs?: number): void {
  if (!name || !holder) throw new AppError('bad_input', 'A lease needs a name and a holder.');
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs <= 0)) throw new AppError('bad_input', 'ttlMs must be a positive whole number.');
}

export function pgLeases(s: Session): LeaseRepository {
  return {
    acquire: (name, holder, ttlMs) => s.run('write', async (q) => {
      checkArgs(name, holder, ttlMs);
      return (await q.rows(ACQUIRE, [name, holder, ttlMs])).map(leaseOf)[0];
    }),

    renew: (name, holder, ttlMs) => s.run('write', async (q) => {
      checkArgs(name, holder, ttlMs);
      return (await q.rows(RENEW, [name, holder, ttlMs])).map(leaseOf)[0];
    }),

    release: (name, holder) => s.run('write', async (q) => {
      checkArgs(name, holder);
      return (await q.count(RELEASE, [name, holder])) > 0;
    }),

    pruneEnded: (prefix, before, limit) => s.run('write', async (q) => {
      if (!prefix) throw new AppError('bad_input', 'pruneEnded needs a name prefix.');
      checkLimit(limit);
      instant(before, 'before');
      return q.count(PRUNE, [prefix, before, limit]);
    }),

    get: (name) => s.run('read', async (q) =>
      (await q.rows('SELECT name, holder, expires_at, fence FROM leases WHERE name = $1 AND expires_at > clock_timestamp()', [name])).map(leaseOf)[0]),
  };
}
