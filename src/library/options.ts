/**
 * What `createHelpline` takes, and the app configuration it makes of it. Nothing is read from process.env unless
 * passed in `env`: embedding code decides what runs (no terminal, no Slack or email, no HTTP server by default).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelPort } from '../agent/index.js';
import { loadConfig, type Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { createMemoryRepositories } from '../store/memory/index.js';
import type { Repositories } from '../store/repos/index.js';
import { dbSchema } from '../store/schema.js';

/** The package's own folder (from src/library or dist/library alike): where the bundled demo data lives. */
const packageFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export interface HelplineOptions {
  /** Claude answers with this key; without one, the offline assistant (no network). */
  anthropicApiKey?: string | undefined;
  /** Keep the data in this JSON file (created from the seed on first use). Default: in memory, nothing written. */
  dataFile?: string | undefined;
  /** Keep the data in PostgreSQL (migrated on open). Takes precedence over `dataFile`. */
  databaseUrl?: string | undefined;
  /** The demo data to start from (default: the bundled data/seed.json). */
  seedFile?: string | undefined;
  /** The knowledge base folder (default: the bundled data/kb). */
  kbDir?: string | undefined;
  /**
   * Further settings as environment variables (see README "Configuration"), e.g. SLACK_* or EMAIL_IMAP_* to run those
   * channels too, HTTP_PORT for the web API. Pass `process.env` to configure it like the server. Default: none.
   */
  env?: Record<string, string | undefined> | undefined;
  /** Where logs go (default: warnings and errors on stderr). */
  log?: Logger | undefined;
  /** Replace the model (tests). */
  model?: ModelPort | undefined;
  clock?: (() => Date) | undefined;
}

export function libraryConfig(o: HelplineOptions): Config {
  return loadConfig({
    // No dev mailbox unless asked for: nobody reads it in process.
    DEV_MAILBOX: 'off', LOG_LEVEL: 'warn',
    ...o.env,
    SEED_FILE: o.seedFile ?? o.env?.SEED_FILE ?? packageFile('data/seed.json'),
    KB_DIR: o.kbDir ?? o.env?.KB_DIR ?? packageFile('data/kb'),
    ...(o.dataFile ? { DATA_FILE: o.dataFile } : {}),
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    ...(o.anthropicApiKey ? { ANTHROPIC_API_KEY: o.anthropicApiKey } : {}),
  });
}

/**
 * The default store of a library: in memory, loaded from the seed, so nothing is written into the package folder or
 * the caller's. Undefined when a data file or database is configured (the app opens that engine).
 */
export function defaultRepositories(config: Config, o: HelplineOptions): Repositories | undefined {
  if (config.databaseUrl || o.dataFile || o.env?.DATA_FILE) return undefined;
  return createMemoryRepositories(dbSchema.parse(JSON.parse(readFileSync(config.seedFile, 'utf8'))), { clock: o.clock });
}
