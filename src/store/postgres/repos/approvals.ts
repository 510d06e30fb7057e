import type { ApprovalRepository, ApprovalStatus } from '../../repos/approvals.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { Session } from '../db.js';
import { approvalOf } from '../records.js';
import { num } from '../rows.js';

const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'denied', 'expired'];
const GET = 'SELECT * FROM approvals WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;

const INSERT = `
INSERT INTO approvals (id, customer_id, action, card_id, reason, thread_key, channel, requester_id, requester_email, requester_verification,
  requested_at, expires_at, status, decided_by_kind, decided_by_id, decided_at, decision_note, executed_at, outcome, staff_message_channel, staff_message_ts)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`;

const FIND_LIVE = `
SELECT * FROM approvals
WHERE customer_id = $1 AND status = 'pending' AND action = $2 AND card_id IS NOT DISTINCT FROM $3::text AND expires_at > $4
ORDER BY requested_at, seq LIMIT 1`;

/** The compare-and-set: writes only while the status is the expected one (and, with $10, the approval is unexpired). */
const DECIDE = `
UPDATE approvals SET status = $3, decided_by_kind = coalesce($4, decided_by_kind), decided_by_id = coalesce($5, decided_by_id),
  decided_at = coalesce($6::timestamptz, decided_at), decision_note = coalesce($7, decision_note),
  executed_at = coalesce($8::timestamptz, executed_at), outcome = coalesce($9, outcome)
WHERE id = $1 AND status = $2 AND ($10::timestamptz IS NULL OR expires_at > $10)
RETURNING *`;

/** Each due approval is expired by one sweeper: rows another sweeper holds are skipped. */
const EXPIRE_DUE = `
WITH due AS (
  SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED
)
UPDATE approvals a SET status = 'expired' FROM due WHERE a.id = due.id AND a.status = 'pending' RETURNING a.*`;

export function pgApprovals(s: Session): ApprovalRepository {
  return {
    create: (a) => s.run('write', async (q) => {
      await q.count(INSERT, [a.id, a.customerId, a.action, a.cardId ?? null, a.reason, a.threadKey ?? null, a.channel ?? null, a.requester?.id ?? null,
        a.requester?.email ?? null, a.requester?.verification ?? null, a.requestedAt, a.expiresAt, a.status, a.decidedBy?.kind ?? null,
        a.decidedBy?.id ?? null, a.decidedAt ?? null, a.decisionNote ?? null, a.executedAt ?? null, a.outcome ?? null,
        a.staffMessage?.channel ?? null, a.staffMessage?.ts ?? null]);
    }),

    get: (id) => s.run('read', async (q) => (await q.rows(s.locking ? GET_LOCKED : GET, [id])).map(approvalOf)[0]),

    findLivePending: (f) => s.run('read', async (q) => {
      instant(f.now, 'now');
      return (await q.rows(FIND_LIVE, [f.customerId, f.action, f.cardId ?? null, f.now])).map(approvalOf)[0];
    }),

    listPending: (now, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      instant(now, 'now');
      return (await q.rows(`SELECT * FROM approvals WHERE status = 'pending' AND expires_at > $1 ORDER BY requested_at, seq LIMIT $2`, [now, limit])).map(approvalOf);
    }),

    decide: (id, expect, d, opts) => s.run('write', async (q) => {
      if (opts?.unexpiredAt !== undefined) instant(opts.unexpiredAt, 'unexpiredAt');
      const [won] = await q.rows(DECIDE, [id, expect, d.status, d.decidedBy?.kind ?? null, d.decidedBy?.id ?? null, d.decidedAt ?? null,
        d.decisionNote ?? null, d.executedAt ?? null, d.outcome ?? null, opts?.unexpiredAt ?? null]);
      if (won) return { won: true as const, record: approvalOf(won) };
      return { won: false as const, record: (await q.rows(GET, [id])).map(approvalOf)[0] };
    }),

    expireDue: (now, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(now, 'now');
      const rows = await q.rows(EXPIRE_DUE, [now, limit]);
      const key = (r: Record<string, unknown>) => [(r['expires_at'] as Date).getTime(), num(r['seq'])] as const;
      return rows.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]).map(approvalOf);
    }),

    setStaffMessage: (id, ref) => s.run('write', async (q) =>
      (await q.count('UPDATE approvals SET staff_message_channel = $2, staff_message_ts = $3 WHERE id = $1', [id, ref.channel, ref.ts])) > 0),

    countByStatus: () => s.run('read', async (q) => {
      const out = Object.fromEntries(STATUSES.map((st) => [st, 0])) as Record<ApprovalStatus, number>;
      for (const r of await q.rows('SELECT status, count(*) AS n FROM approvals GROUP BY status')) out[r['status'] as ApprovalStatus] = num(r['n']);
      return out;
    }),

    countLivePending: (now) => s.run('read', async (q) => {
      instant(now, 'now');
      const [r] = await q.rows(`SELECT count(*) AS n FROM approvals WHERE status = 'pending' AND expires_at > $1`, [now]);
      return num(r?.['n']);
    }),
  };
}
