import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { isAppError } from '../../src/errors.js';
import { createJsonRepositories } from '../../src/store/json/index.js';
import { type StoreDocument, TABLE_NAMES, COLLECTIONS } from '../../src/store/json/document.js';
import { readJsonStore } from '../../src/store/json/read-store.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { createPostgresRepositories } from '../../src/store/postgres/engine.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { dbSchema } from '../../src/store/schema.js';
import { runTransferCli } from '../../src/store/transfer/cli.js';
import { NOT_COPIED, copiedTables, exportFromPostgres, importIntoPostgres } from '../../src/store/transfer/index.js';
import { postgresAvailable, startPostgres, type Postgres } from '../helpers/postgres.js';
import {
  addressChange, approval, at, auditEntry, draft, ledgerEntry, newTicket, note, outboxItem, quarantineEntry, resetToken, seedCustomer, transaction,
} from './conformance/fixtures.js';

const SEED = 'data/seed.json';
const log = silentLogger();
const seedDb = dbSchema.parse(JSON.parse(readFileSync(SEED, 'utf8')));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Each collection's rows sorted by key: documents compared modulo row order. */
function byKey(doc: StoreDocument): Record<string, unknown> {
  const out: Record<string, unknown> = { ticketSeq: doc.ticketSeq };
  for (const name of TABLE_NAMES) {
    const key = COLLECTIONS[name].key as (r: unknown) => string;
    out[name] = [...(doc[name] as unknown[])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return out;
}

/** At least one row in every collection, written through the JSON engine's ports. */
async function fillEveryCollection(repos: Repositories): Promise<void> {
  const c = await seedCustomer(repos, 901, { slackUserId: 'U0FILL00901', phone: '+1 555 0100' });
  await repos.customers.addTransaction(transaction('txn_fill_1', 'acc_901', at(-10)));
  await repos.customers.deactivateCard('card_901', at(-5));
  const t = await repos.tickets.create(newTicket({ customerId: c.id, threadKey: 'slack:T1:C1:9.0', messages: [
    { id: 'msg_fill_1', at: at(0), author: { kind: 'customer', id: c.id }, visibility: 'public', body: 'card lost' },
  ] }));
  await repos.tickets.update(t.id, { status: 'resolved', updatedAt: at(5), resolvedAt: at(5), firstResponseAt: at(2),
    addMessages: [{ id: 'msg_fill_2', at: at(2), author: { kind: 'staff', id: 'U_STAFF' }, visibility: 'internal', body: 'blocked' }],
    addHistory: [{ at: at(5), from: 'open', to: 'resolved', by: { kind: 'staff', id: 'U_STAFF' }, note: 'done' }] });
  await repos.notes.add(note('note_fill_1', c.id, at(1), { ticketId: t.id }));
  await repos.approvals.create(approval('apr_fill_1', c.id, { requester: { id: 'U0FILL00901', email: 'x@example.com' }, channel: 'slack' }));
  await repos.approvals.create(approval('apr_fill_2', c.id, { action: 'card_deactivation', cardId: 'card_901', status: 'approved',
    decidedBy: { kind: 'staff', id: 'U_BOSS' }, decidedAt: at(3), executedAt: at(4), outcome: 'done', staffMessage: { channel: 'C9', ts: '1.2' } }));
  await repos.resetTokens.add(resetToken('rst_fill_1', c.id, { approvalId: 'apr_fill_1', usedAt: at(10) }));
  await repos.addressChanges.create(addressChange('adr_fill_1', c.id, { channel: 'email', threadKey: 'email:<a@x>' }));
  await repos.drafts.create(draft('drf_fill_1', { threadKey: 'slack:T1:C2:1.0', input: { customerId: c.id, body: 'hello', nested: { n: [1, 2] } } }));
  await repos.audit.append(auditEntry('aud_fill_1', c.id, { details: { from: 'a', n: 2 } }));
  await repos.conversations.touch('slack:T1:C1:9.0', { channel: 'slack', callerKind: 'customer', customerId: c.id, meta: { slack: { ts: '9.0' } }, at: at(0) });
  await repos.conversations.saveTranscript('slack:T1:C1:9.0', { channel: 'slack', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'text', text: 'hello' }] }],
    summary: 'earlier', usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 1, cacheCreationTokens: 2 }, appliedMessageIds: ['m1'], at: at(1) });
  await repos.ledger.claim(ledgerEntry('in_fill_1'));
  await repos.ledger.claim(ledgerEntry('in_fill_2', { status: 'done', reason: 'answered', message: undefined }));
  await repos.email.resetMailbox('INBOX', { uidValidity: '7', lastUid: 3, at: at(0) });
  await repos.email.resetMailbox('INBOX', { uidValidity: '8', lastUid: 4, at: at(1) });
  await repos.email.recordDecision({ messageId: '<m1@x>', decision: 'replied', reason: 'ok', uid: 4, uidValidity: '8', from: 'a@x.org', threadKey: 'email:<m1@x>', at: at(1) });
  await repos.email.putThread({ threadKey: 'email:<m1@x>', customerEmail: 'a@x.org', subject: 'Help', lastInboundId: '<m1@x>', references: ['<m0@x>', '<m1@x>'], createdAt: at(0), updatedAt: at(1) });
  await repos.email.indexMessageId({ messageId: '<m1@x>', threadKey: 'email:<m1@x>', dir: 'in', at: at(1) });
  await repos.emailLimits.markUndeliverable({ address: 'bounce@x.org', until: at(60), reason: '550' });
  await repos.emailLimits.takeReplyBudget([{ key: 'sender:a@x.org', limit: 5 }, { key: 'thread:email:<m1@x>', limit: 5 }], at(-60), at(1));
  await repos.emailLimits.takeReplyBudget([{ key: 'sender:a@x.org', limit: 5 }], at(-60), at(2));
  await repos.emailLimits.claimBudgetAlert('sender:a@x.org', at(60), at(2));
  await repos.outbox.enqueue(outboxItem('out_fill_1', {}, { sourceId: 'in_fill_1', replyKind: 'reply', references: ['<m0@x>'], inReplyTo: '<m1@x>', html: '<p>Hello</p>' }));
  await repos.outbox.enqueue(outboxItem('out_fill_2', { threadKey: 'email:<other@x>' }, { kind: 'system', messageId: '<our@x>' }));
  await repos.outbox.claimDue({ now: at(1), limit: 10, holder: 'sender-1', leaseMs: 60_000 });
  await repos.quarantine.add(quarantineEntry('q_fill_1', { details: { size: 99 } }));
  await repos.slack.joinThread('C1:9.0', at(0));
  await repos.slack.recordPosted('C1:9.0:0', '9.1', at(1));
  await repos.leases.acquire('imap-poller', 'host-a:1', 60_000);
  await repos.apiKeys.create({ id: 'key_fill_1', name: 'shop backend', scopes: ['chat:act-as-customer', 'tokens:mint'], secretHash: 'c'.repeat(64), createdAt: at(0) });
  await repos.apiKeys.create({ id: 'key_fill_2', name: 'old app', scopes: ['tokens:mint'], secretHash: 'd'.repeat(64), createdAt: at(1), revokedAt: at(2) });
}

