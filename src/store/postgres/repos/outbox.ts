import { AppError } from '../../../errors.js';
import { checkLimit, instant } from '../../repos/common.js';
import { SCRUBBED_SYSTEM_TEXT, type OutboxRecord, type OutboxRepository } from '../../repos/outbox.js';
import type { Session, Sql } from '../db.js';
import { outboxOf } from '../records.js';
import { iso, jsonParam, num } from '../rows.js';

const GET = 'SELECT * FROM outbox WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;
const FIND_REPLY = 'SELECT * FROM outbox WHERE thread_key = $1 AND source_id = $2 AND reply_kind = $3';

/** Source, reply kind and Message-ID are columns (looked up, unique per reply); the rest of the payload is JSON. */
const ENQUEUE = `
INSERT INTO outbox (id, channel, thread_key, source_id, reply_kind, message_id, payload, next_attempt_at, created_at)
VALUES ($1, 'email', $2, $3, $4, $5, $6::jsonb, $7, $8)
ON CONFLICT (thread_key, source_id, reply_kind) WHERE source_id IS NOT NULL AND reply_kind IS NOT NULL DO NOTHING
RETURNING *`;

/**
 * Due, unclaimed (or claim ended) heads of their threads, oldest attempt first. Rows another claimer is locking
 * are skipped; a row it claimed and committed meanwhile fails the re-check of `locked_until` and is skipped too.
 */
const CLAIM_DUE = `
WITH due AS (
  SELECT o.id FROM outbox o
  WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.locked_until IS NULL OR o.locked_until <= $1)
    AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.thread_key = o.thread_key AND p.status = 'pending' AND (p.created_at, p.seq) < (o.created_at, o.seq))
  ORDER BY o.next_attempt_at, o.seq
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE outbox SET locked_by = $3, locked_until = $4 FROM due WHERE outbox.id = due.id RETURNING outbox.*`;

/** Held: pending and claimed by $2. A system mail's body goes on a final outcome ($4: what replaces its text). */
const HELD = `id = $1 AND status = 'pending' AND locked_by = $2`;
const SCRUB = `payload = CASE WHEN payload->>'kind' = 'system' THEN (payload - 'html') || jsonb_build_object('text', $4::text) ELSE payload END`;
const MARK_SENT = `UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $3, last_error = NULL, locked_by = NULL, locked_until = NULL,
  ${SCRUB} WHERE ${HELD}`;
const MARK_FAILED = `UPDATE outbox SET status = 'failed', last_error = $3, attempts = coalesce($5::integer, attempts), locked_by = NULL, locked_until = NULL,
  ${SCRUB} WHERE ${HELD}`;
const MARK_DEV = `UPDATE outbox SET status = 'dev', attempts = attempts + 1, sent_at = $3, last_error = NULL, locked_by = NULL, locked_until = NULL WHERE ${HELD}`;
const LIST_DEV = `SELECT * FROM outbox WHERE status = 'dev' ORDER BY sent_at DESC, seq DESC LIMIT $1`;
const SCRUB_DEV = `UPDATE outbox SET payload = (payload - 'html') || jsonb_build_object('text', $2::text)
  WHERE thread_key = $1 AND status = 'dev' AND payload->>'kind' = 'system' AND payload->>'text' IS DISTINCT FROM $2`;
const RETRY_LATER = `UPDATE outbox SET attempts = $3, last_error = $4, next_attempt_at = $5, locked_by = NULL, locked_until = NULL WHERE ${HELD}`;
const RELEASE = `UPDATE outbox SET locked_by = NULL, locked_until = NULL WHERE ${HELD}`;

/** Finished before $1, except replies whose source message still waits in the inbound ledger; at most $2. */
const PRUNE = `
DELETE FROM outbox WHERE id IN (
  SELECT o.id FROM outbox o
  WHERE o.status <> 'pending' AND coalesce(o.sent_at, o.created_at) < $1
    AND NOT EXISTS (SELECT 1 FROM inbound_ledger l WHERE l.id = o.source_id AND l.status IN ('received', 'queued'))
  ORDER BY o.seq LIMIT $2 FOR UPDATE SKIP LOCKED)`;

