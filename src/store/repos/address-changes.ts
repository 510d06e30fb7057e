/** Address changes waiting for the customer's own confirmation (an emailed link, or the terminal's `confirm`). */
import type { AddressChange } from '../schema.js';
import type { CasResult } from './common.js';

export interface AddressChangeRepository {
  /** Insert. `conflict` on a duplicate id. */
  create(change: AddressChange): Promise<void>;

  get(id: string): Promise<AddressChange | undefined>;

  /**
   * Appends the hash of a freshly minted confirmation-link secret, only while the change is pending, has not
   * expired at `unexpiredAt`, and holds fewer than `MAX_LINK_SECRETS` hashes. Returns the new hash's position (the
   * link names it), or `undefined` when nothing was written. Concurrent calls get distinct positions.
   */
  addSecret(id: string, tokenHash: string, opts: { unexpiredAt: string }): Promise<number | undefined>;

  /**
   * Marks every pending change of the customer `superseded` (with `supersededAt = at`); returns their ids in
   * request order. Index on (customerId, status).
   */
  supersedePending(customerId: string, at: string): Promise<string[]>;

  /**
   * Compare-and-set `pending` → `confirmed` (with `confirmedAt`, `confirmedVia`), only while the change has not
   * expired at `confirmedAt`. With `customerId`, a change of another customer is treated as unknown: not won,
   * `record: undefined`. Exactly one of concurrent confirmations wins.
   */
  confirm(id: string, confirmation: { confirmedAt: string; confirmedVia: 'link' | 'terminal'; customerId?: string | undefined }): Promise<CasResult<AddressChange>>;
}
