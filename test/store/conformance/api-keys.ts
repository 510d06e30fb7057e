import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../../src/store/schema.js';
import { at } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

function apiKey(id: string, extra: Partial<ApiKey> = {}): ApiKey {
  return { id, name: `backend ${id}`, scopes: ['chat:act-as-customer'], secretHash: 'ab'.repeat(32), createdAt: at(0), ...extra };
}

export function apiKeyTests(repos: GetRepos): void {
  describe('api keys', () => {
    it('stores a key as given, refuses a duplicate id, and lists newest first with revoked keys', async () => {
      const k1 = apiKey('key_1', { scopes: ['chat:act-as-customer', 'tokens:mint'], createdAt: at(1) });
      await repos().apiKeys.create(k1);
      await repos().apiKeys.create(apiKey('key_2', { createdAt: at(3) }));
      await repos().apiKeys.create(apiKey('key_3', { createdAt: at(3), revokedAt: at(4) }));
      await expectCode(repos().apiKeys.create(apiKey('key_1')), 'conflict');
      expect(await repos().apiKeys.get('key_1')).toEqual(k1);
      expect(await repos().apiKeys.get('key_9')).toBeUndefined();
      expect((await repos().apiKeys.list(10)).map((k) => k.id)).toEqual(['key_3', 'key_2', 'key_1']);
      expect((await repos().apiKeys.list(2)).map((k) => k.id)).toEqual(['key_3', 'key_2']);
      for (const bad of BAD_LIMITS) await expectCode(repos().apiKeys.list(bad), 'bad_input');
    });

    it('revokes a key once: of concurrent revocations exactly one wins, the others see the revoked record', async () => {
      await repos().apiKeys.create(apiKey('key_1'));
      const results = await concurrently(5, (i) => repos().apiKeys.revoke('key_1', at(10 + i)));
      const won = results.filter((r) => r.won);
      expect(won).toHaveLength(1);
      const revokedAt = won[0]!.record.revokedAt;
      expect(results.filter((r) => !r.won).every((r) => r.record?.revokedAt === revokedAt)).toBe(true);
      expect((await repos().apiKeys.get('key_1'))?.revokedAt).toBe(revokedAt);
      expect(await repos().apiKeys.revoke('key_9', at(1))).toEqual({ won: false, record: undefined });
      await expectCode(repos().apiKeys.revoke('key_1', 'not a time'), 'bad_input');
    });

    it('a revocation inside a rolled-back transaction leaves the key usable', async () => {
      await repos().apiKeys.create(apiKey('key_1'));
      await expect(repos().transaction(async (tx) => {
        await tx.apiKeys.revoke('key_1', at(5));
        throw new Error('undo');
      })).rejects.toThrow('undo');
      expect((await repos().apiKeys.get('key_1'))?.revokedAt).toBeUndefined();
    });
  });
}