export function pgOutbox(s: Session): OutboxRepository {
  const one = (rows: Record<string, unknown>[]): OutboxRecord | undefined => rows.map(outboxOf)[0];
  const reply = async (q: Sql, threadKey: string, sourceId: string, kind: string) => one(await q.rows(FIND_REPLY, [threadKey, sourceId, kind]));

  return {
    enqueue: (item) => s.run('write', async (q) => {
      const { sourceId, replyKind, messageId, ...rest } = item.payload;
      const params = [item.id, item.threadKey, sourceId ?? null, replyKind ?? null, messageId ?? null, jsonParam(rest), item.nextAttemptAt, item.createdAt];
      // Twice at most: a duplicate found by the unique index but deleted (pruned) before it could be read is gone.
      for (let i = 0; i < 2; i++) {
        const stored = one(await q.rows(ENQUEUE, params));
        if (stored) return { queued: true, item: stored };
        const dup = await reply(q, item.threadKey, String(sourceId), String(replyKind));
        if (dup) return { queued: false, item: dup };
      }
      throw new AppError('store_io', 'The outbox item could neither be queued nor found.');
    }),

    get: (id) => s.run('read', async (q) => one(await q.rows(s.locking ? GET_LOCKED : GET, [id]))),
    findReply: (threadKey, sourceId, replyKind) => s.run('read', (q) => reply(q, threadKey, sourceId, replyKind)),

    claimDue: (r) => s.run('write', async (q) => {
      checkLimit(r.limit);
      if (!r.holder) throw new AppError('bad_input', 'A claim needs a holder.');
      if (!Number.isInteger(r.leaseMs) || r.leaseMs <= 0) throw new AppError('bad_input', 'leaseMs must be a positive whole number.');
      const until = new Date(instant(r.now, 'now') + r.leaseMs).toISOString();
      const rows = await q.rows(CLAIM_DUE, [r.now, r.limit, r.holder, until]);
      const key = (x: Record<string, unknown>) => [(x['next_attempt_at'] as Date).getTime(), num(x['seq'])] as const;
      return rows.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]).map(outboxOf);
    }),

    /** First writer wins: later calls get the stored Message-ID. */
    setMessageId: (id, messageId) => s.run('write', async (q) => {
      const [set] = await q.rows(`UPDATE outbox SET message_id = $2 WHERE id = $1 AND (message_id IS NULL OR message_id = '') RETURNING message_id`, [id, messageId]);
      if (set) return String(set['message_id']);
      return one(await q.rows(GET, [id]))?.payload.messageId;
    }),

    markSent: (id, holder, at) => s.run('write', async (q) => {
      instant(at, 'at');
      return (await q.count(MARK_SENT, [id, holder, at, SCRUBBED_SYSTEM_TEXT.sent])) > 0;
    }),

    markFailed: (id, holder, f) => s.run('write', async (q) =>
      (await q.count(MARK_FAILED, [id, holder, f.error.slice(0, 2000), SCRUBBED_SYSTEM_TEXT.failed, f.attempts ?? null])) > 0),

    markDev: (id, holder, at) => s.run('write', async (q) => {
      instant(at, 'at');
      return (await q.count(MARK_DEV, [id, holder, at])) > 0;
    }),

    listDev: (limit) => s.run('read', async (q) => {
      checkLimit(limit);
      return (await q.rows(LIST_DEV, [limit])).map(outboxOf);
    }),

    scrubDev: (threadKey) => s.run('write', (q) => q.count(SCRUB_DEV, [threadKey, SCRUBBED_SYSTEM_TEXT.used])),

    retryLater: (id, holder, r) => s.run('write', async (q) =>
      (await q.count(RETRY_LATER, [id, holder, r.attempts, r.error.slice(0, 2000), r.nextAttemptAt])) > 0),

    release: (id, holder) => s.run('write', async (q) => (await q.count(RELEASE, [id, holder])) > 0),

    recipientsOf: (messageIds) => s.run('read', async (q) => {
      if (messageIds.length > 100) throw new AppError('bad_input', 'At most 100 Message-IDs at once.');
      const ids = [...new Set(messageIds.map((m) => m.trim().toLowerCase()).filter(Boolean))];
      if (ids.length === 0) return [];
      const rows = await q.rows(`SELECT DISTINCT lower(payload->>'to') AS "to" FROM outbox WHERE lower(message_id) = ANY($1::text[])`, [ids]);
      return rows.map((r) => String(r['to']));
    }),

    countPending: () => s.run('read', async (q) => num((await q.rows(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`))[0]?.['n'])),

    nextDueAt: () => s.run('read', async (q) => {
      const at = (await q.rows(`SELECT min(next_attempt_at) AS at FROM outbox WHERE status = 'pending'`))[0]?.['at'];
      return at === null || at === undefined ? undefined : iso(at);
    }),

    prune: (before, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(before, 'before');
      return q.count(PRUNE, [before, limit]);
    }),
  };
}
