import { AppError } from '../../../errors.js';
import { instant } from '../../repos/common.js';
import type { DraftRepository } from '../../repos/drafts.js';
import type { Session } from '../db.js';
import { draftOf } from '../records.js';
import { inOrderOf, jsonParam } from '../rows.js';

const GET = 'SELECT * FROM drafts WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;

const INSERT = `
INSERT INTO drafts (id, kind, input, summary, staff_id, thread_key, created_at, expires_at, status, decided_by_kind, decided_by_id, decided_at,
  outcome, staff_message_channel, staff_message_ts)
VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;

/** The compare-and-set on status (and, with $9, expiry); absent fields stay. */
const TRANSITION = `
UPDATE drafts SET status = $3, decided_by_kind = coalesce($4, decided_by_kind), decided_by_id = coalesce($5, decided_by_id),
  decided_at = coalesce($6::timestamptz, decided_at), input = coalesce($7::jsonb, input), outcome = coalesce($8, outcome)
WHERE id = $1 AND status = $2 AND ($9::timestamptz IS NULL OR expires_at > $9)
RETURNING *`;

export function pgDrafts(s: Session): DraftRepository {
  return {
    create: (d) => s.run('write', async (q) => {
      await q.count(INSERT, [d.id, d.kind, jsonParam(d.input), d.summary, d.staffId, d.threadKey ?? null, d.createdAt, d.expiresAt, d.status,
        d.decidedBy?.kind ?? null, d.decidedBy?.id ?? null, d.decidedAt ?? null, d.outcome ?? null, d.staffMessage?.channel ?? null, d.staffMessage?.ts ?? null]);
    }),

    get: (id) => s.run('read', async (q) => (await q.rows(s.locking ? GET_LOCKED : GET, [id])).map(draftOf)[0]),

    getMany: (ids) => s.run('read', async (q) => {
      if (ids.length > 100) throw new AppError('bad_input', 'At most 100 drafts at once.');
      if (ids.length === 0) return [];
      return inOrderOf(ids, (await q.rows('SELECT * FROM drafts WHERE id = ANY($1::text[])', [ids])).map(draftOf), (d) => d.id);
    }),

    transition: (id, expect, c, opts) => s.run('write', async (q) => {
      if (opts?.unexpiredAt !== undefined) instant(opts.unexpiredAt, 'unexpiredAt');
      const [won] = await q.rows(TRANSITION, [id, expect, c.status, c.decidedBy?.kind ?? null, c.decidedBy?.id ?? null, c.decidedAt ?? null,
        jsonParam(c.input), c.outcome ?? null, opts?.unexpiredAt ?? null]);
      if (won) return { won: true as const, record: draftOf(won) };
      return { won: false as const, record: (await q.rows(GET, [id])).map(draftOf)[0] };
    }),

    setStaffMessage: (id, ref) => s.run('write', async (q) =>
      (await q.count('UPDATE drafts SET staff_message_channel = $2, staff_message_ts = $3 WHERE id = $1', [id, ref.channel, ref.ts])) > 0),
  };
}
