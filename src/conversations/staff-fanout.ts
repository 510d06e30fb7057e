import type { Logger } from '../config/logger.js';
import type { StaffNotifier } from './types.js';

/**
 * One StaffNotifier over every staff-facing channel running (Slack, the terminal): each gets every approval
 * and alert; one failing does not stop the others. Reads the list at call time, so channels can join later.
 */
export function createStaffFanout(notifiers: readonly StaffNotifier[], log: Logger): StaffNotifier {
  async function each(what: string, fn: (n: StaffNotifier) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(notifiers.map(fn));
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) log.warn({ what, failed: failed.length, of: notifiers.length }, 'a staff channel could not be notified');
    if (notifiers.length > 0 && failed.length === notifiers.length) throw new Error(`no staff channel took the ${what}`);
  }
  return {
    approvalRequested: (approval) => each('approval', (n) => n.approvalRequested(approval)),
    alert: (text, details) => each('alert', (n) => n.alert(text, details)),
    // Only the notifier owning the thread shows drafts; the others have nothing to do.
    draftsReady: (threadKey, drafts) => each('drafts', async (n) => n.draftsReady?.(threadKey, drafts)),
  };
}
