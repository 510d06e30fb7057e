import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { ApiKeyRepository } from '../../store/repos/index.js';
import { apiKeySchema, type ApiKey, type ApiKeyScope } from '../../store/schema.js';

/**
 * API keys for a company's backend: `hlk_<id>_<secret>`, where the secret is 32 random bytes (256 bits).
 * Only SHA-256 of the secret is stored. A slow hash (scrypt, as for passwords) protects low-entropy secrets against
 * guessing; a 256-bit random secret cannot be guessed, so a fast hash loses nothing, and it keeps each API request
 * cheap (scrypt would cost tens of milliseconds of CPU per request, an easy way to overload the server).
 */
const KEY_RE = /^hlk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeysDeps {
  apiKeys: ApiKeyRepository;
  clock: () => Date;
}

export interface CreatedApiKey {
  /** The whole key: shown once, never stored. */
  key: string;
  record: ApiKey;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function createApiKeys(deps: ApiKeysDeps) {
  return {
    async create(name: string, scopes: readonly ApiKeyScope[]): Promise<CreatedApiKey> {
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const parsed = apiKeySchema.safeParse({ id, name: name.trim(), scopes: [...new Set(scopes)], secretHash: hash(secret), createdAt: deps.clock().toISOString() });
      if (!parsed.success) throw new AppError('bad_input', `The key cannot be created: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; ')}`);
      await deps.apiKeys.create(parsed.data);
      return { key: `hlk_${id}_${secret}`, record: parsed.data };
    },

    list: (limit = 1000) => deps.apiKeys.list(limit),

    /** `not_found` for an unknown id; a key revoked already stays revoked at its first time. */
    async revoke(id: string): Promise<ApiKey> {
      const r = await deps.apiKeys.revoke(id, deps.clock().toISOString());
      if (!r.record) throw new AppError('not_found', `No API key ${id} was found.`);
      return r.record;
    },

    /** The live key a presented string is, or undefined (malformed, unknown, wrong secret, revoked). Constant time in the secret. */
    async verify(presented: string): Promise<ApiKey | undefined> {
      const m = KEY_RE.exec(presented);
      if (!m) return undefined;
      const key = await deps.apiKeys.get(m[1] ?? '');
      const expected = Buffer.from(key?.secretHash ?? '0'.repeat(64), 'hex');
      const ok = timingSafeEqual(Buffer.from(hash(m[2] ?? ''), 'hex'), expected);
      return key && ok && key.revokedAt === undefined ? key : undefined;
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
