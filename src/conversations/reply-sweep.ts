import type { Logger } from '../config/logger.js';
import type { LeaseRepository } from '../store/repos/index.js';
import { createLeasedSweep, type LeasedSweep } from './leased-sweep.js';
import type { TicketReplies } from './ticket-replies.js';

/** With several instances on one database, only the holder of this lease sweeps staff replies. */
export const REPLY_SWEEP_LEASE = 'reply-sweep';

export interface ReplySweepDeps {
  replies: Pick<TicketReplies, 'sweep'>;
  leases: Pick<LeaseRepository, 'acquire' | 'release'>;
  holder: string;
  /** How often to sweep; 0 = never. */
  everyMs: number;
  log: Logger;
}

/**
 * Delivers staff replies left waiting (`replies.sweep()`) every `everyMs`, on the one instance that holds the lease
 * (each delivery is claimed by compare-and-set anyway; the lease spares the others the reads). Resolves to how many
 * replies a sweep handled.
 */
export function createReplySweep(deps: ReplySweepDeps): LeasedSweep<number> {
  return createLeasedSweep({ ...deps, lease: REPLY_SWEEP_LEASE, what: 'staff reply sweep', run: () => deps.replies.sweep() });
}
