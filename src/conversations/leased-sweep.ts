import type { Logger } from '../config/logger.js';
import type { LeaseRepository } from '../store/repos/index.js';
import { reasonOf } from './reason.js';

export interface LeasedSweepDeps<T> {
  /** The lease's name: with several instances on one database, only its holder sweeps. */
  lease: string;
  leases: Pick<LeaseRepository, 'acquire' | 'release'>;
  /** This instance's name as a lease holder. */
  holder: string;
  /** How often to sweep; 0 = never. The first sweep runs after one period, once the channels have started. */
  everyMs: number;
  log: Logger;
  /** What a failed sweep is logged as, e.g. 'approval sweep'. */
  what: string;
  run(): Promise<T>;
}

export interface LeasedSweep<T> {
  /** One sweep if this instance holds (or takes) the lease; its result, or undefined when another instance holds it. */
  sweep(): Promise<T | undefined>;
  start(): void;
  /** Stop the timer, wait for a sweep in flight and hand the lease back. */
  stop(): Promise<void>;
}

/** A periodic job that runs on one instance at a time (one sweep after another, never two at once). */
export function createLeasedSweep<T>(deps: LeasedSweepDeps<T>): LeasedSweep<T> {
  const state: { timer: NodeJS.Timeout | undefined; running: Promise<unknown> } = { timer: undefined, running: Promise.resolve() };
  async function sweep(): Promise<T | undefined> {
    if (!(await deps.leases.acquire(deps.lease, deps.holder, Math.max(2 * deps.everyMs, 30_000)))) return undefined;
    return deps.run();
  }
  const tick = () => {
    state.running = state.running.then(sweep).catch((err: unknown) => deps.log.warn({ err: reasonOf(err) }, `${deps.what} failed`));
  };
  return {
    sweep,
    start(): void {
      if (deps.everyMs <= 0) return;
      state.timer = setInterval(tick, deps.everyMs);
      state.timer.unref();
    },
    async stop(): Promise<void> {
      if (state.timer) clearInterval(state.timer);
      state.timer = undefined;
      await state.running;
      await deps.leases.release(deps.lease, deps.holder).catch(() => false);
    },
  };
}
