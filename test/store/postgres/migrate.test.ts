import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { isAppError } from '../../../src/errors.js';
import { runMigrateCli } from '../../../src/store/postgres/migrate-cli.js';
import { MIGRATION_LOCK_KEY, MIGRATIONS_DIR, MIGRATIONS_TABLE, runMigrations } from '../../../src/store/postgres/migrate.js';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';

const log = silentLogger();

const TABLES = [
  'accounts', 'address_changes', 'api_keys', 'approvals', 'audit_log', 'cards', 'conversations', 'customers', 'drafts',
  'email_budget_alerts', 'email_budget_keys', 'email_ledger', 'email_mailboxes', 'email_message_ids', 'email_reply_budget', 'email_threads',
  'email_undeliverable', 'helpline_migrations', 'inbound_ledger', 'leases', 'notes', 'outbox', 'quarantine', 'reset_tokens',
  'slack_posted', 'slack_threads', 'thread_event_bodies', 'thread_watchers', 'ticket_history', 'ticket_messages', 'tickets', 'transactions',
];
/** Every migration, in order. */
const ALL = ['0001_initial-schema', '0002_repositories', '0003_dev-mailbox', '0004_card-freeze', '0005_ticket-delivery', '0006_web-api-keys', '0007_link-secrets', '0008_thread-event-relay'];

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const tablesOf = (url: string) => withClient(url, async (c) =>
  (await c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', ['public'])).rows.map((r) => r.table_name));

const appliedRows = (url: string) => withClient(url, async (c) =>
  (await c.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).rows.map((r) => r.name));

describe('runMigrations without a server', () => {
  it('refuses a missing folder or one without .sql migrations, rather than call an empty database current', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-migrations-'));
    try {
      writeFileSync(join(dir, 'README.md'), 'not a migration');
      for (const d of [dir, join(dir, 'missing')]) {
        const err = await runMigrations({ databaseUrl: 'postgres://127.0.0.1:1/x', log, dir: d }).catch((e: unknown) => e);
        expect(isAppError(err, 'config'), String(err)).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs exactly one of databaseUrl and pool, and reports an unreachable server as unavailable', async () => {
    expect(isAppError(await runMigrations({ log }).catch((e: unknown) => e), 'bad_input')).toBe(true);
    const err = await runMigrations({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', log, connectTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable'), String(err)).toBe(true);
  });

  it('finds its migrations next to the module (copied there in dist by the build)', () => {
    expect(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'))).toContain('0001_initial-schema.sql');
  });

  it('db:migrate without DATABASE_URL exits 2', async () => {
    expect(await runMigrateCli({}, log)).toBe(2);
  });
});

describe.skipIf(!postgresAvailable())('runMigrations on a real PostgreSQL server', () => {
  let server: Postgres;
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });

  it('creates every table on an empty database, then does nothing the second time', async () => {
    const url = await server.createDatabase();
    expect(await runMigrations({ databaseUrl: url, log })).toEqual({ applied: ALL });
    expect(await tablesOf(url)).toEqual(TABLES);
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => {}); // a connection still closing when the server stops
    try {
      expect(await runMigrations({ pool, log })).toEqual({ applied: [] });
      expect(pool.totalCount - pool.idleCount).toBe(0); // the borrowed client went back
    } finally {
      await pool.end();
    }
    expect(await appliedRows(url)).toEqual(ALL);
  });

  it('instances starting together migrate once: the others wait for the lock and find nothing to do', async () => {
    const url = await server.createDatabase();
    const results = await Promise.all([1, 2, 3].map(() => runMigrations({ databaseUrl: url, log })));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, ALL.length]);
    expect(await appliedRows(url)).toEqual(ALL);
    expect(await tablesOf(url)).toEqual(TABLES);
  });

  it('db:migrate applies the schema from DATABASE_URL', async () => {
    const url = await server.createDatabase();
    expect(await runMigrateCli({ DATABASE_URL: url }, log)).toBe(0);
    expect(await appliedRows(url)).toEqual(ALL);
  });

  it('the down migration removes everything it created, and the schema applies again after it', async () => {
    const url = await server.createDatabase();
    await runMigrations({ databaseUrl: url, log });
    await runner({
      databaseUrl: url, dir: MIGRATIONS_DIR, migrationsTable: MIGRATIONS_TABLE, direction: 'down', count: Infinity,
      singleTransaction: true, lockValue: MIGRATION_LOCK_KEY, log: () => {},
    });
    expect(await tablesOf(url)).toEqual(['helpline_migrations']);
    const leftovers = await withClient(url, async (c) => (await c.query(
      `SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typtype = 'd'
       UNION ALL SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
       UNION ALL SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'S'`,
      ['public'],
    )).rows);
    expect(leftovers.map((r) => (r as Record<string, unknown>)['typname'])).toEqual(['helpline_migrations_id_seq']);
    expect(await runMigrations({ databaseUrl: url, log })).toEqual({ applied: ALL });
  });
});
