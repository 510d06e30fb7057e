/** Expires pending approvals nobody decided in time, and tells each one's thread that nothing was changed. */
import type { Logger } from '../config/logger.js';
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

export function createApprovalSweep(deps: ApprovalSweepDeps) {
  const { log } = deps;
  const timer: { id: NodeJS.Timeout | undefined } = { id: undefined };

  /** One sweep, if this instance holds (or takes) the lease; each approval expires once anyway (compare-and-set). */
  async function sweep(): Promise<void> {
    const lease = await deps.leases.acquire('approval-sweep', deps.holder, Math.max(2 * deps.everyMs, 30_000));
    if (!lease) return;
    const expired = await deps.approvals.expireDue();
    for (const a of expired) {
      if (!a.threadKey) continue;
      await deps.conversations.notifyThread(a.threadKey, `Your request to ${actionPhrase(a.action)} expired before our staff could review it, so nothing was changed. Just ask again if you still need it.`)
        .catch((err: unknown) => log.warn({ approvalId: a.id, err: String(err) }, 'could not tell the thread an approval expired'));
    }
  }

  return {
    sweep,
    start(): void {
      if (deps.everyMs <= 0) return;
      timer.id = setInterval(() => { void sweep().catch((err: unknown) => log.warn({ err: String(err) }, 'approval sweep failed')); }, deps.everyMs);
      timer.id.unref();
    },
    async stop(): Promise<void> {
      if (timer.id) clearInterval(timer.id);
      timer.id = undefined;
      await deps.leases.release('approval-sweep', deps.holder).catch(() => false);
    },
  };
}
