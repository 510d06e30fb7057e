import type { AddressChangeRepository } from '../../repos/address-changes.js';
import { instant } from '../../repos/common.js';
import type { Session } from '../db.js';
import { addressChangeOf } from '../records.js';
import { num } from '../rows.js';
import { MAX_LINK_SECRETS } from '../../schema.js';

const GET = 'SELECT * FROM address_changes WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;

const INSERT = `
INSERT INTO address_changes (id, customer_id, address_line1, address_line2, address_city, address_region, address_postal_code, address_country,
  token_hashes, requested_at, expires_at, status, channel, thread_key, confirmed_at, confirmed_via, superseded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`;

/** Pending → confirmed, only while unexpired at the confirmation (and, with $4, only the customer's own). */
const CONFIRM = `
UPDATE address_changes SET status = 'confirmed', confirmed_at = $2, confirmed_via = $3
WHERE id = $1 AND status = 'pending' AND expires_at > $2 AND ($4::text IS NULL OR customer_id = $4)
RETURNING *`;

export function pgAddressChanges(s: Session): AddressChangeRepository {
  return {
    create: (c) => s.run('write', async (q) => {
      const a = c.address;
      await q.count(INSERT, [c.id, c.customerId, a.line1, a.line2 ?? null, a.city, a.region ?? null, a.postalCode, a.country, c.tokenHashes,
        c.requestedAt, c.expiresAt, c.status, c.channel ?? null, c.threadKey ?? null, c.confirmedAt ?? null, c.confirmedVia ?? null, c.supersededAt ?? null]);
    }),

    get: (id) => s.run('read', async (q) => (await q.rows(s.locking ? GET_LOCKED : GET, [id])).map(addressChangeOf)[0]),

    addSecret: (id, tokenHash, { unexpiredAt }) => s.run('write', async (q) => {
      instant(unexpiredAt, 'unexpiredAt');
      const [row] = await q.rows(`UPDATE address_changes SET token_hashes = array_append(token_hashes, $2)
        WHERE id = $1 AND status = 'pending' AND expires_at > $3 AND cardinality(token_hashes) < $4
        RETURNING cardinality(token_hashes) - 1 AS n`, [id, tokenHash, unexpiredAt, MAX_LINK_SECRETS]);
      return row ? num(row['n']) : undefined;
    }),

    supersedePending: (customerId, at) => s.run('write', async (q) => {
      const rows = await q.rows(`UPDATE address_changes SET status = 'superseded', superseded_at = $2 WHERE customer_id = $1 AND status = 'pending'
        RETURNING id, requested_at, seq`, [customerId, at]);
      return rows
        .sort((a, b) => (a['requested_at'] as Date).getTime() - (b['requested_at'] as Date).getTime() || num(a['seq']) - num(b['seq']))
        .map((r) => String(r['id']));
    }),

    confirm: (id, c) => s.run('write', async (q) => {
      instant(c.confirmedAt, 'confirmedAt');
      const [won] = await q.rows(CONFIRM, [id, c.confirmedAt, c.confirmedVia, c.customerId ?? null]);
      if (won) return { won: true as const, record: addressChangeOf(won) };
      const cur = (await q.rows(GET, [id])).map(addressChangeOf)[0];
      // Another customer's change is as good as unknown.
      if (!cur || (c.customerId !== undefined && cur.customerId !== c.customerId)) return { won: false as const, record: undefined };
      return { won: false as const, record: cur };
    }),
  };
}
