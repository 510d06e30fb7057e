import type { ApiKeyRepository } from '../repos/api-keys.js';
import { checkLimit, instant } from '../repos/common.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memoryApiKeys(s: MemoryState, run: Run): ApiKeyRepository {
  return {
    create: (key) => run(() => {
      s.apiKeys.insert(key);
    }),
    get: (id) => run(() => s.apiKeys.get(id)),
    list: (limit) => run(() => {
      checkLimit(limit);
      return s.apiKeys.scan()
        .sort((a, b) => instant(b.createdAt) - instant(a.createdAt) || s.apiKeys.seqOf(b.id) - s.apiKeys.seqOf(a.id))
        .slice(0, limit);
    }),
    revoke: (id, at) => run(() => {
      instant(at, 'at');
      const key = s.apiKeys.get(id);
      if (!key || key.revokedAt !== undefined) return { won: false as const, record: key };
      return { won: true as const, record: s.apiKeys.put({ ...key, revokedAt: at }) };
    }),
  };
}
