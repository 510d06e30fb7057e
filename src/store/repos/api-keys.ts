/** API keys of the web channel (issue 18): stored as a hash of their secret, scoped, revocable. */
import type { ApiKey } from '../schema.js';
import type { CasResult } from './common.js';

export interface ApiKeyRepository {
  /** Insert. `conflict` on a duplicate id. */
  create(key: ApiKey): Promise<void>;

  get(id: string): Promise<ApiKey | undefined>;

  /** Every key, revoked ones included, newest first (`createdAt` descending, then insertion order descending), at most `limit`. */
  list(limit: number): Promise<ApiKey[]>;

  /** Compare-and-set: revokes a key not revoked yet (`revokedAt = at`); a loser gets the current record (undefined: no such key). */
  revoke(id: string, at: string): Promise<CasResult<ApiKey>>;
}
