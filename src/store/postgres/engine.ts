/**
 * The PostgreSQL engine of the repositories (`DATABASE_URL`): every port of src/store/repos over the schema of
 * ./migrations, for any number of instances on one database. How it keeps the ports' promises:
 *
 * - compare-and-set: one conditional statement (`UPDATE … WHERE id = $1 AND status = $2 RETURNING *`, or an upsert's
 *   `ON CONFLICT … DO UPDATE … WHERE`); the row lock makes concurrent callers queue and re-check, so one wins and a
 *   loser reads the record as it is now;
 * - insert-if-absent: `INSERT … ON CONFLICT DO NOTHING` on the unique key (ledger, posted Slack chunks, replies);
 * - claims and sweeps: `SELECT … FOR UPDATE SKIP LOCKED` (outbox claims, approval expiry, retention deletes);
 * - leases: an upsert against the database's `clock_timestamp()` (one clock for every instance), a fence per tenure;
 * - the reply budget: the keys' lock rows taken in key order, then count and record;
 * - transactions (./db.ts): READ COMMITTED on one client, savepoints for nested transactions and for each call,
 *   the whole `fn` re-run after a deadlock or serialization failure; a read of one record inside a transaction
 *   locks it (`FOR NO KEY UPDATE`), so read-check-write inside a transaction is serialised as in the memory engine.
 */
import pg from 'pg';
import type { Logger } from '../../config/logger.js';
import { AppError } from '../../errors.js';
import type { Repositories } from '../repos/index.js';
import { createCore, type Core, type Frame, type Session } from './db.js';
import { unavailable } from './errors.js';
import { runMigrations } from './migrate.js';
import { pgAddressChanges } from './repos/address-changes.js';
import { pgApprovals } from './repos/approvals.js';
import { pgApiKeys } from './repos/api-keys.js';
import { pgAudit } from './repos/audit.js';
import { pgConversations } from './repos/conversations.js';
import { pgCustomers } from './repos/customers.js';
import { pgDrafts } from './repos/drafts.js';
import { pgEmailLimits } from './repos/email-limits.js';
import { pgEmailState } from './repos/email.js';
import { pgLeases } from './repos/leases.js';
import { pgLedger } from './repos/ledger.js';
import { pgNotes } from './repos/notes.js';
import { pgOutbox } from './repos/outbox.js';
import { pgQuarantine } from './repos/quarantine.js';
import { pgResetTokens } from './repos/reset-tokens.js';
import { pgSlackState } from './repos/slack.js';
import { pgTickets } from './repos/tickets.js';

export interface PostgresRepositoriesOptions {
  /** A connection string (the engine opens a pool and ends it on close) … */
  databaseUrl?: string | undefined;
  /** … or a pool the caller owns (close() waits for the engine's calls but leaves the pool open). */
  pool?: pg.Pool | undefined;
  log: Logger;
  /** Bring the schema up to date at start-up (default true; migrations run once across instances, under a lock). */
  migrate?: boolean | undefined;
  /** Connections of the engine's own pool (default 10). */
  poolSize?: number | undefined;
  connectTimeoutMs?: number | undefined;
}

function bundle(core: Core<Repositories>, session: Session, frame: Frame | undefined): Repositories {
  return {
    customers: pgCustomers(session),
    tickets: pgTickets(session),
    notes: pgNotes(session),
    approvals: pgApprovals(session),
    resetTokens: pgResetTokens(session),
    addressChanges: pgAddressChanges(session),
    drafts: pgDrafts(session),
    audit: pgAudit(session),
    conversations: pgConversations(session),
    ledger: pgLedger(session),
    email: pgEmailState(session),
    emailLimits: pgEmailLimits(session),
    outbox: pgOutbox(session),
    quarantine: pgQuarantine(session),
    slack: pgSlackState(session),
    leases: pgLeases(session),
    apiKeys: pgApiKeys(session),
    transaction: (fn) => core.transaction(frame, fn),
    ping: () => session.run('read', async (q) => { await q.rows('SELECT 1'); }),
    close: () => core.close(frame),
  };
}

/** Repositories on PostgreSQL. Resolves once the pool answers and (by default) the schema is current. */
export async function createPostgresRepositories(opts: PostgresRepositoriesOptions): Promise<Repositories> {
  if (!opts.databaseUrl === !opts.pool) throw new AppError('bad_input', 'createPostgresRepositories needs exactly one of databaseUrl or pool.');
  const log = opts.log.child({ component: 'postgres' });
  const owned = opts.pool === undefined;
  const pool = opts.pool ?? new pg.Pool({
    connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000, application_name: 'helpline',
    // Transaction control goes out with the statement after it instead of costing a round trip of its own (db.ts).
    pipeline: true,
  });
  // An idle connection that the server closes (restart, failover, admin) is reported here; without a listener
  // the pool's 'error' event would crash the process. The pool drops that client and opens another when needed.
  const onError = (err: Error) => log.warn({ err: err.message }, 'database connection lost (the pool replaces it)');
  pool.on('error', onError);
  const endPool = async () => {
    if (owned) await pool.end();
    else pool.off('error', onError);
  };

  try {
    if (opts.migrate !== false) await runMigrations({ pool, log });
    else await pool.query('SELECT 1').catch((err: unknown) => { throw unavailable(err); });
  } catch (err) {
    await endPool().catch(() => undefined);
    throw err;
  }

  const core: Core<Repositories> = createCore<Repositories>(pool, (session, frame) => bundle(core, session, frame), endPool);
  return bundle(core, core.auto, undefined);
}
