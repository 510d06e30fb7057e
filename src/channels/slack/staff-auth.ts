import type { WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { LaneRunner } from './rate-limit.js';
import { withTimeout } from '../../time-limit.js';

export interface StaffAuth {
  /**
   * Allow-list of Slack user ids, or member of the configured user group (cached with a TTL). Errors deny.
   * `fresh`: a member is confirmed by a read at most 10 s old (granting staff powers: a DM or /ticket as staff,
   * approving or denying a sensitive action; someone just removed from the group must not keep them for the rest
   * of the TTL). Non-members cost no call; a read that takes over 2 s, or failed in the last 3 s, denies.
   */
  isStaff(userId: string, opts?: { fresh?: boolean }): Promise<boolean>;
  /** Synchronous check from what is known now (allow-list + last successful user-group read); for support's staff check. */
  isStaffSync(userId: string): boolean;
}

export function createStaffAuth(deps: {
  client: WebClient;
  lanes: LaneRunner;
  staffUserIds: string[];
  staffUsergroup: string | undefined;
  log: Logger;
  ttlMs?: number;
  now?: () => number;
}): StaffAuth {
  const ttlMs = deps.ttlMs ?? 5 * 60_000;
  const now = deps.now ?? (() => Date.now());
  const allow = new Set(deps.staffUserIds.filter(Boolean));
  let group: { members: Set<string>; at: number } | undefined;
  let inflight: Promise<Set<string>> | undefined;
  let failedAt: number | undefined;

  /** A read this recent counts as fresh: bounds Slack calls when clicks come fast (usergroups.users.list is tier 2). */
  const FRESH_MS = 10_000;
  /** How long a fresh check waits for Slack (a rate-limited read may sleep for minutes) before it denies. */
  const FRESH_WAIT_MS = 2_000;
  /** After a failed read, checks deny without calling Slack for this long (no call per message during an outage). */
  const RETRY_AFTER_FAIL_MS = 3_000;

  function read(usergroup: string): Promise<Set<string>> {
    if (failedAt !== undefined && now() - failedAt < RETRY_AFTER_FAIL_MS) return Promise.reject(new Error('read failed moments ago'));
    if (!inflight) {
      inflight = deps.lanes
        .run('usergroups.users.list', () => deps.client.usergroups.users.list({ usergroup }))
        .then((res) => {
          const members = new Set((res.users ?? []).filter((u): u is string => typeof u === 'string'));
          group = { members, at: now() };
          failedAt = undefined;
          return members;
        }, (err: unknown) => {
          failedAt = now();
          throw err;
        })
        .finally(() => {
          inflight = undefined;
        });
      inflight.catch(() => undefined); // a check that stopped waiting (FRESH_WAIT_MS) no longer observes it
    }
    return inflight;
  }

  return {
    async isStaff(userId, opts) {
      if (!userId) return false;
      if (allow.has(userId)) return true;
      if (!deps.staffUsergroup) return false;
      try {
        const cached = group && now() - group.at < ttlMs ? group.members : await read(deps.staffUsergroup);
        // Only a member is re-checked: a fresh read is about revocation (someone just added waits for the TTL).
        if (!cached.has(userId) || !opts?.fresh || (group && now() - group.at < Math.min(FRESH_MS, ttlMs))) return cached.has(userId);
        return (await withTimeout(read(deps.staffUsergroup), FRESH_WAIT_MS, `no answer within ${FRESH_WAIT_MS} ms`)).has(userId);
      } catch (err) {
        // An unreadable group denies this check and is read again next time; a list still within its TTL is kept
        // for the synchronous check (a failed fresh read says nothing new about who is staff).
        if (group && now() - group.at >= ttlMs) group = undefined;
        deps.log.warn({ err: (err as Error).message, usergroup: deps.staffUsergroup }, 'staff user group unreadable; denying');
        return false;
      }
    },
    isStaffSync(userId) {
      if (allow.has(userId)) return true;
      return Boolean(group && now() - group.at < ttlMs && group.members.has(userId));
    },
  };
}
