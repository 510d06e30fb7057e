/**
 * The memory engine of the repositories: Maps with secondary indexes, deep copies in and out, one operation or
 * transaction at a time, transactions (and nested savepoints) rolled back by an undo log. For unit tests and
 * tools; nothing is persisted.
 */
import type { Db } from '../schema.js';
import type { Repositories } from '../repos/index.js';
import { memoryAddressChanges } from './address-changes.js';
import { memoryApiKeys } from './api-keys.js';
import { memoryApprovals, memoryResetTokens } from './approvals.js';
import { memoryAudit } from './audit.js';
import { memoryConversations } from './conversations.js';
import { createCore, type Binding, type Core } from './core.js';
import { memoryCustomers } from './customers.js';
import { memoryDrafts } from './drafts.js';
import { memoryEmailLimits } from './email-limits.js';
import { memoryEmailState } from './email.js';
import { importDb } from './import-db.js';
import { memoryLedger } from './ledger.js';
import { memoryLeases } from './leases.js';
import { memoryNotes } from './notes.js';
import { memoryOutbox } from './outbox.js';
import { memoryQuarantine } from './quarantine.js';
import { memorySlackState } from './slack.js';
import { createState, type MemoryState } from './state.js';
import type { Table } from './table.js';
import { memoryTickets } from './tickets.js';

export interface MemoryRepositoriesOptions {
  /** The engine's clock, used by leases (default: the system clock). */
  clock?: (() => Date) | undefined;
  /** The IMAP mailbox a seed's `state['email.sync']` belongs to (default `INBOX`). */
  mailbox?: string | undefined;
}

function bundle(core: Core, s: MemoryState, binding: Binding): Repositories {
  const run = <T>(fn: () => T): Promise<T> => core.op(binding, fn);
  const repos: Repositories = {
    customers: memoryCustomers(s, run),
    tickets: memoryTickets(s, run),
    notes: memoryNotes(s, run),
    approvals: memoryApprovals(s, run),
    resetTokens: memoryResetTokens(s, run),
    addressChanges: memoryAddressChanges(s, run),
    drafts: memoryDrafts(s, run),
    audit: memoryAudit(s, run),
    conversations: memoryConversations(s, run),
    ledger: memoryLedger(s, run),
    email: memoryEmailState(s, run),
    emailLimits: memoryEmailLimits(s, run),
    outbox: memoryOutbox(s, run),
    quarantine: memoryQuarantine(s, run),
    slack: memorySlackState(s, run),
    leases: memoryLeases(s, run),
    apiKeys: memoryApiKeys(s, run),
    transaction: (fn) => core.transaction(binding, (inner) => fn(bundle(core, s, inner))),
    ping: () => run(() => undefined),
    close: () => core.close(binding),
  };
  return repos;
}

/** Every table's rows, as plain arrays (tests compare before/after; rows are the engine's frozen rows, never live). */
export type MemorySnapshot = { [K in keyof MemoryState as MemoryState[K] extends Table<unknown> ? K : never]: MemoryState[K] extends Table<infer R> ? R[] : never };

export interface MemoryRepositories extends Repositories {
  /** The whole store at this moment: for tests and tools, never for product code (which goes through the ports). */
  snapshot(): MemorySnapshot;
}

/**
 * Repositories held in memory, optionally loaded from a whole-database document (copied; `seed` is not kept). They can
 * also show their whole content (`snapshot`, for tests and tools).
 */
export function createMemoryRepositories(seed?: Db, opts: MemoryRepositoriesOptions = {}): MemoryRepositories {
  const core = createCore();
  const clock = opts.clock ?? (() => new Date());
  const state = createState(core, clock);
  if (seed) core.setup(() => importDb(state, seed, { mailbox: opts.mailbox ?? 'INBOX', now: clock().toISOString() }));
  const repos = bundle(core, state, { kind: 'auto' });
  const snapshot = (): MemorySnapshot => {
    const out: Record<string, unknown[]> = {};
    for (const [name, table] of Object.entries(state)) {
      if (table && typeof table === 'object' && 'scan' in table) out[name] = (table as Table<unknown>).scan();
    }
    return out as MemorySnapshot;
  };
  return { ...repos, snapshot };
}
