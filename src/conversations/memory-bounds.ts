import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import { createCompaction } from './compaction.js';
import { THREAD_LEASE_PREFIX } from './thread-owner.js';
import { reasonOf } from './reason.js';

export interface MemoryBoundsDeps {
  repos: Pick<Repositories, 'conversations' | 'ledger' | 'leases'>;
  log: Logger;
  clock: () => Date;
  config: Config['conversations'];
  /** This instance's name as a lease holder: with several instances, only the holder of `retention` sweeps. */
  holder: string;
  /** Overrides `config.ledgerRetentionMs` (default 30 days). */
  ledgerRetentionMs?: number | undefined;
  /** How often idle transcripts are compacted and the ledger pruned (default 10 minutes; 0 = never). */
  sweepEveryMs?: number | undefined;
}

/** The lease the periodic sweep runs under (shared with the other retention work of an instance). */
export const RETENTION_LEASE = 'conversation-retention';
/** How often (in finished messages) the ledger's size is checked between sweeps. */
const LEDGER_CHECK_EVERY = 500;
const CHUNK = 1000;
/** At most this many chunks per kind of pruning in one sweep (the next sweep goes on). */
const MAX_CHUNKS = 50;

/** Call `step` (which deletes at most CHUNK) until it deletes fewer, or MAX_CHUNKS times; the total. */
async function repeat(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const n = await step();
    total += n;
    if (n < CHUNK) break;
  }
  return total;
}

/**
 * What keeps conversations' stored data bounded: transcript compaction (most recent / idle threads) and the
 * processed ledger's retention (age, then count without touching recent entries). Runs after every finished
 * message, on start, and on a timer (the last two under the `retention` lease).
 */
export function createMemoryBounds(deps: MemoryBoundsDeps) {
  const { repos, log, clock, config } = deps;
  const compaction = createCompaction({
    repos, log, clock, keepRecent: config.keepTranscripts, maxLiveChars: config.transcriptMaxChars, idleMs: config.transcriptIdleMs,
  });
  const retentionMs = deps.ledgerRetentionMs ?? config.ledgerRetentionMs ?? 30 * 24 * 3600_000;
  const ledgerMax = config.ledgerMaxEntries ?? 20_000;
  const ledgerMinMs = config.ledgerMinRetentionMs ?? 3600_000;
  const every = deps.sweepEveryMs ?? 10 * 60_000;
  const leaseMs = Math.max(60_000, 2 * every);
  const background = new Set<Promise<unknown>>();
  let sinceCheck = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Keep track of work nobody awaits, so `stop()` can wait for it. */
  function track(work: Promise<unknown>, what: string): void {
    const p = work.catch((err: unknown) => log.warn({ err: reasonOf(err) }, `${what} failed`)).finally(() => background.delete(p));
    background.add(p);
  }

  /** Resolves once the work started in the background so far (and what it started) is over. */
  async function idle(): Promise<void> {
    while (background.size > 0) await Promise.all([...background]);
  }

  /** Drop finished ledger entries past the retention, then past the count bound (never recent ones). */
  async function pruneLedger(): Promise<number> {
    const t = clock().getTime();
    const before = new Date(t - retentionMs).toISOString();
    const notBefore = new Date(t - ledgerMinMs).toISOString();
    const aged = await repeat(() => repos.ledger.pruneFinished(before, CHUNK));
    return aged + (await repeat(() => repos.ledger.trimFinished(ledgerMax, notBefore, CHUNK)));
  }

  async function checkLedger(): Promise<void> {
    if ((await repos.ledger.count()) > ledgerMax) await pruneLedger();
  }

  /** Compact and prune, when this instance holds (or takes) the retention lease; `undefined` when another does. */
  async function sweep(): Promise<{ compacted: number; pruned: number } | undefined> {
    if (!(await repos.leases.acquire(RETENTION_LEASE, deps.holder, leaseMs))) return undefined;
    const compacted = await compaction.sweep();
    const pruned = await pruneLedger();
    // Per-thread leases (several instances) that ended an hour ago: nobody is waiting on them.
    await repeat(() => repos.leases.pruneEnded(THREAD_LEASE_PREFIX, new Date(clock().getTime() - 3_600_000).toISOString(), CHUNK));
    if (compacted > 0 || pruned > 0) log.info({ compacted, pruned, liveTranscripts: compaction.live().threads }, 'memory sweep');
    return { compacted, pruned };
  }

  return {
    /** Index the stored transcripts, sweep once (compact, prune), start the periodic sweep. */
    async start(): Promise<{ compacted: number; pruned: number }> {
      const swept = await sweep();
      if (!swept) await compaction.start();
      if (every > 0 && !timer) {
        timer = setInterval(() => track(sweep(), 'memory sweep'), every);
        timer.unref();
      }
      return swept ?? { compacted: 0, pruned: 0 };
    },
    /** A thread's transcript changed (a message finished, a notice was recorded). Never throws. */
    afterTurn(threadKey: string): void {
      track(compaction.touched(threadKey), 'transcript compaction');
      if (++sinceCheck < LEDGER_CHECK_EVERY) return;
      sinceCheck = 0;
      track(checkLedger(), 'ledger pruning');
    },
    sweep,
    idle,
    /** Stop the timer, wait for the work started so far, give the lease up. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await idle();
      await repos.leases.release(RETENTION_LEASE, deps.holder).catch(() => false);
    },
    liveTranscripts: () => compaction.live().threads,
  };
}
