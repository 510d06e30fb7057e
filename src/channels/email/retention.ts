/**
 * Retention of what the email channel keeps, by age, under the `retention` lease (one instance at a time), applied
 * on start and then at most once per `everyMs`:
 * - outbox: sent and failed mail past `outboxRetentionMs` (the store keeps a reply whose inbound message is still
 *   waiting in the ledger: it is what stops a second mail); pending mail never goes;
 * - Message-ID decisions and email threads after 90 days, the Message-ID index after 180 days;
 * - ended undeliverable marks, reply-budget entries and alerts older than the budget window.
 */
import type { Logger } from '../../config/logger.js';
import type { Repositories } from '../../store/repos/index.js';
import { BUDGET_WINDOW_MS } from './inbound/reply-budget.js';

const DAY = 24 * 3600_000;
export const DECISION_RETENTION_MS = 90 * DAY;
export const THREAD_RETENTION_MS = 90 * DAY;
export const MESSAGE_ID_RETENTION_MS = 180 * DAY;
const RETENTION_LEASE = 'email-retention';
const LEASE_MS = 5 * 60_000;
/** Rows deleted per call, and calls per kind per run (the rest waits for the next run). */
const CHUNK = 1000;
const MAX_CHUNKS = 20;
/** When another instance holds the lease, look again this much later. */
const RETRY_MS = 60_000;

export interface EmailRetentionDeps {
  repos: Repositories;
  clock: () => Date;
  log: Logger;
  holder: string;
  /** Sent and failed outbox items older than this go (default 30 days). */
  outboxRetentionMs?: number | undefined;
  /** Default hourly. */
  everyMs?: number | undefined;
}

/** Call `prune(before, CHUNK)` until it deletes less than a chunk; returns how many went. */
async function drain(prune: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const n = await prune(CHUNK);
    total += n;
    if (n < CHUNK) break;
  }
  return total;
}

export function createEmailRetention(deps: EmailRetentionDeps): { runIfDue(): Promise<void> } {
  const { repos, log } = deps;
  const outboxMs = deps.outboxRetentionMs ?? 30 * DAY;
  const everyMs = deps.everyMs ?? 3600_000;
  let last = Number.NEGATIVE_INFINITY;

  async function prune(now: number): Promise<void> {
    const iso = (ms: number) => new Date(now - ms).toISOString();
    const outbox = await drain((n) => repos.outbox.prune(iso(outboxMs), n));
    if (outbox > 0) log.info({ dropped: outbox, retentionDays: Math.round(outboxMs / DAY) }, 'outbox: finished mail past retention dropped');
    const state = {
      decisions: await drain((n) => repos.email.pruneDecisions(iso(DECISION_RETENTION_MS), n)),
      threads: await drain((n) => repos.email.pruneThreads(iso(THREAD_RETENTION_MS), n)),
      messageIds: await drain((n) => repos.email.pruneMessageIds(iso(MESSAGE_ID_RETENTION_MS), n)),
      undeliverable: await drain((n) => repos.emailLimits.pruneUndeliverable(iso(0), n)),
      budget: await drain((n) => repos.emailLimits.pruneBudget(iso(BUDGET_WINDOW_MS), n)),
    };
    if (Object.values(state).some((n) => n > 0)) log.info(state, 'email state past retention dropped');
  }

  return {
    async runIfDue() {
      const now = deps.clock().getTime();
      if (now - last < everyMs) return;
      const lease = await repos.leases.acquire(RETENTION_LEASE, deps.holder, LEASE_MS).catch((err: unknown) => {
        log.warn({ err: String(err) }, 'email retention: store unreachable; will try again');
        return undefined;
      });
      if (!lease) {
        last = now - everyMs + RETRY_MS;
        return;
      }
      last = now;
      try {
        await prune(now);
      } catch (err) {
        log.error({ err: String(err) }, 'email retention not applied; will try again');
      } finally {
        await repos.leases.release(RETENTION_LEASE, deps.holder).catch(() => false);
      }
    },
  };
}
