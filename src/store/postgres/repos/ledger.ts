import { AppError } from '../../../errors.js';
import type { Processed } from '../../schema.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { InboundLedgerRepository } from '../../repos/ledger.js';
import type { Session } from '../db.js';
import { processedOf } from '../records.js';
import { jsonParam, num } from '../rows.js';

const GET = 'SELECT * FROM inbound_ledger WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;
const UNFINISHED = `status IN ('received', 'queued')`;
const FINISHED = `status IN ('done', 'ignored', 'failed')`;
const unfinished = (status: Processed['status']) => status === 'received' || status === 'queued';

/** Absent fields stay; a finished entry keeps no message. */
const UPDATE = `
UPDATE inbound_ledger SET status = coalesce($2::text, status), updated_at = $3,
  reason = CASE WHEN $4::boolean THEN NULL ELSE coalesce($5, reason) END,
  message = CASE WHEN coalesce($2::text, status) IN ('received', 'queued') THEN coalesce($6::jsonb, message) ELSE NULL END
WHERE id = $1`;

/** While there are more than $1 entries, the oldest finished ones not updated since $2; at most $3. */
const TRIM = `
DELETE FROM inbound_ledger WHERE id IN (
  SELECT id FROM inbound_ledger WHERE ${FINISHED} AND updated_at < $2 ORDER BY arrival
  LIMIT greatest(0, least($3::bigint, (SELECT count(*) FROM inbound_ledger) - greatest(0, $1::bigint)))
  FOR UPDATE SKIP LOCKED)`;

export function pgLedger(s: Session): InboundLedgerRepository {
  return {
    /** Insert-if-absent on the primary key: of concurrent claims exactly one inserts. */
    claim: (e) => s.run('write', async (q) => (await q.count(`
      INSERT INTO inbound_ledger (id, thread_key, channel, received_at, status, reason, updated_at, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
      ON CONFLICT (id) DO NOTHING`,
    [e.id, e.threadKey, e.channel, e.receivedAt, e.status, e.reason ?? null, e.updatedAt, unfinished(e.status) ? jsonParam(e.message) : null])) === 1),

    get: (id) => s.run('read', async (q) => (await q.rows(s.locking ? GET_LOCKED : GET, [id])).map(processedOf)[0]),

    update: (id, c, at) => s.run('write', async (q) =>
      (await q.count(UPDATE, [id, c.status ?? null, at, c.reason === null, c.reason?.slice(0, 500) ?? null, jsonParam(c.message)])) > 0),

    listUnfinished: (limit, afterId) => s.run('read', async (q) => {
      checkLimit(limit);
      let after: unknown = null;
      if (afterId !== undefined) {
        const [r] = await q.rows('SELECT arrival FROM inbound_ledger WHERE id = $1', [afterId]);
        if (!r) throw new AppError('bad_input', `No ledger entry ${afterId} to continue after.`);
        after = r['arrival'];
      }
      return (await q.rows(`SELECT * FROM inbound_ledger WHERE ${UNFINISHED} AND ($1::bigint IS NULL OR arrival > $1) ORDER BY arrival LIMIT $2`,
        [after, limit])).map(processedOf);
    }),

    unfinishedInThread: (threadKey, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      return (await q.rows(`SELECT * FROM inbound_ledger WHERE ${UNFINISHED} AND thread_key = $1 ORDER BY arrival LIMIT $2`, [threadKey, limit])).map(processedOf);
    }),

    threadsWithUnfinished: (keys) => s.run('read', async (q) => {
      if (keys.length > 1000) throw new AppError('bad_input', 'At most 1000 thread keys at once.');
      if (keys.length === 0) return [];
      const rows = await q.rows(`SELECT DISTINCT thread_key FROM inbound_ledger WHERE ${UNFINISHED} AND thread_key = ANY($1::text[])`, [keys]);
      const found = new Set(rows.map((r) => String(r['thread_key'])));
      return [...new Set(keys)].filter((k) => found.has(k));
    }),

    pruneFinished: (before, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(before, 'before');
      return q.count(`DELETE FROM inbound_ledger WHERE id IN (
        SELECT id FROM inbound_ledger WHERE ${FINISHED} AND updated_at < $1 ORDER BY arrival LIMIT $2 FOR UPDATE SKIP LOCKED)`, [before, limit]);
    }),

    trimFinished: (maxEntries, notBefore, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(notBefore, 'notBefore');
      return q.count(TRIM, [Math.trunc(maxEntries), notBefore, limit]);
    }),

    count: () => s.run('read', async (q) => num((await q.rows('SELECT count(*) AS n FROM inbound_ledger'))[0]?.['n'])),
  };
}
