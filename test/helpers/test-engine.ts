/**
 * The engine business-rule and channel tests run on. Memory by default; `HELPLINE_TEST_ENGINE=postgres` (the
 * `postgres` vitest project, which runs the support, channel and conversation tests a second time in the same
 * `npm test`) gives each call a fresh database on a throwaway PostgreSQL server (one per test file), filled from the
 * same fixture through `importIntoPostgres`. Each distinct fixture is migrated and imported once per server, into a
 * template database; every call then copies it (`CREATE DATABASE … TEMPLATE`), which is what makes a fresh database
 * per test affordable (figures: docs/data-layer.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { silentLogger } from '../../src/config/logger.js';
import { createMemoryRepositories, type MemoryRepositories, type MemorySnapshot } from '../../src/store/memory/index.js';
import { createPostgresRepositories } from '../../src/store/postgres/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { emptyDb, type Db } from '../../src/store/schema.js';
import { importIntoPostgres } from '../../src/store/transfer/index.js';
import { readDocument } from '../../src/store/transfer/read-postgres.js';
import { startPostgres, type Postgres } from './postgres.js';

export const TEST_ENGINE: 'memory' | 'postgres' = process.env['HELPLINE_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'memory';

// Test-process state: one server per test file (a vitest worker), the repositories opened for the current test.
let server: Promise<Postgres> | undefined;
const opened: Repositories[] = [];
const urls = new WeakMap<Repositories, string>();
/** Template database per fixture (its JSON), on the current server. */
let templates = new Map<string, Promise<string>>();

async function fill(databaseUrl: string, db: Db): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'helpline-fixture-'));
  try {
    const source = join(dir, 'db.json');
    await writeFile(source, JSON.stringify(db));
    await importIntoPostgres({ source, databaseUrl, log: silentLogger() });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Repositories holding `db` (default: empty) on the test engine; on PostgreSQL a database of their own. */
export async function reposFor(db: Db = emptyDb()): Promise<Repositories> {
  if (TEST_ENGINE === 'memory') return createMemoryRepositories(db);
  server ??= startPostgres();
  const pgServer = await server;
  const key = JSON.stringify(db);
  let template = templates.get(key);
  if (!template) {
    const name = `fixture_${templates.size + 1}`;
    template = pgServer.createDatabase(name).then(async (url) => { await fill(url, db); return name; });
    templates.set(key, template);
  }
  const databaseUrl = await pgServer.createDatabase(undefined, { template: await template });
  const repos = await createPostgresRepositories({ databaseUrl, log: silentLogger(), migrate: false, poolSize: 4 });
  urls.set(repos, databaseUrl);
  opened.push(repos);
  return repos;
}

/**
 * Every table's rows, now, on either engine (assertions that look at everything: "nothing changed", "no secret
 * stored anywhere"). Repositories from `reposFor` only.
 */
export async function storedRows(repos: Repositories): Promise<MemorySnapshot> {
  if ('snapshot' in repos) return (repos as MemoryRepositories).snapshot();
  const url = urls.get(repos);
  if (!url) throw new Error('storedRows: repositories not opened by reposFor');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { version: _v, journalSeq: _j, ticketSeq: _t, ...rows } = await readDocument(client);
    await client.query('COMMIT');
    return rows;
  } finally {
    await client.end();
  }
}

let mark = 0;

/** Before each test: what opens from here on belongs to the test (what a beforeAll opened lives to the end). */
export function markTest(): void {
  mark = opened.length;
}

/** Close what the test opened (the postgres project's afterEach). */
export async function closeTestRepos(): Promise<void> {
  for (const r of opened.splice(mark)) await r.close().catch(() => undefined);
}

/** After the file: close everything and stop the server. */
export async function stopTestServer(): Promise<void> {
  mark = 0;
  await closeTestRepos();
  const s = server;
  server = undefined;
  templates = new Map();
  if (s) await (await s).stop();
}
