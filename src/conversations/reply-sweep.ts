import type { Logger } from '../config/logger.js';
import type { LeaseRepository } from '../store/repos/index.js';
import { reasonOf } from './reason.js';
import type { TicketReplies } from './ticket-replies.js';

/** With several instances on one database, only the holder of this lease sweeps staff replies. */
export const REPLY_SWEEP_LEASE = 'reply-sweep';

export interface ReplySweepDeps {
  replies: Pick<TicketReplies, 'sweep'>;
  leases: Pick<LeaseRepository, 'acquire' | 'release'>;
  /** This instance's name as a lease holder. */
  holder: string;
  /** How often to sweep; 0 = never. */
  everyMs: number;
  log: Logger;
}

/**
 * Runs `replies.sweep()` every `everyMs` (0: never), one at a time, on the one instance that holds the lease (each
 * delivery is claimed by compare-and-set anyway; the lease spares the others the reads). The first sweep runs after
 * one period, so the channels have started by then. `stop` waits for a sweep in flight and hands the lease back.
 */
export function createReplySweep(deps: ReplySweepDeps) {
  const { log, everyMs } = deps;
  const state: { timer: NodeJS.Timeout | undefined; running: Promise<unknown> } = { timer: undefined, running: Promise.resolve() };
  /** One sweep if this instance holds (or takes) the lease; how many replies it handled (undefined: not the holder). */
  async function sweep(): Promise<number | undefined> {
    if (!(await deps.leases.acquire(REPLY_SWEEP_LEASE, deps.holder, Math.max(2 * everyMs, 30_000)))) return undefined;
    return deps.replies.sweep();
  }
  const run = () => {
    state.running = state.running.then(sweep).catch((err: unknown) => log.warn({ err: reasonOf(err) }, 'staff reply sweep failed'));
  };
  return {
    sweep,
    start(): void {
      if (everyMs > 0) {
        state.timer = setInterval(run, everyMs);
        state.timer.unref();
      }
    },
    async stop(): Promise<void> {
      if (state.timer) clearInterval(state.timer);
      state.timer = undefined;
      await state.running;
      await deps.leases.release(REPLY_SWEEP_LEASE, deps.holder).catch(() => false);
    },
  };
}
