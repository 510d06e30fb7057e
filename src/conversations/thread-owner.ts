import { createHash } from 'node:crypto';
import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import { pendingMessageSchema, type PendingMessage } from './ledger.js';
import type { TurnOutcome } from './turn-endings.js';

/**
 * Several instances on one database: a thread is run by one instance at a time, in arrival order, whichever
 * instance claimed each of its messages.
 *
 * Before it runs a message, an instance takes the thread's lease (renewed while it works). Under the lease the ledger
 * decides: a message another instance finished meanwhile is skipped, and older unfinished messages of the thread
 * (claimed by an instance that is busy elsewhere, or died) run first. Without the lease the message waits (`busy`)
 * and tries again shortly; it stays durable in the ledger. A dead holder's lease ends after `ttlMs`.
 *
 * A single process (the JSON file) has no one to share with: `enabled: false` runs the message as it is.
 */
export type OwnedOutcome = TurnOutcome | 'busy' | 'skipped';

export interface ThreadOwnerDeps {
  repos: Pick<Repositories, 'leases' | 'ledger'>;
  holder: string;
  enabled: boolean;
  /** How long a lease lasts without renewal: a dead instance's threads are taken over after this (default 15 s). */
  ttlMs?: number | undefined;
  log: Logger;
}

export const THREAD_LEASE_PREFIX = 'thread:';
/** At most this many earlier messages of the thread are run before the one asked for (the rest wait for the next run). */
const EARLIER_LIMIT = 20;

/** Lease names are bounded (200 chars); thread keys are not (500): name the lease by a digest of the key. */
export function threadLeaseName(threadKey: string): string {
  return THREAD_LEASE_PREFIX + createHash('sha256').update(threadKey).digest('base64url');
}

export function createThreadOwner(deps: ThreadOwnerDeps) {
  const { repos, holder, log } = deps;
  const ttlMs = deps.ttlMs ?? 15_000;
  const renewals = new Set<NodeJS.Timeout>();
  let halted = false;

  /** Runs `p` (and any older unfinished message of its thread) with the thread's lease held. */
  async function run(p: PendingMessage, turn: (p: PendingMessage) => Promise<TurnOutcome>): Promise<OwnedOutcome> {
    if (!deps.enabled) return turn(p);
    if (halted) return 'busy';
    const name = threadLeaseName(p.threadKey);
    if (!(await repos.leases.acquire(name, holder, ttlMs))) return 'busy';
    let lost = false;
    const renew = setInterval(() => {
      repos.leases.renew(name, holder, ttlMs).then((l) => { if (!l) lost = true; }, () => undefined);
    }, Math.max(100, Math.floor(ttlMs / 3)));
    renew.unref();
    renewals.add(renew);
    try {
      const waiting = await repos.ledger.unfinishedInThread(p.threadKey, EARLIER_LIMIT);
      if (!waiting.some((e) => e.id === p.id)) return 'skipped'; // finished by another instance (or never claimed)
      for (const e of waiting) {
        if (lost) return 'busy';
        const stored = pendingMessageSchema.safeParse(e.message);
        if (e.id === p.id) return await turn(stored.success ? mergeStored(p, stored.data) : p);
        if (!stored.success) continue; // unreadable: the restart sweep marks it failed
        log.info({ threadKey: p.threadKey, messageId: e.id, before: p.id }, 'running an earlier message of the thread first');
        const outcome = await turn(stored.data);
        if (outcome === 'retry') return 'busy'; // the earlier one waits out its backoff; this one stays behind it
      }
      return 'busy'; // more than EARLIER_LIMIT earlier messages: try again after them
    } finally {
      clearInterval(renew);
      renewals.delete(renew);
      await repos.leases.release(name, holder).catch(() => false);
    }
  }

  /**
   * The process is going away with turns still in flight (stop timed out): stop renewing their leases, so other
   * instances take the threads over once they run out, and start nothing new.
   */
  function halt(): void {
    halted = true;
    for (const r of renewals) clearInterval(r);
    renewals.clear();
  }

  /**
   * Runs `fn` (a notice into the thread's transcript) with the thread's lease: waits for a turn another instance is
   * running, up to the lease's life, then goes ahead anyway (a notice is not worth losing).
   */
  async function exclusive<T>(threadKey: string, fn: () => Promise<T>): Promise<T> {
    if (!deps.enabled) return fn();
    const name = threadLeaseName(threadKey);
    const deadline = Date.now() + ttlMs;
    const take = async () => (await repos.leases.acquire(name, holder, ttlMs).catch(() => undefined)) !== undefined;
    let held = await take();
    while (!held && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      held = await take();
    }
    if (!held) log.warn({ threadKey }, 'thread busy on another instance for a whole lease; notice recorded anyway');
    try {
      return await fn();
    } finally {
      if (held) await repos.leases.release(name, holder).catch(() => false);
    }
  }

  return { run, exclusive, halt };
}

/** The stored copy knows what another instance did (a reply recorded before a crash); this copy knows the retries. */
function mergeStored(mine: PendingMessage, stored: PendingMessage): PendingMessage {
  if (!stored.reply || mine.reply) return mine;
  mine.reply = stored.reply;
  return mine;
}
