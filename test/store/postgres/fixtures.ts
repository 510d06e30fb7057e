/**
 * Rows for the PostgreSQL schema tests, inserted with parameterised queries only, and a fresh migrated
 * database per test on the file's shared server.
 */
import pg from 'pg';
import { silentLogger } from '../../../src/config/logger.js';
import { runMigrations } from '../../../src/store/postgres/migrate.js';
import type { Postgres } from '../../helpers/postgres.js';

export type Db = Pick<pg.Pool, 'query'>;

export const T0 = '2026-10-01T12:00:00.000Z';
export const T1 = '2026-10-01T13:00:00.000Z';
export const LATER = '2026-10-02T12:00:00.000Z';

/** A new database on `server` with the schema applied, and a pool on it. */
export async function migratedDb(server: Postgres): Promise<pg.Pool> {
  const url = await server.createDatabase();
  await runMigrations({ databaseUrl: url, log: silentLogger() });
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  // pool.end() resolves before its connections are gone; one still closing when the server stops gets
  // "terminating connection" and the pool re-emits it: expected at teardown, not a test failure.
  pool.on('error', () => {});
  return pool;
}

/** The SQLSTATE and constraint name of a statement that must fail. */
export async function pgError(p: Promise<unknown>): Promise<{ code: string | undefined; constraint: string | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    return { code: e.code, constraint: e.constraint };
  }
  throw new Error('expected the statement to fail');
}

export async function addCustomer(db: Db, id: string, email = `${id}@example.test`, slackUserId: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO customers (id, name, email, address_line1, address_city, address_postal_code, address_country, slack_user_id, created_at)
     VALUES ($1, $2, $3, '1 Main St', 'Dublin', 'D01', 'IE', $4, $5)`,
    [id, `Customer ${id}`, email, slackUserId, T0],
  );
}

export async function addAccount(db: Db, id: string, customerId: string): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, customer_id, type, currency, balance_minor, status, opened_at) VALUES ($1, $2, 'checking', 'EUR', $3, 'open', $4)`,
    [id, customerId, '123456789012', T0],
  );
}

export async function addCard(db: Db, id: string, customerId: string, accountId: string): Promise<void> {
  await db.query(
    `INSERT INTO cards (id, customer_id, account_id, brand, last4, status, exp_month, exp_year) VALUES ($1, $2, $3, 'visa', '4242', 'active', 12, 2030)`,
    [id, customerId, accountId],
  );
}

/** A ticket numbered by the database; returns its id. */
export async function addTicket(db: Db, customerId: string | null, status = 'open'): Promise<string> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO tickets (customer_id, subject, description, channel, priority, category, sentiment, status, created_at, updated_at)
     VALUES ($1, 'Card declined', 'My card was declined.', 'slack', 'normal', 'card', 0, $2, $3, $3) RETURNING id`,
    [customerId, status, T0],
  );
  return (r.rows[0] as { id: string }).id;
}

export async function addApproval(db: Db, id: string, customerId: string, cardId: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO approvals (id, customer_id, action, card_id, reason, requested_at, expires_at)
     VALUES ($1, $2, $3, $4, 'lost my card', $5, $6)`,
    [id, customerId, cardId ? 'card_deactivation' : 'password_change', cardId, T0, LATER],
  );
}

export async function addDraft(db: Db, id: string): Promise<void> {
  await db.query(
    `INSERT INTO drafts (id, kind, input, summary, staff_id, created_at, expires_at) VALUES ($1, 'customer_note', $2, 'Add a note', 'U0STAFF0001', $3, $4)`,
    [id, JSON.stringify({ customerId: 'cus_1', body: 'called back' }), T0, LATER],
  );
}

export async function addOutbox(db: Db, id: string, p: { threadKey?: string; sourceId?: string | null; replyKind?: string | null; status?: string } = {}): Promise<void> {
  await db.query(
    `INSERT INTO outbox (id, channel, thread_key, source_id, reply_kind, payload, status, next_attempt_at, created_at)
     VALUES ($1, 'email', $2, $3, $4, $5, $6, $7, $7)`,
    [id, p.threadKey ?? 'email:<a@x>', p.sourceId ?? null, p.replyKind ?? null, JSON.stringify({ to: 'a@example.test', text: 'hi' }), p.status ?? 'pending', T0],
  );
}
