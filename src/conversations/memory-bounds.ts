import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/types.js';
import { createCompaction } from './compaction.js';
import { boundLedger, pruneLedger } from './ledger.js';

export interface MemoryBoundsDeps {
  store: Store;
  log: Logger;
  clock: () => Date;
  config: Config['conversations'];
  /** Overrides `config.ledgerRetentionMs` (default 30 days). */
  ledgerRetentionMs?: number | undefined;
  /** How often idle transcripts are compacted and the ledger pruned (default 10 minutes; 0 = never). */
  sweepEveryMs?: number | undefined;
}

/** How often (in finished messages) the ledger's size is checked between sweeps. */
const LEDGER_CHECK_EVERY = 500;

/**
 * What keeps conversations' in-memory data bounded: transcript compaction (most recent / idle threads) and the
 * processed ledger's retention (age, then count without touching recent entries). Run after every finished
 * message, on start, and on a timer.
 */
export function createMemoryBounds(deps: MemoryBoundsDeps) {
  const { store, log, clock, config } = deps;
  const compaction = createCompaction({
    store, log, clock, keepRecent: config.keepTranscripts, maxLiveChars: config.transcriptMaxChars, idleMs: config.transcriptIdleMs,
  });
  const retentionMs = deps.ledgerRetentionMs ?? config.ledgerRetentionMs ?? 30 * 24 * 3600_000;
  const ledgerMax = config.ledgerMaxEntries ?? 20_000;
  const ledgerMinMs = config.ledgerMinRetentionMs ?? 3600_000;
  let sinceCheck = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Drop finished ledger entries past the retention, then past the count bound (never recent ones). Inside `store.update`. */
  function boundLedgerIn(db: Db): number {
    const t = clock().getTime();
    return pruneLedger(db, new Date(t - retentionMs).toISOString()) + boundLedger(db, ledgerMax, new Date(t - ledgerMinMs).toISOString());
  }

  async function sweep(): Promise<{ compacted: number; pruned: number }> {
    const compacted = await compaction.sweep();
    const pruned = await store.update(boundLedgerIn);
    if (compacted > 0 || pruned > 0) log.info({ compacted, pruned, liveTranscripts: compaction.live().threads }, 'memory sweep');
    return { compacted, pruned };
  }

  return {
    /** Call inside `store.update` on start (with the other start-up repairs): returns how many entries were pruned. */
    boundLedgerIn,
    /** Index the stored transcripts, compact what is over the bounds, start the periodic sweep. */
    async start(): Promise<number> {
      compaction.start();
      const compacted = await compaction.sweep();
      const every = deps.sweepEveryMs ?? 10 * 60_000;
      if (every > 0 && !timer) {
        timer = setInterval(() => { sweep().catch((err: unknown) => log.warn({ err: String(err) }, 'memory sweep failed')); }, every);
        timer.unref();
      }
      return compacted;
    },
    /** A thread's transcript changed (a message finished, a notice was recorded). Never throws. */
    afterTurn(threadKey: string): void {
      compaction.touched(threadKey).catch((err: unknown) => log.warn({ err: String(err) }, 'transcript compaction failed'));
      if (++sinceCheck < LEDGER_CHECK_EVERY) return;
      sinceCheck = 0;
      if (Object.keys(store.read().processed).length <= ledgerMax) return;
      store.update(boundLedgerIn).catch((err: unknown) => log.warn({ err: String(err) }, 'ledger pruning failed'));
    },
    sweep,
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    liveTranscripts: () => compaction.live().threads,
  };
}
