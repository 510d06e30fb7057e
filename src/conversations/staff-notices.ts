import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import type { Draft } from '../store/schema.js';
import { reasonOf } from './reason.js';
import type { StaffNotifier } from './types.js';

/** What a turn tells staff. Best effort: a failure is logged, never thrown (the customer's reply comes first). */
export function createStaffNotices(deps: { repos: Pick<Repositories, 'approvals' | 'drafts'>; staff?: StaffNotifier | undefined; log: Logger }) {
  const { repos, staff, log } = deps;
  return {
    /** Post each approval a turn created to the staff channels. */
    async postApprovals(threadKey: string, ids: readonly string[]): Promise<void> {
      if (!staff) return;
      for (const id of ids) {
        try {
          const approval = await repos.approvals.get(id);
          if (!approval) {
            log.warn({ approvalId: id, threadKey }, 'approval from turn not found');
            continue;
          }
          await staff.approvalRequested(approval);
        } catch (err) {
          log.error({ approvalId: id, err: reasonOf(err) }, 'could not post approval to staff');
        }
      }
    },
    /** Show the drafts a staff turn opened to the staff in that thread, with Send / Discard. */
    async postDrafts(threadKey: string, ids: readonly string[]): Promise<void> {
      if (!staff?.draftsReady) return;
      try {
        const drafts: Draft[] = [];
        for (let i = 0; i < ids.length; i += 100) drafts.push(...(await repos.drafts.getMany(ids.slice(i, i + 100))));
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
