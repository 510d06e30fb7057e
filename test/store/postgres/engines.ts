/**
 * PostgreSQL engines for tests: one migrated template database per server, and a fresh database copied from it for
 * every engine (CREATE DATABASE … TEMPLATE: a file copy, much faster than migrating each time), dropped again when
 * the test is done with it.
 */
import pg from 'pg';
import { silentLogger } from '../../../src/config/logger.js';
import { createPostgresRepositories } from '../../../src/store/postgres/engine.js';
import { runMigrations } from '../../../src/store/postgres/migrate.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import type { Postgres } from '../../helpers/postgres.js';

export interface TestDatabase {
  url: string;
  /** Open an engine on this database (several engines = several instances). */
  open(opts?: { poolSize?: number }): Promise<Repositories>;
  /** Close the engines opened here and drop the database. */
  drop(): Promise<void>;
}

export interface Databases {
  fresh(): Promise<TestDatabase>;
  /** A client on the server's `postgres` database (administration, raw checks). */
  admin: pg.Client;
  close(): Promise<void>;
}

const TEMPLATE = 'helpline_template';

export async function databases(server: Postgres): Promise<Databases> {
  await runMigrations({ databaseUrl: await server.createDatabase(TEMPLATE), log: silentLogger() });
  const admin = new pg.Client({ connectionString: server.url });
  admin.on('error', () => {});
  await admin.connect();
  let made = 0;

  async function createFromTemplate(name: string): Promise<void> {
    // Names are made here (letters, digits, _), never from input; an identifier cannot be a parameter.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
        return;
      } catch (err) {
        // The template may still have a closing connection from the migration.
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  return {
    admin,
    async fresh() {
      const name = `engine_${++made}`;
      await createFromTemplate(name);
      const url = `postgres://postgres@127.0.0.1:${server.port}/${name}`;
      const engines: Repositories[] = [];
      return {
        url,
        async open(opts = {}) {
          const repos = await createPostgresRepositories({ databaseUrl: url, log: silentLogger(), poolSize: opts.poolSize });
          engines.push(repos);
          return repos;
        },
        async drop() {
          for (const e of engines) await e.close();
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        },
      };
    },
    async close() {
      await admin.end();
    },
  };
}
