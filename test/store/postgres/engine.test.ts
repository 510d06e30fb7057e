import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { isAppError } from '../../../src/errors.js';
import { createPostgresRepositories } from '../../../src/store/postgres/engine.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { approval, at, auditEntry, customer, ledgerEntry, newTicket, seedCustomer } from '../conformance/fixtures.js';
import { expectCode } from '../conformance/harness.js';
import { databases, type Databases, type TestDatabase } from './engines.js';

const INJECTION = `'; DROP TABLE customers; --`;

/** What only a server database shows: SQL as data, real rollbacks, deadlocks, lost connections, indexes. */
describe.skipIf(!postgresAvailable())('PostgreSQL engine: behaviour of the server', () => {
  let server: Postgres | undefined;
  let dbs: Databases;
  let db: TestDatabase;
  let repos: Repositories;
  /** A raw client on the test's database, for checks below the repositories. */
  let raw: pg.Client;
  beforeAll(async () => {
    server = await startPostgres();
    dbs = await databases(server);
  });
  afterAll(async () => {
    await dbs?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    db = await dbs.fresh();
    repos = await db.open();
    raw = new pg.Client({ connectionString: db.url });
    raw.on('error', () => {});
    await raw.connect();
  });
  afterEach(async () => {
    await raw.end();
    await db.drop();
  });

  const countOf = async (table: 'customers' | 'cards' | 'approvals' | 'audit_log' | 'inbound_ledger' | 'conversations' | 'outbox' | 'tickets' | 'ticket_history') =>
    Number((await raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

  it('stores a parameter that contains SQL verbatim, and matches search metacharacters literally', async () => {
    await repos.customers.create(customer(1, { name: INJECTION }));
    await repos.customers.create(customer(2, { name: '100% _real_ \\ name' }));
    await repos.customers.create(customer(3, { name: '1000 real names' }));
    expect((await repos.customers.get('cus_001'))?.name).toBe(INJECTION);
    expect((await repos.customers.search(INJECTION, 10)).map((c) => c.id)).toEqual(['cus_001']);
    expect((await repos.customers.search('0% _r', 10)).map((c) => c.id)).toEqual(['cus_002']);
    expect((await repos.customers.search('\\', 10)).map((c) => c.id)).toEqual(['cus_002']);
    await repos.audit.append(auditEntry('aud_1', INJECTION, { details: { q: INJECTION } }));
    expect(await repos.audit.listForTarget(INJECTION, 10)).toEqual([auditEntry('aud_1', INJECTION, { details: { q: INJECTION } })]);
    const t = await repos.tickets.create(newTicket({ subject: INJECTION, contact: INJECTION }));
    expect(await repos.tickets.countCreatedSince({ contact: INJECTION }, at(-1))).toBe(1);
    expect((await repos.tickets.get(t.id))?.subject).toBe(INJECTION);
    expect(await countOf('customers')).toBe(3);
  });

  it('leaves nothing behind when a transaction throws (checked in the tables), except a ticket number', async () => {
    await seedCustomer(repos, 1);
    await repos.approvals.create(approval('apr_1', 'cus_001'));
    const before = await Promise.all((['customers', 'cards', 'audit_log', 'inbound_ledger', 'conversations', 'outbox', 'tickets'] as const).map(countOf));
    await expect(repos.transaction(async (tx) => {
      await tx.customers.create(customer(2));
      await tx.customers.deactivateCard('card_1', at(1));
      await tx.approvals.decide('apr_1', 'pending', { status: 'approved', decidedBy: { kind: 'staff', id: 'U1' }, decidedAt: at(1) });
      await tx.audit.append(auditEntry('aud_1', 'approval:apr_1'));
      await tx.ledger.claim(ledgerEntry('ev_1'));
      await tx.conversations.touch('slack:a', { channel: 'slack', callerKind: 'anonymous', at: at(0) });
      await tx.tickets.create(newTicket());
      await tx.transaction(async (inner) => { await inner.customers.create(customer(3)); });
      throw new Error('stop');
    })).rejects.toThrow('stop');
    const after = await Promise.all((['customers', 'cards', 'audit_log', 'inbound_ledger', 'conversations', 'outbox', 'tickets'] as const).map(countOf));
    expect(after).toEqual(before);
    expect((await raw.query(`SELECT status FROM cards WHERE id = 'card_1'`)).rows).toEqual([{ status: 'active' }]);
    expect((await raw.query(`SELECT status, decided_at FROM approvals WHERE id = 'apr_1'`)).rows).toEqual([{ status: 'pending', decided_at: null }]);
    // The sequence is not transactional: the number the rolled-back ticket took is never handed out again.
    expect((await repos.tickets.create(newTicket())).id).toBe('T-1002');
  });

  it('keeps a transaction usable after one of its calls fails (each call is a savepoint)', async () => {
    await repos.customers.create(customer(1));
    await repos.transaction(async (tx) => {
      await tx.customers.create(customer(2));
      await expectCode(tx.customers.create(customer(3, { email: 'customer1@example.com' })), 'conflict');
      await expectCode(tx.notes.add({ id: 'n1', customerId: 'cus_404', author: { kind: 'staff', id: 'U1' }, body: 'x', createdAt: at(0) }), 'not_found');
      await tx.customers.create(customer(4));
    });
    expect((await repos.customers.getMany(['cus_002', 'cus_003', 'cus_004'])).map((c) => c.id)).toEqual(['cus_002', 'cus_004']);
  });

  it('re-runs a transaction that lost a deadlock, so both complete', async () => {
    await repos.customers.create(customer(1));
    await repos.customers.create(customer(2));
    let arrive: () => void = () => undefined;
    let waiting = 2;
    const bothLocked = new Promise<void>((r) => { arrive = () => { if (--waiting === 0) r(); }; });
    const runs = [0, 0];
    const cross = (i: 0 | 1, first: string, second: string) => repos.transaction(async (tx) => {
      runs[i]! += 1;
      await tx.customers.get(first); // locks `first` until commit
      if (runs[i] === 1) {
        arrive();
        await bothLocked;
      }
      await tx.customers.get(second);
      await tx.customers.setPasswordHash(first, `scrypt$${i}`, at(i));
      return i;
    });
    expect(await Promise.all([cross(0, 'cus_001', 'cus_002'), cross(1, 'cus_002', 'cus_001')])).toEqual([0, 1]);
    expect(runs.reduce((x, y) => x + y)).toBe(3); // the deadlock's victim ran twice
    expect((await repos.customers.get('cus_001'))?.passwordHash).toBe('scrypt$0');
    expect((await repos.customers.get('cus_002'))?.passwordHash).toBe('scrypt$1');
  });

  it('locks a record read inside a transaction until it commits (every repository\'s read of one record)', async () => {
    await seedCustomer(repos, 1);
    const t = await repos.tickets.create(newTicket());
    await repos.approvals.create(approval('apr_1', 'cus_001'));
    await repos.ledger.claim(ledgerEntry('ev_1'));
    await repos.conversations.touch('slack:a', { channel: 'slack', callerKind: 'anonymous', at: at(0) });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((r) => { entered = r; });
    const order: string[] = [];
    const tx = repos.transaction(async (r) => {
      const read = await Promise.all([
        r.customers.get('cus_001'), r.customers.getCard('card_1'), r.tickets.get(t.id), r.approvals.get('apr_1'), r.resetTokens.get('rst_x'),
        r.addressChanges.get('adr_x'), r.drafts.get('drf_x'), r.conversations.get('slack:a'), r.ledger.get('ev_1'), r.email.mailbox('INBOX'),
        r.email.decision('<x@y>'), r.email.thread('email:x'), r.outbox.get('out_x'),
      ]);
      expect(read.map((x) => x !== undefined)).toEqual([true, true, true, true, false, false, false, true, true, false, false, false, false]);
      entered();
      await gate;
      order.push('tx commits');
    });
    await inside;
    const writes = [
      repos.tickets.update(t.id, { status: 'in_progress' }).then(() => order.push('ticket written')),
      repos.approvals.decide('apr_1', 'pending', { status: 'denied', decidedBy: { kind: 'staff', id: 'U1' }, decidedAt: at(1) }).then(() => order.push('approval written')),
    ];
    await new Promise((r) => setTimeout(r, 150));
    order.push('released');
    release();
    await Promise.all([tx, ...writes]);
    expect(order.slice(0, 2)).toEqual(['released', 'tx commits']);
    expect(order.slice(2).sort()).toEqual(['approval written', 'ticket written']);
  });

  it('refuses the outer repositories and close() inside a transaction', async () => {
    await repos.transaction(async (tx) => {
      await expectCode(repos.customers.get('cus_001'), 'internal');
      await expectCode(repos.close(), 'internal');
      await expectCode(tx.close(), 'internal');
      await tx.ping();
    });
  });

  it('lets close() wait for calls in flight, then refuses new ones', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((r) => { entered = r; });
    const tx = repos.transaction(async (t) => {
      await t.customers.create(customer(1));
      entered();
      await gate;
      await t.customers.create(customer(2));
    });
    await inside;
    let closed = false;
    const closing = repos.close().then(() => { closed = true; });
    await expectCode(repos.ping(), 'unavailable');
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    release();
    await tx;
    await closing;
    expect(Number((await raw.query<{ n: string }>('SELECT count(*) AS n FROM customers')).rows[0]?.n)).toBe(2);
  });

  it('survives the server closing its idle connections (the pool error listener), and reconnects', async () => {
    await Promise.all([repos.ping(), repos.ping(), repos.ping()]);
    const killed = await raw.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    expect(killed.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    await repos.ping();
    await repos.customers.create(customer(1));
    expect(await repos.customers.get('cus_001')).toBeDefined();
  });

  it('reports an unreachable server as unavailable', async () => {
    const err = await createPostgresRepositories({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', log: silentLogger(), connectTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable'), String(err)).toBe(true);
  });

  it('answers customer search from the trigram index', async () => {
    for (let n = 1; n <= 30; n++) await repos.customers.create(customer(n));
    await raw.query('SET enable_seqscan = off');
    const plan = await raw.query(`EXPLAIN SELECT id FROM customers WHERE lower(id || ' ' || name || ' ' || email) LIKE $1`, ['%omer2%']);
    expect(plan.rows.map((r) => String(r['QUERY PLAN'])).join('\n')).toContain('customers_search_trgm_idx');
    expect((await repos.customers.search('omer2', 100)).map((c) => c.id)).toEqual(['cus_002', ...Array.from({ length: 10 }, (_, i) => `cus_0${20 + i}`)]);
  });

  it('keeps a transcript exactly as written and sizes it as JavaScript does', async () => {
    const messages = [{ role: 'user', content: 'naïve “quotes” 😀 \u0000 \n end' }, { z: 1, a: [1.5, null, { y: true }], role: 'assistant' }];
    const usage = { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheCreationTokens: 4 };
    await repos.conversations.saveTranscript('slack:x', { channel: 'slack', messages, usage, appliedMessageIds: ['m1'], at: at(1) });
    const stored = await repos.conversations.get('slack:x');
    expect(JSON.stringify(stored?.messages)).toBe(JSON.stringify(messages));
    expect((await repos.conversations.listLive(10))[0]?.chars).toBe(JSON.stringify(messages).length);
    expect(stored?.usage).toEqual(usage);
  });
  it('compacts a thread whose stored time has microseconds (written by SQL), and still refuses one written since', async () => {
    await raw.query(`INSERT INTO conversations (thread_key, channel, caller_kind, created_at, updated_at, messages, message_count, messages_chars)
      VALUES ('email:<old@x>', 'email', 'anonymous', '2026-01-01T10:00:00.123456Z', '2026-01-01T10:00:00.123456Z', '[{"role":"user","content":"hi"}]', 1, 32)`);
    const read = await repos.conversations.get('email:<old@x>');
    expect(read?.updatedAt).toBe('2026-01-01T10:00:00.123Z');
    // A millisecond later is a write since the read: no compaction.
    const later = await repos.conversations.compact('email:<old@x>', { summary: 'S', at: at(9), expectUpdatedAt: '2026-01-01T10:00:00.122Z' });
    expect(later.won).toBe(false);
    const won = await repos.conversations.compact('email:<old@x>', { summary: 'S', at: at(9), expectUpdatedAt: read!.updatedAt });
    expect(won.won).toBe(true);
    expect(won.record).toMatchObject({ messages: [], summary: 'S' });
  });
});
