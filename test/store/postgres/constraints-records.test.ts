import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { addAccount, addApproval, addCard, addCustomer, addOutbox, addTicket, migratedDb, LATER, pgError, T0, T1 } from './fixtures.js';

/** The schema keeps the records' own rules: unique keys, numbering, ownership, enums. */
describe.skipIf(!postgresAvailable())('PostgreSQL schema: records', () => {
  let server: Postgres;
  let db: pg.Pool;
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });
  beforeEach(async () => { db = await migratedDb(server); });
  afterEach(async () => { await db.end(); });

  const ledger = (id: string, status = 'queued', message: unknown = { text: 'hi' }) => db.query(
    `INSERT INTO inbound_ledger (id, thread_key, channel, received_at, status, updated_at, message) VALUES ($1, 'slack:C1:1.0', 'slack', $2, $3, $2, $4)`,
    [id, T0, status, message === null ? null : JSON.stringify(message)],
  );

  it('an inbound message is recorded once: a redelivery hits the unique ledger key', async () => {
    await ledger('slack:Ev001');
    expect(await pgError(ledger('slack:Ev001'))).toEqual({ code: '23505', constraint: 'inbound_ledger_pkey' });
    const again = await db.query(
      `INSERT INTO inbound_ledger (id, thread_key, channel, received_at, status, updated_at) VALUES ($1, 'slack:C1:1.0', 'slack', $2, 'received', $2)
       ON CONFLICT (id) DO NOTHING`,
      ['slack:Ev001', T1],
    );
    expect(again.rowCount).toBe(0);
    // A finished entry keeps no message.
    expect(await pgError(ledger('slack:Ev002', 'done'))).toEqual({ code: '23514', constraint: 'inbound_ledger_message_status_check' });
    await ledger('slack:Ev003', 'done', null);
    const waiting = await db.query<{ id: string }>(`SELECT id FROM inbound_ledger WHERE status IN ('received', 'queued') ORDER BY arrival`);
    expect(waiting.rows.map((r) => r.id)).toEqual(['slack:Ev001']);
  });

  it('tickets are numbered T-1001, T-1002, ... and an import continues after its highest number', async () => {
    await addCustomer(db, 'cus_1');
    expect(await addTicket(db, 'cus_1')).toBe('T-1001');
    expect(await addTicket(db, null)).toBe('T-1002');
    await db.query(
      `INSERT INTO tickets (id, subject, description, channel, priority, category, sentiment, status, created_at, updated_at)
       VALUES ($1, 'Imported', '', 'email', 'low', 'general', 0, 'closed', $2, $2)`,
      ['T-1500', T0],
    );
    await db.query(`SELECT setval('ticket_number_seq', (SELECT max(substr(id, 3)::bigint) FROM tickets))`);
    expect(await addTicket(db, null)).toBe('T-1501');
    expect(await pgError(db.query(`UPDATE tickets SET id = $1 WHERE id = $2`, ['TICKET-9', 'T-1001']))).toEqual({ code: '23514', constraint: 'tickets_id_check' });
  });

  it('a customer is found by one email whatever its case, and by one Slack user id', async () => {
    await addCustomer(db, 'cus_1', 'Ann@Example.test', 'U0DEMO00001');
    expect(await pgError(addCustomer(db, 'cus_2', 'ann@example.TEST'))).toEqual({ code: '23505', constraint: 'customers_email_lower_key' });
    expect(await pgError(addCustomer(db, 'cus_3', 'other@example.test', 'U0DEMO00001'))).toEqual({ code: '23505', constraint: 'customers_slack_user_id_key' });
    const found = await db.query<{ id: string }>('SELECT id FROM customers WHERE lower(email) = lower($1)', ['ANN@example.test']);
    expect(found.rows).toEqual([{ id: 'cus_1' }]);
  });

  it('cards draw on an account of their own customer; money keeps its precision', async () => {
    for (const c of ['cus_1', 'cus_2']) await addCustomer(db, c);
    await addAccount(db, 'acc_1', 'cus_1');
    expect(await pgError(addCard(db, 'card_x', 'cus_2', 'acc_1'))).toEqual({ code: '23503', constraint: 'cards_account_fkey' });
    await addCard(db, 'card_1', 'cus_1', 'acc_1');
    // Schema 2 dropped the owner checks of approvals (card) and notes (ticket): the repository ports store those
    // records as given (test/store/conformance), and the callers check ownership.
    // Money is bigint minor units: beyond 2^53 is kept exactly.
    await db.query('UPDATE accounts SET balance_minor = $1 WHERE id = $2', ['9007199254740993', 'acc_1']);
    expect((await db.query('SELECT balance_minor::text AS b FROM accounts WHERE id = $1', ['acc_1'])).rows[0]).toEqual({ b: '9007199254740993' });
  });

  it('schema 3: a card may be frozen and an unfreeze approval names its card; unknown statuses and actions are refused', async () => {
    await addCustomer(db, 'cus_1');
    await addAccount(db, 'acc_1', 'cus_1');
    await addCard(db, 'card_1', 'cus_1', 'acc_1');
    await db.query(`UPDATE cards SET status = 'frozen' WHERE id = $1`, ['card_1']);
    expect(await pgError(db.query(`UPDATE cards SET status = 'paused' WHERE id = $1`, ['card_1']))).toEqual({ code: '23514', constraint: 'cards_status_check' });
    const approval = (id: string, action: string, cardId: string | null) => db.query(
      `INSERT INTO approvals (id, customer_id, action, card_id, reason, requested_at, expires_at) VALUES ($1, 'cus_1', $2, $3, 'found it', $4, $5)`,
      [id, action, cardId, T0, LATER]);
    await approval('apr_1', 'card_unfreeze', 'card_1');
    expect(await pgError(approval('apr_2', 'card_unfreeze', null))).toEqual({ code: '23514', constraint: 'approvals_card_check' });
    expect(await pgError(approval('apr_3', 'card_thaw', 'card_1'))).toEqual({ code: '23514', constraint: 'approvals_action_check' });
  });

  it('schema 7: a reset token keeps at most 50 link hashes, none NULL; an address change likewise', async () => {
    await addCustomer(db, 'cus_1');
    await addApproval(db, 'apr_1', 'cus_1');
    const token = (id: string, hashes: Array<string | null>) => db.query(
      `INSERT INTO reset_tokens (id, customer_id, approval_id, email, token_hashes, created_at, expires_at) VALUES ($1, 'cus_1', 'apr_1', 'a@example.test', $2, $3, $4)`,
      [id, hashes, T0, LATER]);
    await token('rst_0', []);
    await token('rst_50', Array.from({ length: 50 }, (_, i) => `scrypt$${i}`));
    expect(await pgError(token('rst_51', Array.from({ length: 51 }, (_, i) => `scrypt$${i}`)))).toEqual({ code: '23514', constraint: 'reset_tokens_token_hashes_check' });
    expect(await pgError(token('rst_null', ['scrypt$1', null]))).toEqual({ code: '23514', constraint: 'reset_tokens_token_hashes_check' });
    const change = (id: string, hashes: Array<string | null>) => db.query(
      `INSERT INTO address_changes (id, customer_id, address_line1, address_city, address_postal_code, address_country, token_hashes, requested_at, expires_at)
       VALUES ($1, 'cus_1', '1 Way', 'Town', '12345', 'US', $2, $3, $4)`, [id, hashes, T0, LATER]);
    await change('adr_0', []);
    expect(await pgError(change('adr_null', [null]))).toEqual({ code: '23514', constraint: 'address_changes_token_hashes_check' });
  });

  it('enum checks reject unknown values', async () => {
    await addCustomer(db, 'cus_1');
    const ticket = await addTicket(db, 'cus_1');
    await addApproval(db, 'apr_1', 'cus_1');
    await addOutbox(db, 'out_1');
    await ledger('slack:Ev1', 'done', null);
    const cases: Array<[string, unknown[], string]> = [
      ['UPDATE tickets SET status = $1 WHERE id = $2', ['waiting', ticket], 'ticket_status_check'],
      ['UPDATE tickets SET priority = $1 WHERE id = $2', ['critical', ticket], 'tickets_priority_check'],
      ['UPDATE tickets SET channel = $1 WHERE id = $2', ['fax', ticket], 'channel_kind_check'],
      ['UPDATE approvals SET status = $1 WHERE id = $2', ['maybe', 'apr_1'], 'approvals_status_check'],
      ['UPDATE outbox SET status = $1 WHERE id = $2', ['sending', 'out_1'], 'outbox_status_check'],
      ['UPDATE inbound_ledger SET status = $1 WHERE id = $2', ['lost', 'slack:Ev1'], 'inbound_ledger_status_check'],
      ['UPDATE customers SET address_country = $1 WHERE id = $2', ['Ireland', 'cus_1'], 'country_code_check'],
      ['INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $3)', ['imap', 'a', T0], 'leases_expiry_check'],
    ];
    for (const [sql, params, constraint] of cases) {
      expect(await pgError(db.query(sql, params)), sql).toEqual({ code: '23514', constraint });
    }
  });
});
