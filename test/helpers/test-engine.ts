/**
 * The engine business-rule tests run on. Memory by default; `HELPLINE_TEST_ENGINE=postgres` (the `postgres` vitest
 * project, which runs the support tests a second time in the same `npm test`) gives each call a fresh database on a
 * throwaway PostgreSQL server (one per test file), filled from the same fixture through `importIntoPostgres`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/config/logger.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { createPostgresRepositories } from '../../src/store/postgres/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import type { Db } from '../../src/store/schema.js';
import { importIntoPostgres } from '../../src/store/transfer/index.js';
import { startPostgres, type Postgres } from './postgres.js';

export const TEST_ENGINE: 'memory' | 'postgres' = process.env['HELPLINE_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'memory';

// Test-process state: one server per test file (a vitest worker), the repositories opened for the current test.
let server: Promise<Postgres> | undefined;
const opened: Repositories[] = [];

export async function reposFor(db: Db): Promise<Repositories> {
  if (TEST_ENGINE === 'memory') return createMemoryRepositories(db);
  server ??= startPostgres();
  const databaseUrl = await (await server).createDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'helpline-fixture-'));
  try {
    const source = join(dir, 'db.json');
    await writeFile(source, JSON.stringify(db));
    await importIntoPostgres({ source, databaseUrl, log: silentLogger() });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const repos = await createPostgresRepositories({ databaseUrl, log: silentLogger(), migrate: false, poolSize: 4 });
  opened.push(repos);
  return repos;
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
  if (s) await (await s).stop();
}
