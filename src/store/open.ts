/**
 * Opens the configured engine: PostgreSQL when a database URL is given (migrated at start-up under a lock), else
 * the JSON file (created from the seed on first start). The composition root calls this; nothing else knows which
 * engine runs.
 */
import type { Logger } from '../config/logger.js';
import { localRelay, type ThreadEventRelay } from './event-relay.js';
import { createJsonRepositories } from './json/index.js';
import { createPostgresRepositories } from './postgres/engine.js';
import { createPostgresRelay } from './postgres/event-relay.js';
import type { Repositories } from './repos/index.js';

export interface OpenedStore {
  repos: Repositories;
  engine: 'json' | 'postgres';
  /** Where the data lives, for logs and messages (never the connection string: it may hold a password). */
  location: string;
  /** The JSON file, for the heap check; undefined on PostgreSQL. */
  file?: string | undefined;
  /** Live thread events between instances: LISTEN/NOTIFY on PostgreSQL, nothing for the JSON file (one process). Not started. */
  relay: ThreadEventRelay;
}

export async function openRepositories(opts: { databaseUrl?: string | undefined; dataFile: string; seedFile?: string | undefined; log: Logger; instance?: string | undefined }): Promise<OpenedStore> {
  if (opts.databaseUrl) {
    const repos = await createPostgresRepositories({ databaseUrl: opts.databaseUrl, log: opts.log });
    const relay = createPostgresRelay({ databaseUrl: opts.databaseUrl, log: opts.log, holder: opts.instance });
    return { repos, engine: 'postgres', location: describeUrl(opts.databaseUrl), relay };
  }
  const repos = await createJsonRepositories({ file: opts.dataFile, seedFile: opts.seedFile, log: opts.log });
  return { repos, engine: 'json', location: opts.dataFile, file: opts.dataFile, relay: localRelay() };
}

/** host:port/database of a connection string, without user or password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgresql';
  }
}
