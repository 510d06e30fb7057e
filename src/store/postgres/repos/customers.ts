import { AppError } from '../../../errors.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { CustomerRepository } from '../../repos/customers.js';
import type { Session } from '../db.js';
import { accountOf, cardOf, customerOf, transactionOf } from '../records.js';
import { inOrderOf } from '../rows.js';

const GET = 'SELECT * FROM customers WHERE id = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;
const CARD = 'SELECT * FROM cards WHERE id = $1';
const CARD_LOCKED = `${CARD} FOR NO KEY UPDATE`;

/**
 * Substring of id, name or email (the trigram index answers the combined text; the per-field test keeps a match
 * from spanning two fields), or the Slack user id exactly, ignoring case.
 */
const SEARCH = `
SELECT * FROM customers
WHERE (lower(id || ' ' || name || ' ' || email) LIKE $1
       AND (strpos(lower(id), $2) > 0 OR strpos(lower(name), $2) > 0 OR strpos(lower(email), $2) > 0))
   OR lower(slack_user_id) = $2
ORDER BY id COLLATE "C" LIMIT $3`;

const INSERT = `
INSERT INTO customers (id, name, email, phone, address_line1, address_line2, address_city, address_region, address_postal_code,
  address_country, slack_user_id, password_hash, password_changed_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`;

const SET_ADDRESS = `
UPDATE customers SET address_line1 = $2, address_line2 = $3, address_city = $4, address_region = $5, address_postal_code = $6, address_country = $7
WHERE id = $1 RETURNING *`;

const TRANSACTIONS = `
SELECT * FROM transactions
WHERE account_id = ANY($1::text[]) AND ($2::timestamptz IS NULL OR posted_at >= $2) AND ($3::timestamptz IS NULL OR posted_at <= $3)
ORDER BY posted_at DESC, id COLLATE "C" DESC LIMIT $4`;

/** LIKE pattern for "contains `q`" (its own %, _ and \ match literally). */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function pgCustomers(s: Session): CustomerRepository {
  const one = <T>(rows: T[]): T | undefined => rows[0];
  /** A conditional UPDATE … RETURNING * on one card ($1 its id): won when it returned the row, else the card as it is. */
  const cardCas = (update: string, params: unknown[]) => s.run('write', async (q) => {
    const won = one(await q.rows(update, params));
    if (won) return { won: true as const, record: cardOf(won) };
    return { won: false as const, record: one((await q.rows(CARD, [params[0]])).map(cardOf)) };
  });
  return {
    get: (id) => s.run('read', async (q) => one((await q.rows(s.locking ? GET_LOCKED : GET, [id])).map(customerOf))),

    getMany: (ids) => s.run('read', async (q) => {
      if (ids.length > 200) throw new AppError('bad_input', 'At most 200 customers at once.');
      if (ids.length === 0) return [];
      return inOrderOf(ids, (await q.rows('SELECT * FROM customers WHERE id = ANY($1::text[])', [ids])).map(customerOf), (c) => c.id);
    }),

    findByEmail: (email) => s.run('read', async (q) =>
      one((await q.rows('SELECT * FROM customers WHERE lower(btrim(email)) = $1', [email.trim().toLowerCase()])).map(customerOf))),

    findBySlackUserId: (id) => s.run('read', async (q) =>
      (id ? one((await q.rows('SELECT * FROM customers WHERE slack_user_id = $1', [id])).map(customerOf)) : undefined)),

    search: (query, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      const needle = query.trim().toLowerCase();
      if (!needle) throw new AppError('bad_input', 'The search query is empty.');
      return (await q.rows(SEARCH, [containing(needle), needle, limit])).map(customerOf);
    }),

    create: (c) => s.run('write', async (q) => {
      const a = c.address;
      await q.count(INSERT, [c.id, c.name, c.email, c.phone ?? null, a.line1, a.line2 ?? null, a.city, a.region ?? null, a.postalCode, a.country,
        c.slackUserId ?? null, c.passwordHash ?? null, c.passwordChangedAt ?? null, c.createdAt]);
    }),

    setAddress: (id, a) => s.run('write', async (q) =>
      one((await q.rows(SET_ADDRESS, [id, a.line1, a.line2 ?? null, a.city, a.region ?? null, a.postalCode, a.country])).map(customerOf))),

    setPasswordHash: (id, hash, changedAt) => s.run('write', async (q) =>
      (await q.count('UPDATE customers SET password_hash = $2, password_changed_at = $3 WHERE id = $1', [id, hash, changedAt])) > 0),

    addAccount: (a) => s.run('write', async (q) => {
      await q.count('INSERT INTO accounts (id, customer_id, type, currency, balance_minor, status, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [a.id, a.customerId, a.type, a.currency, a.balanceMinor, a.status, a.openedAt]);
    }),
    getAccount: (id) => s.run('read', async (q) => one((await q.rows('SELECT * FROM accounts WHERE id = $1', [id])).map(accountOf))),
    accountsOf: (customerId) => s.run('read', async (q) =>
      (await q.rows('SELECT * FROM accounts WHERE customer_id = $1 ORDER BY opened_at, id COLLATE "C"', [customerId])).map(accountOf)),

    addCard: (c) => s.run('write', async (q) => {
      await q.count(`INSERT INTO cards (id, customer_id, account_id, brand, last4, status, exp_month, exp_year, deactivated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [c.id, c.customerId, c.accountId, c.brand, c.last4, c.status, c.expMonth, c.expYear, c.deactivatedAt ?? null]);
    }),
    getCard: (id) => s.run('read', async (q) => one((await q.rows(s.locking ? CARD_LOCKED : CARD, [id])).map(cardOf))),
    cardsOf: (customerId) => s.run('read', async (q) =>
      (await q.rows('SELECT * FROM cards WHERE customer_id = $1 ORDER BY seq', [customerId])).map(cardOf)),

    deactivateCard: (cardId, at) => cardCas(`UPDATE cards SET status = 'deactivated', deactivated_at = $2 WHERE id = $1 AND status IN ('active', 'frozen') RETURNING *`, [cardId, at]),
    freezeCard: (cardId) => cardCas(`UPDATE cards SET status = 'frozen' WHERE id = $1 AND status = 'active' RETURNING *`, [cardId]),
    unfreezeCard: (cardId) => cardCas(`UPDATE cards SET status = 'active' WHERE id = $1 AND status = 'frozen' RETURNING *`, [cardId]),

    addTransaction: (t) => s.run('write', async (q) => {
      await q.count(`INSERT INTO transactions (id, account_id, posted_at, merchant, amount_minor, currency, category, status)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [t.id, t.accountId, t.postedAt, t.merchant, t.amountMinor, t.currency, t.category, t.status]);
    }),

    transactions: (tq) => s.run('read', async (q) => {
      checkLimit(tq.limit);
      if (tq.accountIds.length > 100) throw new AppError('bad_input', 'At most 100 accounts per transaction query.');
      if (tq.since !== undefined) instant(tq.since, 'since');
      if (tq.until !== undefined) instant(tq.until, 'until');
      if (tq.accountIds.length === 0) return [];
      return (await q.rows(TRANSACTIONS, [[...new Set(tq.accountIds)], tq.since ?? null, tq.until ?? null, tq.limit])).map(transactionOf);
    }),
  };
}
