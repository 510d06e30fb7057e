import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '../../config/logger.js';
import { isAppError } from '../../errors.js';
import { runMigrations } from './migrate.js';

/**
 * `npm run db:migrate`: brings the PostgreSQL schema at DATABASE_URL (environment or `.env`) up to date.
 * Safe to run while instances start: the migration lock makes concurrent runs wait, and a current schema is a no-op.
 * Logs JSON on stderr (LOG_LEVEL). Exit codes: 0 current or migrated, 2 no DATABASE_URL, 1 migration failed.
 */
export async function runMigrateCli(env: Record<string, string | undefined>, log: Logger): Promise<number> {
  const databaseUrl = env['DATABASE_URL']?.trim();
  if (!databaseUrl) {
    log.error({}, 'DATABASE_URL is not set: nothing to migrate');
    return 2;
  }
  try {
    await runMigrations({ databaseUrl, log });
    return 0;
  } catch (err) {
    // runMigrations logged the cause; say what kind of failure it was.
    log.error({ code: isAppError(err) ? err.code : 'internal' }, 'db:migrate failed');
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const log = createLogger({ level: process.env['LOG_LEVEL'] ?? 'info', name: 'helpline-migrate' });
  process.exitCode = await runMigrateCli(process.env, log);
}
