import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbSchema, type Actor, type Db } from '../../../src/store/schema.js';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { migratedDb } from './fixtures.js';

/**
 * The demo seed's business records fit the schema and its constraints as they are (the PostgreSQL repositories
 * will map every collection; this checks the tables take real data, not just hand-made rows).
 */
describe.skipIf(!postgresAvailable())('PostgreSQL schema: the demo seed fits', () => {
  let server: Postgres;
  let db: pg.Pool;
  const seed: Db = dbSchema.parse(JSON.parse(readFileSync('data/seed.json', 'utf8')));
  beforeAll(async () => {
    server = await startPostgres();
    db = await migratedDb(server);
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  const insert = (table: string, row: Record<string, unknown>) => {
    const cols = Object.keys(row);
    // Table and column names are this file's constants; every value is a parameter.
    return db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
  };
  const actor = (prefix: string, a: Actor) => ({ [`${prefix}_kind`]: a.kind, [`${prefix}_id`]: a.id });

  it('customers, accounts, cards, transactions, tickets with messages and history, and notes', async () => {
    for (const c of seed.customers) {
      await insert('customers', {
        id: c.id, name: c.name, email: c.email, phone: c.phone ?? null, slack_user_id: c.slackUserId ?? null, created_at: c.createdAt,
        address_line1: c.address.line1, address_line2: c.address.line2 ?? null, address_city: c.address.city,
        address_region: c.address.region ?? null, address_postal_code: c.address.postalCode, address_country: c.address.country,
        password_hash: c.passwordHash ?? null, password_changed_at: c.passwordChangedAt ?? null,
      });
    }
    for (const a of seed.accounts) {
      await insert('accounts', { id: a.id, customer_id: a.customerId, type: a.type, currency: a.currency, balance_minor: a.balanceMinor, status: a.status, opened_at: a.openedAt });
    }
    for (const c of seed.cards) {
      await insert('cards', {
        id: c.id, customer_id: c.customerId, account_id: c.accountId, brand: c.brand, last4: c.last4, status: c.status,
        exp_month: c.expMonth, exp_year: c.expYear, deactivated_at: c.deactivatedAt ?? null,
      });
    }
    for (const t of seed.transactions) {
      await insert('transactions', { id: t.id, account_id: t.accountId, posted_at: t.postedAt, merchant: t.merchant, amount_minor: t.amountMinor, currency: t.currency, category: t.category, status: t.status });
    }
    for (const t of seed.tickets) {
      await insert('tickets', {
        id: t.id, customer_id: t.customerId, contact: t.contact ?? null, subject: t.subject, description: t.description, channel: t.channel,
        priority: t.priority, category: t.category, sentiment: t.sentiment, status: t.status, thread_key: t.threadKey ?? null,
        created_at: t.createdAt, updated_at: t.updatedAt, first_response_at: t.firstResponseAt ?? null, resolved_at: t.resolvedAt ?? null, closed_at: t.closedAt ?? null,
      });
      for (const m of t.messages) await insert('ticket_messages', { id: m.id, ticket_id: t.id, at: m.at, ...actor('author', m.author), visibility: m.visibility, body: m.body });
      for (const h of t.history) await insert('ticket_history', { ticket_id: t.id, at: h.at, from_status: h.from, to_status: h.to, ...actor('by', h.by), note: h.note ?? null });
    }
    for (const n of seed.notes) {
      await insert('notes', { id: n.id, customer_id: n.customerId, ...actor('author', n.author), body: n.body, ticket_id: n.ticketId ?? null, created_at: n.createdAt });
    }
    // The seed's ticket counter carries over to the sequence.
    await db.query(`SELECT setval('ticket_number_seq', $1::bigint - 1)`, [seed.state['tickets.nextNumber']]);
    const next = await db.query<{ id: string }>(
      `INSERT INTO tickets (subject, description, channel, priority, category, sentiment, status, created_at, updated_at)
       VALUES ('New', '', 'web', 'low', 'general', 0, 'open', now(), now()) RETURNING id`,
    );
    expect(next.rows[0]?.id).toBe(`T-${String(seed.state['tickets.nextNumber'])}`);

    const counts = await db.query(
      `SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM transactions)::int AS transactions,
              (SELECT count(*) FROM ticket_messages)::int AS messages`,
    );
    expect(counts.rows[0]).toEqual({
      customers: seed.customers.length, transactions: seed.transactions.length, messages: seed.tickets.reduce((n, t) => n + t.messages.length, 0),
    });
    const sum = await db.query<{ total: string }>('SELECT sum(balance_minor)::text AS total FROM accounts');
    expect(Number(sum.rows[0]?.total)).toBe(seed.accounts.reduce((n, a) => n + a.balanceMinor, 0));
  });
});
