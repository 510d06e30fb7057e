import { afterAll, beforeAll, describe } from 'vitest';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { runRepositoryConformance } from '../conformance/index.js';
import { databases, type Databases } from './engines.js';

/** The repository conformance suite on a real PostgreSQL server: a fresh database (from a migrated template) per test. */
describe.skipIf(!postgresAvailable())('PostgreSQL engine', () => {
  let server: Postgres | undefined;
  let dbs: Databases | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    dbs = await databases(server);
  });
  afterAll(async () => {
    await dbs?.close();
    await server?.stop();
  });

  runRepositoryConformance('postgres', async () => {
    if (!dbs) throw new Error('no server');
    const db = await dbs.fresh();
    const repos = await db.open();
    return { repos, close: () => db.drop() };
  });
});
