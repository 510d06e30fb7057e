/** Counters of one store's file rewrites. */
export interface WriteStats {
  /** Completed rewrites. */
  writes: number;
  /** Rewrites that failed (their updates were rejected). */
  failedWrites: number;
  /** Updates that asked for a rewrite. */
  requests: number;
  /** Duration of the last rewrite in ms. */
  lastWriteMs: number;
  /** Longest rewrite so far in ms. */
  maxWriteMs: number;
  /** Most updates carried by one rewrite. */
  maxBatch: number;
}

export interface WriteQueue {
  /** Ask for a rewrite containing every change made so far; resolves once that rewrite is on disk. */
  request(): Promise<void>;
  /** Resolves once every rewrite requested so far has finished, retrying once if the last one failed. */
  flush(): Promise<void>;
  stats(): WriteStats;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * One writer: at most one rewrite on disk at a time. Requests made while a rewrite is running
 * all join ONE next rewrite, so N concurrent updates cost about two rewrites, not N.
 * `write` must capture the state synchronously (before its first await).
 */
export function createWriteQueue(write: () => Promise<void>): WriteQueue {
  let waiting: Waiter[] = [];
  let running: Promise<void> | undefined;
  let lastFailed = false;
  const stats: WriteStats = { writes: 0, failedWrites: 0, requests: 0, lastWriteMs: 0, maxWriteMs: 0, maxBatch: 0 };

  async function run(): Promise<void> {
    // Start after this turn of the event loop: every update made before it (however many awaits apart, e.g.
    // a turn's last transcript save and the ledger's reply record) joins the first rewrite.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const started = performance.now();
      try {
        await write();
        stats.writes += 1;
        stats.maxBatch = Math.max(stats.maxBatch, batch.length);
        lastFailed = false;
        for (const w of batch) w.resolve();
      } catch (err) {
        stats.failedWrites += 1;
        lastFailed = true;
        for (const w of batch) w.reject(err);
      } finally {
        stats.lastWriteMs = performance.now() - started;
        stats.maxWriteMs = Math.max(stats.maxWriteMs, stats.lastWriteMs);
      }
    }
    running = undefined;
  }

  function request(): Promise<void> {
    stats.requests += 1;
    const done = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    running ??= run();
    return done;
  }

  return {
    request,
    async flush() {
      while (running) await running;
      if (lastFailed) await request();
    },
    stats: () => ({ ...stats }),
  };
}
