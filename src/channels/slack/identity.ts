import type { WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { CustomerDirectory, CustomerRef, IdentityResolver, InboundMessage, Sender } from '../../conversations/types.js';
import type { Caller, StaffCaller } from '../../support/caller.js';
import { createBoundedCache } from './bounded-cache.js';
import type { LaneRunner } from './rate-limit.js';
import type { StaffAuth } from './staff-auth.js';

export interface SlackProfile { email?: string | undefined; displayName?: string | undefined }

export interface SlackIdentity extends IdentityResolver {
  /** The customer behind a Slack user: linked user id, else the profile's Slack-verified email. */
  customerFor(userId: string): Promise<CustomerRef | undefined>;
  /** Verified email + display name from `users.info` (cached); empty when unverified or unreadable. */
  profile(userId: string): Promise<SlackProfile>;
  /** A staff member as a Caller, with their Slack-verified email (the four-eyes check compares it). */
  staffCaller(userId: string): Promise<StaffCaller>;
  /** Staff (only in a direct message with the bot), else customer, else anonymous. */
  callerFor(userId: string, opts: { allowStaff: boolean }): Promise<Caller>;
}

interface UserInfo {
  deleted?: boolean; is_bot?: boolean; is_email_confirmed?: boolean; team_id?: string; real_name?: string; name?: string;
  profile?: { email?: string; display_name?: string; real_name?: string };
}

export function createSlackIdentity(deps: {
  client: WebClient;
  lanes: LaneRunner;
  directory: CustomerDirectory;
  staff: StaffAuth;
  teamId: () => string | undefined;
  log: Logger;
  cacheSize?: number;
  cacheTtlMs?: number;
}): SlackIdentity {
  const cache = createBoundedCache<SlackProfile>({ max: deps.cacheSize ?? 1000, ttlMs: deps.cacheTtlMs ?? 15 * 60_000 });

  async function profile(userId: string): Promise<SlackProfile> {
    const hit = cache.get(userId);
    if (hit) return hit;
    try {
      const res = await deps.lanes.run('users.info', () => deps.client.users.info({ user: userId }));
      const user = (res.user ?? {}) as UserInfo;
      const team = deps.teamId();
      const trusted = !user.deleted && !user.is_bot && user.is_email_confirmed === true && (!team || !user.team_id || user.team_id === team);
      const email = trusted && user.profile?.email ? user.profile.email.trim().toLowerCase() : undefined;
      const displayName = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name;
      const result: SlackProfile = { email, displayName };
      cache.set(userId, result);
      return result;
    } catch (err) {
      // not cached: the next message tries again
      deps.log.warn({ err: (err as Error).message, userId }, 'users.info failed; treating sender as unverified');
      return {};
    }
  }

  async function customerFor(userId: string): Promise<CustomerRef | undefined> {
    const linked = await deps.directory.bySlackUserId(userId);
    if (linked) return linked;
    const { email } = await profile(userId);
    return email ? deps.directory.byEmail(email) : undefined;
  }

  async function staffCaller(userId: string): Promise<StaffCaller> {
    const { email } = await profile(userId);
    return email ? { kind: 'staff', staffId: userId, email } : { kind: 'staff', staffId: userId };
  }

  async function callerFor(userId: string, opts: { allowStaff: boolean }): Promise<Caller> {
    // Staff powers are granted from a recent read of the group (≤ 10 s), not the 5-minute cache: someone just
    // removed from it cannot go on using /ticket or staff tools in a DM.
    if (opts.allowStaff && (await deps.staff.isStaff(userId, { fresh: true }))) return staffCaller(userId);
    const linked = await deps.directory.bySlackUserId(userId);
    if (linked) return { kind: 'customer', customerId: linked.id };
    const { email } = await profile(userId);
    const byEmail = email ? await deps.directory.byEmail(email) : undefined;
    if (byEmail) return { kind: 'customer', customerId: byEmail.id };
    return email ? { kind: 'anonymous', contact: email } : { kind: 'anonymous' };
  }

  return {
    profile,
    customerFor,
    staffCaller,
    callerFor,
    async resolve(sender: Sender, msg: InboundMessage): Promise<Caller> {
      // Account business (and staff tools) only in a one-to-one DM with the bot. A channel thread is read by
      // others, and anyone in it can reply: there everybody is anonymous, so no balance, card or address is
      // ever posted where others can read it, and nobody can steer actions on someone else's account.
      if (msg.meta?.['channelType'] === 'im') return callerFor(sender.id, { allowStaff: true });
      const known = await customerFor(sender.id);
      const email = known?.email ?? (await profile(sender.id)).email;
      return email ? { kind: 'anonymous', contact: email, sharedChannel: true } : { kind: 'anonymous', sharedChannel: true };
    },
  };
}
