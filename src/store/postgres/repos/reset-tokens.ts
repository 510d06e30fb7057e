import { checkLimit, instant } from '../../repos/common.js';
import type { ResetTokenRepository } from '../../repos/approvals.js';
import type { Session } from '../db.js';
import { resetTokenOf } from '../records.js';
import { num } from '../rows.js';
import { MAX_LINK_SECRETS } from '../../schema.js';

const GET = 'SELECT * FROM reset_tokens WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;

export function pgResetTokens(s: Session): ResetTokenRepository {
  return {
    add: (t) => s.run('write', async (q) => {
      await q.count(`INSERT INTO reset_tokens (id, customer_id, approval_id, email, token_hashes, created_at, expires_at, used_at, attempts)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [t.id, t.customerId, t.approvalId, t.email, t.tokenHashes, t.createdAt, t.expiresAt, t.usedAt ?? null, t.attempts ?? 0]);
    }),

    get: (id) => s.run('read', async (q) => (await q.rows(s.locking ? GET_LOCKED : GET, [id])).map(resetTokenOf)[0]),

    findByApproval: (approvalId) => s.run('read', async (q) => (await q.rows('SELECT * FROM reset_tokens WHERE approval_id = $1 ORDER BY created_at, id COLLATE "C" LIMIT 1', [approvalId])).map(resetTokenOf)[0]),

    addSecret: (id, tokenHash, { unexpiredAt }) => s.run('write', async (q) => {
      instant(unexpiredAt, 'unexpiredAt');
      const [row] = await q.rows(`UPDATE reset_tokens SET token_hashes = array_append(token_hashes, $2)
        WHERE id = $1 AND used_at IS NULL AND expires_at > $3 AND cardinality(token_hashes) < $4
        RETURNING cardinality(token_hashes) - 1 AS n`, [id, tokenHash, unexpiredAt, MAX_LINK_SECRETS]);
      return row ? num(row['n']) : undefined;
    }),

    /** Single use: only an unused token that has not expired at `usedAt`. */
    markUsed: (id, usedAt) => s.run('write', async (q) => {
      instant(usedAt, 'usedAt');
      const [won] = await q.rows('UPDATE reset_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING *', [id, usedAt]);
      if (won) return { won: true as const, record: resetTokenOf(won) };
      return { won: false as const, record: (await q.rows(GET, [id])).map(resetTokenOf)[0] };
    }),

    deleteExpired: (before, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(before, 'before');
      return q.count(`DELETE FROM reset_tokens WHERE id IN (
        SELECT id FROM reset_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [before, limit]);
    }),
  };
}
