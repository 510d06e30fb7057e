import type { Logger } from '../config/logger.js';
import type { Draft } from '../store/schema.js';
import type { Store } from '../store/types.js';
import { reasonOf } from './reason.js';
import type { StaffNotifier } from './types.js';

/** What a turn tells staff. Best effort: a failure is logged, never thrown (the customer's reply comes first). */
export function createStaffNotices(deps: { store: Store; staff?: StaffNotifier | undefined; log: Logger }) {
  const { store, staff, log } = deps;
  return {
    /** Post each approval a turn created to the staff channels. */
    async postApprovals(threadKey: string, ids: readonly string[]): Promise<void> {
      if (!staff) return;
      for (const id of ids) {
        const approval = store.read().approvals.find((a) => a.id === id);
        if (!approval) {
          log.warn({ approvalId: id, threadKey }, 'approval from turn not found');
          continue;
        }
        try {
          await staff.approvalRequested(approval);
        } catch (err) {
          log.error({ approvalId: id, err: reasonOf(err) }, 'could not post approval to staff');
        }
      }
    },
    /** Show the drafts a staff turn opened to the staff in that thread, with Send / Discard. */
    async postDrafts(threadKey: string, ids: readonly string[]): Promise<void> {
      if (!staff?.draftsReady) return;
      const drafts = ids.map((id) => store.read().drafts.find((d) => d.id === id)).filter((d): d is Draft => d !== undefined);
      try {
        await staff.draftsReady(threadKey, drafts);
      } catch (err) {
        log.error({ threadKey, drafts: ids.length, err: reasonOf(err) }, 'could not show drafts to staff');
      }
    },
    async alert(text: string, details: Record<string, unknown>): Promise<void> {
      if (!staff) return;
      try {
        await staff.alert(text, details);
      } catch (err) {
        log.error({ err: reasonOf(err) }, 'could not alert staff');
      }
    },
  };
}

export type StaffNotices = ReturnType<typeof createStaffNotices>;