/** The demo customers' data and tickets as two engines' ports return them. */
async function portView(repos: Repositories) {
  const customers = [];
  for (const c of seedDb.customers) {
    const accounts = await repos.customers.accountsOf(c.id);
    customers.push({
      customer: await repos.customers.get(c.id), accounts, cards: await repos.customers.cardsOf(c.id), notes: await repos.notes.listForCustomer(c.id, 1000),
      transactions: await repos.customers.transactions({ accountIds: accounts.map((a) => a.id), limit: 1000 }),
    });
  }
  const tickets = await Promise.all(seedDb.tickets.map((t) => repos.tickets.get(t.id)));
  return { customers, tickets, byStatus: await repos.tickets.countBy('status') };
}

describe.skipIf(!postgresAvailable())('moving data between the JSON and PostgreSQL engines', () => {
  let server: Postgres;
  let dir: string;
  const opened: Repositories[] = [];
  const openPg = async (databaseUrl: string) => {
    const repos = await createPostgresRepositories({ databaseUrl, log });
    opened.push(repos);
    return repos;
  };
  const countsOf = (r: { tables: Array<{ table: string; database: number }> }) => Object.fromEntries(r.tables.map((t) => [t.table, t.database]));
  const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err);

  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'helpline-transfer-'));
  });
  afterAll(async () => {
    for (const r of opened) await r.close().catch(() => undefined);
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the demo seed (an old whole-database file) without touching it; the ports serve the same data', async () => {
    const url = await server.createDatabase();
    const before = sha(SEED);
    const r = await importIntoPostgres({ source: SEED, databaseUrl: url, log });
    expect(sha(SEED)).toBe(before);
    expect(existsSync(`${SEED}.lock`) || existsSync(`${SEED}.journal`)).toBe(false);
    expect(r.legacy).toBe(true);
    for (const t of r.tables) expect(t.database, t.table).toBe(t.file);
    expect(countsOf(r)).toMatchObject({
      customers: seedDb.customers.length, accounts: seedDb.accounts.length, cards: seedDb.cards.length, transactions: seedDb.transactions.length,
      tickets: seedDb.tickets.length, notes: seedDb.notes.length, ticket_messages: seedDb.tickets.reduce((n, t) => n + t.messages.length, 0),
    });

    const repos = await openPg(url);
    expect(await portView(repos)).toEqual(await portView(createMemoryRepositories(seedDb)));
    expect(await repos.customers.findByEmail('ada.lovelace@example.com')).toMatchObject({ id: 'cus_001' });

    // New tickets are numbered above the imported ones (the seed's counter is 1014).
    expect(r.nextTicket).toBe(1014);
    expect((await repos.tickets.create(newTicket())).id).toBe('T-1014');
  });

  it('is idempotent: a second import finds the same rows and leaves the same database', async () => {
    const url = await server.createDatabase();
    const first = await importIntoPostgres({ source: SEED, databaseUrl: url, log });
    const once = join(dir, 'once.json');
    await exportFromPostgres({ databaseUrl: url, file: once, log });
    // The second time on a pool of the caller's (left open).
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const twice = join(dir, 'twice.json');
    const second = await importIntoPostgres({ source: SEED, pool, log });
    await exportFromPostgres({ pool, file: twice, log });
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pool.end();
    expect(second.tables).toEqual(first.tables);
    expect(readFileSync(twice, 'utf8')).toBe(readFileSync(once, 'utf8'));
  });

  it('a re-import after the JSON store changed brings the changed rows over', async () => {
    const file = join(dir, 'changing.json');
    const json = await createJsonRepositories({ file, seedFile: SEED, log });
    await json.drafts.create(draft('drf_change', { input: { customerId: 'cus_001', body: 'first' } }));
    await json.close();
    const url = await server.createDatabase();
    await importIntoPostgres({ source: file, databaseUrl: url, log });

    const again = await createJsonRepositories({ file, log });
    await again.customers.setAddress('cus_001', { line1: '1 New Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' });
    await again.tickets.update('T-1001', { status: 'closed', updatedAt: at(1), closedAt: at(1),
      addHistory: [{ at: at(1), from: null, to: 'closed', by: { kind: 'staff', id: 'U_STAFF' } }] });
    await again.drafts.transition('drf_change', 'pending', { status: 'sending', decidedBy: { kind: 'staff', id: 'U_STAFF' }, decidedAt: at(1) });
    await again.drafts.transition('drf_change', 'sending', { status: 'sent', outcome: 'posted' });
    const added = await again.tickets.create(newTicket({ subject: 'Added later' }));
    await again.close();
    // Skipped straight from pending to sent (the drafts trigger allows one step at a time): replaced, not updated.
    const r = await importIntoPostgres({ source: file, databaseUrl: url, log });
    expect(countsOf(r)['tickets']).toBe(seedDb.tickets.length + 1);

    const repos = await openPg(url);
    expect((await repos.customers.get('cus_001'))?.address).toEqual({ line1: '1 New Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' });
    const t1001 = await repos.tickets.get('T-1001');
    expect(t1001?.status).toBe('closed');
    expect(t1001?.history.at(-1)?.to).toBe('closed');
    expect(await repos.drafts.get('drf_change')).toMatchObject({ status: 'sent', outcome: 'posted' });
    expect((await repos.tickets.get(added.id))?.subject).toBe('Added later');
    // The sequence is past the ticket the JSON engine added.
    expect(Number((await repos.tickets.create(newTicket())).id.slice(2))).toBe(Number(added.id.slice(2)) + 1);
  });

  it('exports a JSON store that the JSON engine opens and serves with the same data', async () => {
    const url = await server.createDatabase();
    await importIntoPostgres({ source: SEED, databaseUrl: url, log });
    const pgRepos = await openPg(url);
    const file = join(dir, 'exported.json');
    const r = await exportFromPostgres({ databaseUrl: url, file, log });
    for (const t of r.tables) expect(t.file, t.table).toBe(t.database);

    const json = await createJsonRepositories({ file, log });
    try {
      expect(await portView(json)).toEqual(await portView(pgRepos));
      expect((await json.tickets.create(newTicket())).id).toBe('T-1014');
    } finally {
      await json.close();
    }
  });

  it('a round trip JSON → PostgreSQL → JSON keeps every collection', async () => {
    const file = join(dir, 'full.json');
    const json = await createJsonRepositories({ file, seedFile: SEED, log });
    await fillEveryCollection(json);
    await json.close();
    const source = (await readJsonStore(file)).doc;
    for (const name of TABLE_NAMES) expect(source[name].length, name).toBeGreaterThan(0);

    const url = await server.createDatabase();
    const imported = await importIntoPostgres({ source: file, databaseUrl: url, log });
    for (const t of imported.tables) expect(t.database, t.table).toBe(t.file);
    const out = join(dir, 'full-out.json');
    await exportFromPostgres({ databaseUrl: url, file: out, log });
    expect(byKey((await readJsonStore(out)).doc)).toEqual(byKey(source));
  });

  it('covers every product table of the schema', async () => {
    const url = await server.createDatabase();
    await importIntoPostgres({ source: SEED, databaseUrl: url, log });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
      expect(r.rows.map((x) => x.name).sort()).toEqual([...new Set([...copiedTables(), ...NOT_COPIED])].sort());
    } finally {
      await client.end();
    }
  });

  it('a missing or corrupt source file is a clear error and leaves the database unchanged', async () => {
    const url = await server.createDatabase();
    const missing = await failure(importIntoPostgres({ source: join(dir, 'nope.json'), databaseUrl: url, log }));
    expect(isAppError(missing, 'store_io') && missing.message).toMatch(/does not exist/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Not even migrated: the file is read before the database is touched.
      expect((await client.query(`SELECT to_regclass('helpline_migrations') AS t`)).rows[0].t).toBeNull();
      await importIntoPostgres({ source: SEED, databaseUrl: url, log });
      const count = async () => (await client.query(`SELECT (SELECT count(*) FROM customers)::int AS c, (SELECT count(*) FROM tickets)::int AS t`)).rows[0];
      const before = await count();

      const torn = join(dir, 'torn.json');
      writeFileSync(torn, readFileSync(SEED, 'utf8').slice(0, 5000));
      const corrupt = await failure(importIntoPostgres({ source: torn, databaseUrl: url, log }));
      expect(isAppError(corrupt, 'store_corrupt') && corrupt.message).toMatch(/not valid JSON/);

      // Valid for the JSON engine, refused by PostgreSQL half-way: the whole import is rolled back, the row is named.
      const doc = (await readJsonStore(SEED)).doc;
      const bad = join(dir, 'bad-row.json');
      writeFileSync(bad, JSON.stringify({ ...doc, customers: doc.customers.map((c) => (c.id === 'cus_001' ? { ...c, name: 'Changed' } : c)),
        decisions: [{ messageId: '<m@x>', decision: 'ignored', reason: '', uid: 1, uidValidity: 'not-a-number', at: at(0) }] }));
      const refused = await failure(importIntoPostgres({ source: bad, databaseUrl: url, log }));
      expect(isAppError(refused, 'bad_input') && refused.message).toMatch(/email_ledger row 1 \(<m@x>\) from "decisions" was refused/);
      expect(await count()).toEqual(before);
      expect((await client.query(`SELECT name FROM customers WHERE id = 'cus_001'`)).rows[0].name).toBe('Ada Lovelace');
    } finally {
      await client.end();
    }
  });

  it('refuses a database that holds rows the file does not, and changes nothing', async () => {
    const url = await server.createDatabase();
    await importIntoPostgres({ source: SEED, databaseUrl: url, log });
    const repos = await openPg(url);
    const made = await repos.tickets.create(newTicket({ subject: 'Made in PostgreSQL' }));
    const err = await failure(importIntoPostgres({ source: SEED, databaseUrl: url, log }));
    expect(isAppError(err, 'conflict') && err.message).toMatch(/tickets: file 13, database 14/);
    expect((await repos.tickets.get(made.id))?.subject).toBe('Made in PostgreSQL');
  });

  it('export refuses to overwrite a file unless forced, and a forced export drops the old journal', async () => {
    const url = await server.createDatabase();
    await importIntoPostgres({ source: SEED, databaseUrl: url, log });
    const file = join(dir, 'taken.json');
    writeFileSync(file, '{}');
    writeFileSync(`${file}.journal`, '{"seq":1}\n');
    const err = await failure(exportFromPostgres({ databaseUrl: url, file, log }));
    expect(isAppError(err, 'conflict')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{}');
    await exportFromPostgres({ databaseUrl: url, file, log, force: true });
    expect(existsSync(`${file}.journal`)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect((await readJsonStore(file)).doc.customers).toHaveLength(seedDb.customers.length);

    // Not even forced over a store a running JSON engine holds.
    const live = await createJsonRepositories({ file, log });
    try {
      const locked = await failure(exportFromPostgres({ databaseUrl: url, file, log, force: true }));
      expect(isAppError(locked, 'store_locked')).toBe(true);
    } finally {
      await live.close();
    }
  });

  it('an empty database exports an empty store that numbers tickets from T-1001', async () => {
    const url = await server.createDatabase();
    await createPostgresRepositories({ databaseUrl: url, log }).then((r) => r.close());
    const file = join(dir, 'empty.json');
    const r = await exportFromPostgres({ databaseUrl: url, file, log });
    expect(r.tables.every((t) => t.file === 0 && t.database === 0)).toBe(true);
    const json = await createJsonRepositories({ file, log });
    try {
      expect((await json.tickets.create(newTicket())).id).toBe('T-1001');
    } finally {
      await json.close();
    }
    const unmigrated = await failure(exportFromPostgres({ databaseUrl: await server.createDatabase(), file: join(dir, 'none.json'), log }));
    expect(isAppError(unmigrated, 'config') && unmigrated.message).toMatch(/db:migrate/);
  });

  it('the CLI imports (as a child process) and exports, and says when there is no database', async () => {
    const url = await server.createDatabase();
    const child = spawnSync('npx', ['tsx', 'src/store/transfer/cli.ts', 'import', SEED, '--database-url', url],
      { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '' }, timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/^customers\s+26\s+26$/m);
    expect(child.stdout).toMatch(/Next ticket: T-1014/);

    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const file = join(dir, 'cli-export.json');
    expect(await runTransferCli(['export', file], { DATABASE_URL: url }, log, io)).toBe(0);
    expect(out.join('\n')).toMatch(/^ticket_messages\s+\d+\s+\d+$/m);
    expect(await runTransferCli(['export', file], { DATABASE_URL: url }, log, io)).toBe(1);
    expect(err.join('\n')).toMatch(/db:export failed \(conflict\)/);
    expect(await runTransferCli(['import', SEED], {}, log, io)).toBe(1);
    expect(err.join('\n')).toMatch(/No database: set DATABASE_URL/);
    expect(await runTransferCli(['import'], { DATABASE_URL: url }, log, io)).toBe(1);
  });
});
