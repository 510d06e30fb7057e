import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { addApproval, addCustomer, addDraft, addOutbox, LATER, migratedDb, pgError, T0, T1 } from './fixtures.js';

/** The schema keeps the flows' promises: one decision, one Send, one reset link, one reply, one lease holder. */
describe.skipIf(!postgresAvailable())('PostgreSQL schema: flows', () => {
  let server: Postgres;
  let db: pg.Pool;
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });
  beforeEach(async () => { db = await migratedDb(server); });
  afterEach(async () => { await db.end(); });

  const decide = (id: string, status: string, staff: string) => db.query(
    `UPDATE approvals SET status = $2, decided_by_kind = 'staff', decided_by_id = $3, decided_at = $4 WHERE id = $1 AND status = 'pending'`,
    [id, status, staff, T1],
  );

  it('an approval is decided once: the first conditional update wins, the second changes nothing; the action runs once', async () => {
    await addCustomer(db, 'cus_1');
    await addApproval(db, 'apr_1', 'cus_1');
    expect((await decide('apr_1', 'approved', 'U0STAFF0001')).rowCount).toBe(1);
    expect((await decide('apr_1', 'denied', 'U0STAFF0002')).rowCount).toBe(0);
    const row = await db.query('SELECT status, decided_by_id FROM approvals WHERE id = $1', ['apr_1']);
    expect(row.rows[0]).toEqual({ status: 'approved', decided_by_id: 'U0STAFF0001' });
    // The decision itself is the repositories' compare-and-set (the port lets a caller expecting `approved` win);
    // carrying the action out is once, whatever the statement.
    await db.query('UPDATE approvals SET executed_at = $2, outcome = $3 WHERE id = $1', ['apr_1', T1, 'reset_link_emailed']);
    expect(await pgError(db.query('UPDATE approvals SET executed_at = $2 WHERE id = $1', ['apr_1', LATER])))
      .toEqual({ code: '23514', constraint: 'approvals_executed_once' });
  });

  it('an expired approval cannot be approved by the conditional update; an expired request does not block a new one', async () => {
    await addCustomer(db, 'cus_1');
    await addApproval(db, 'apr_1', 'cus_1');
    // Schema 2: a second pending request may exist (the first may have expired and wait for the sweeper).
    await addApproval(db, 'apr_2', 'cus_1');
    await db.query(`UPDATE approvals SET status = 'expired' WHERE id = $1 AND status = 'pending'`, ['apr_1']);
    expect((await decide('apr_1', 'approved', 'U0STAFF0001')).rowCount).toBe(0);
    expect((await decide('apr_2', 'approved', 'U0STAFF0001')).rowCount).toBe(1);
  });

  it('a reset link is used once: the conditional update on used_at has one winner', async () => {
    await addCustomer(db, 'cus_1');
    await addApproval(db, 'apr_1', 'cus_1');
    await db.query(
      `INSERT INTO reset_tokens (id, customer_id, approval_id, email, token_hashes, created_at, expires_at) VALUES ($1, $2, $3, 'a@example.test', ARRAY[$4], $5, $6)`,
      ['rst_1', 'cus_1', 'apr_1', 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', T0, LATER],
    );
    const use = () => db.query('UPDATE reset_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL', ['rst_1', T1]);
    expect((await use()).rowCount).toBe(1);
    expect((await use()).rowCount).toBe(0);
  });

  it('one Send wins a draft, and a draft only moves forward', async () => {
    await addDraft(db, 'drf_1');
    const claim = (staff: string) => db.query(
      `UPDATE drafts SET status = 'sending', decided_by_kind = 'staff', decided_by_id = $2, decided_at = $3 WHERE id = $1 AND status = 'pending'`,
      ['drf_1', staff, T1],
    );
    expect((await claim('U0STAFF0001')).rowCount).toBe(1);
    expect((await claim('U0STAFF0002')).rowCount).toBe(0);
    expect(await pgError(db.query(`UPDATE drafts SET status = 'pending' WHERE id = $1`, ['drf_1']))).toEqual({ code: '23514', constraint: 'drafts_status_transition' });
    await db.query(`UPDATE drafts SET status = 'sent', outcome = $2 WHERE id = $1`, ['drf_1', 'Note note_1 added']);
    expect(await pgError(db.query(`UPDATE drafts SET status = 'failed' WHERE id = $1`, ['drf_1']))).toEqual({ code: '23514', constraint: 'drafts_status_transition' });
  });

  it('one reply per source message and kind; senders claim disjoint outbox items with SKIP LOCKED', async () => {
    await addOutbox(db, 'out_1', { sourceId: 'email:<m1@x>', replyKind: 'answer' });
    expect(await pgError(addOutbox(db, 'out_2', { sourceId: 'email:<m1@x>', replyKind: 'answer' }))).toEqual({ code: '23505', constraint: 'outbox_one_reply_key' });
    for (const id of ['out_3', 'out_4', 'out_5']) await addOutbox(db, id);
    const [a, b] = [await db.connect(), await db.connect()];
    try {
      const claim = async (c: pg.PoolClient) => {
        await c.query('BEGIN');
        const r = await c.query<{ id: string }>(
          `SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT 2 FOR UPDATE SKIP LOCKED`, [T1]);
        return r.rows.map((row) => row.id);
      };
      const first = await claim(a);
      const second = await claim(b);
      expect(first).toEqual(['out_1', 'out_3']);
      expect(second).toEqual(['out_4', 'out_5']);
    } finally {
      for (const c of [a, b]) { await c.query('ROLLBACK'); c.release(); }
    }
  });

  it('a lease has one holder until it expires; the audit log is append-only', async () => {
    const take = (holder: string, now: string, until: string) => db.query<{ holder: string }>(
      `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ('imap-poller', $1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
       WHERE leases.expires_at <= EXCLUDED.acquired_at OR leases.holder = EXCLUDED.holder
       RETURNING holder`,
      [holder, now, until],
    );
    expect((await take('host-a', T0, T1)).rows).toEqual([{ holder: 'host-a' }]);
    expect((await take('host-b', T0, T1)).rowCount).toBe(0);
    expect((await take('host-a', T0, LATER)).rowCount).toBe(1); // renewed
    expect((await take('host-b', LATER, '2026-10-03T00:00:00.000Z')).rows).toEqual([{ holder: 'host-b' }]); // lapsed: taken over
    await db.query(`INSERT INTO audit_log (id, at, actor_kind, actor_id, action, target, details) VALUES ('aud_1', $1, 'system', 'system', 'approval.expire', 'approval:apr_1', $2)`, [T0, JSON.stringify({})]);
    expect(await pgError(db.query(`UPDATE audit_log SET action = 'approval.approve' WHERE id = $1`, ['aud_1']))).toEqual({ code: '23514', constraint: 'audit_log_append_only' });
  });
});
