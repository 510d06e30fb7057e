/** Expires pending approvals nobody decided in time, and tells each one's thread that nothing was changed. */
import type { Logger } from '../config/logger.js';
import { createLeasedSweep, type LeasedSweep } from '../conversations/index.js';
import type { ConversationsPort } from '../conversations/types.js';
import type { LeaseRepository } from '../store/repos/index.js';
import type { Support } from '../support/api.js';
import { actionPhrase } from '../support/approval-rules.js';

export interface ApprovalSweepDeps {
  approvals: Pick<Support['approvals'], 'expireDue'>;
  conversations: Pick<ConversationsPort, 'notifyThread'>;
  /** With several instances on one database, only the holder of the 'approval-sweep' lease sweeps. */
  leases: Pick<LeaseRepository, 'acquire' | 'release'>;
  /** This instance's name as a lease holder. */
  holder: string;
  log: Logger;
  /** How often to sweep; 0 = never. */
  everyMs: number;
}

/** Each approval expires once anyway (compare-and-set); the lease keeps the sweep to one instance. */
export function createApprovalSweep(deps: ApprovalSweepDeps): LeasedSweep<void> {
  const { log } = deps;
  async function run(): Promise<void> {
    const expired = await deps.approvals.expireDue();
    for (const a of expired) {
      if (!a.threadKey) continue;
      await deps.conversations.notifyThread(a.threadKey, `Your request to ${actionPhrase(a.action)} expired before our staff could review it, so nothing was changed. Just ask again if you still need it.`)
        .catch((err: unknown) => log.warn({ approvalId: a.id, err: String(err) }, 'could not tell the thread an approval expired'));
    }
  }
  return createLeasedSweep({ lease: 'approval-sweep', leases: deps.leases, holder: deps.holder, everyMs: deps.everyMs, log, what: 'approval sweep', run });
}
