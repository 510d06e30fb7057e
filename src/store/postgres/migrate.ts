import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runner, type RunnerOption } from 'node-pg-migrate';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../../config/logger.js';
import { AppError } from '../../errors.js';

/** The table node-pg-migrate records applied migrations in. */
export const MIGRATIONS_TABLE = 'helpline_migrations';

/**
 * Advisory-lock key held while migrating, so instances starting together migrate once: the others wait for
 * it, then find nothing left to do. Helpline's own key (not node-pg-migrate's shared default), so another
 * application migrating the same database does not hold Helpline up.
 */
export const MIGRATION_LOCK_KEY = 0x48_454c_50; // 'HELP'

/**
 * The SQL migrations sit next to this module: `src/store/postgres/migrations/` when run from source (tsx,
 * vitest) and `dist/store/postgres/migrations/` when run compiled. tsc copies no .sql files, so the `build`
 * script copies the folder into dist after compiling (`build:assets`); resolving it relative to this file (not
 * to the working directory) keeps both working from any cwd. `runMigrations` refuses a folder without
 * migrations rather than report an empty database as up to date.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface RunMigrationsOptions {
  /** Either a connection string (a client is opened and closed here) or a pool to borrow one client from. */
  databaseUrl?: string | undefined;
  pool?: Pool | undefined;
  log: Logger;
  /** Defaults to MIGRATIONS_DIR. */
  dir?: string | undefined;
  connectTimeoutMs?: number | undefined;
}

export interface MigrationResult {
  /** Names of the migrations applied by this call (empty: the schema was already current). */
  applied: string[];
}

function migrationFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new AppError('config', `The database migrations folder ${dir} cannot be read (was the build's SQL copy step skipped?).`, undefined, { cause: err });
  }
  const sql = names.filter((n) => n.endsWith('.sql'));
  if (sql.length === 0) throw new AppError('config', `The database migrations folder ${dir} holds no .sql migrations.`);
  return sql;
}

/** node-pg-migrate logs a failing migration's whole SQL: keep its start and the end (where the error is). */
function clip(msg: string): string {
  return msg.length <= 3000 ? msg : `${msg.slice(0, 500)}\n…\n${msg.slice(-2000)}`;
}

function runnerLogger(log: Logger): NonNullable<RunnerOption['logger']> {
  const child = log.child({ component: 'migrate' });
  return {
    debug: (msg: string) => child.debug({}, clip(msg)),
    info: (msg: string) => child.info({}, clip(msg)),
    warn: (msg: string) => child.warn({}, clip(msg)),
    error: (msg: string) => child.error({}, clip(msg)),
  };
}

/**
 * Bring the database schema up to date: every pending migration, in order, in one transaction, under an
 * advisory lock (`wait` mode: a second instance blocks until the first is done, then applies nothing).
 */
export async function runMigrations(opts: RunMigrationsOptions): Promise<MigrationResult> {
  if (!opts.databaseUrl === !opts.pool) throw new AppError('bad_input', 'runMigrations needs exactly one of databaseUrl or pool.');
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const files = migrationFiles(dir);
  const common = {
    dir,
    // Only *.sql (and no dotfiles): a README or editor backup in the folder must not be run as a migration.
    ignorePattern: '(?:\\..*|.*(?<!\\.sql))',
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up' as const,
    singleTransaction: true,
    checkOrder: true,
    lockValue: MIGRATION_LOCK_KEY,
    advisoryLockMode: 'wait' as const,
    logger: runnerLogger(opts.log),
  };
  const started = Date.now();
  const client = opts.pool ? await connect(opts.pool) : undefined;
  let broken = false;
  try {
    const ran = client
      ? await runner({ ...common, dbClient: client })
      : await runner({ ...common, databaseUrl: { connectionString: opts.databaseUrl as string, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000 } });
    const applied = ran.map((m) => m.name);
    opts.log.info({ applied, available: files.length, ms: Date.now() - started }, applied.length > 0 ? 'database migrated' : 'database schema is current');
    return { applied };
  } catch (err) {
    broken = true;
    const e = failure(err);
    opts.log.error({ code: e.code, err: e.message }, 'database migration failed');
    throw e;
  } finally {
    // A client that failed mid-migration is not handed back to the pool for reuse.
    client?.release(broken);
  }
}

/** Could not reach or log in to the server (errno codes, SQLSTATE classes 08 and 28, 57P03 starting up). */
function unreachable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err instanceof Error && /timeout|terminated/i.test(err.message);
  return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('28') || code === '57P03';
}

function failure(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return unreachable(err)
    ? new AppError('unavailable', `Cannot connect to the database: ${message}`, undefined, { cause: err })
    : new AppError('store_io', `Database migration failed: ${message}`, undefined, { cause: err });
}

async function connect(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw failure(err);
  }
}
