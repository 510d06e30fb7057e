import type { ApiKeyRepository } from '../../repos/api-keys.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { Session } from '../db.js';
import { apiKeyOf } from '../records.js';

const GET = 'SELECT * FROM api_keys WHERE id = $1';

export function pgApiKeys(s: Session): ApiKeyRepository {
  return {
    create: (k) => s.run('write', async (q) => {
      await q.count('INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [k.id, k.name, k.scopes, k.secretHash, k.createdAt, k.revokedAt ?? null]);
    }),

    get: (id) => s.run('read', async (q) => (await q.rows(GET, [id])).map(apiKeyOf)[0]),

    list: (limit) => s.run('read', async (q) => {
      checkLimit(limit);
      return (await q.rows('SELECT * FROM api_keys ORDER BY created_at DESC, seq DESC LIMIT $1', [limit])).map(apiKeyOf);
    }),

    revoke: (id, at) => s.run('write', async (q) => {
      instant(at, 'at');
      const [won] = await q.rows('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING *', [id, at]);
      if (won) return { won: true as const, record: apiKeyOf(won) };
      return { won: false as const, record: (await q.rows(GET, [id])).map(apiKeyOf)[0] };
    }),
  };
}
