/**
 * The one late-binding point of the composition. Conversations, support's staff check and the email channel's staff
 * alerts need the channels, and the channels are built from conversations: so these ports are created empty, handed
 * out, and bound exactly once to the list the channel wiring returned. Any use before `bind` throws.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { channelPorts } from '../conversations/delivery.js';
import { createStaffFanout } from '../conversations/staff-fanout.js';
import type { ChannelPorts, StaffNotifier } from '../conversations/types.js';
import { AppError } from '../errors.js';
import { createStaffCheck } from './staff.js';
import type { WiredChannel } from './wired.js';

export interface BoundChannels extends ChannelPorts {
  /** Every staff-facing channel's notifier (Slack, the terminal): each gets every approval and alert. */
  staff: StaffNotifier;
  /** Support's staff check (src/wiring/staff.ts). */
  isStaff(id: string): boolean;
}

export interface LateChannels extends BoundChannels {
  bind(channels: readonly WiredChannel[]): void;
}

/** Built from the channels once: nothing here changes afterwards. */
function boundChannels(config: Config, channels: readonly WiredChannel[], log: Logger): BoundChannels {
  const delivery = Object.fromEntries(channels.flatMap((c) => (c.deliver ? [[c.name, c.deliver]] : [])));
  const resolvers = Object.fromEntries(channels.flatMap((c) => (c.resolver ? [[c.name, c.resolver]] : [])));
  return {
    ...channelPorts(Object.freeze(delivery), Object.freeze(resolvers)),
    staff: createStaffFanout(Object.freeze(channels.flatMap((c) => (c.staffNotifier ? [c.staffNotifier] : []))), log),
    isStaff: createStaffCheck(config, channels),
  };
}

export function createLateChannels(config: Config, log: Logger): LateChannels {
  let bound: BoundChannels | undefined;
  const get = (): BoundChannels => {
    if (!bound) throw new AppError('internal', 'channels used before the composition bound them');
    return bound;
  };
  return {
    delivery: (prefix) => get().delivery(prefix),
    resolver: (channel) => get().resolver(channel),
    isStaff: (id) => get().isStaff(id),
    staff: {
      approvalRequested: async (approval) => get().staff.approvalRequested(approval),
      draftsReady: async (threadKey, drafts) => get().staff.draftsReady?.(threadKey, drafts),
      alert: async (text, details) => get().staff.alert(text, details),
    },
    bind(channels) {
      if (bound) throw new AppError('internal', 'channels bound twice');
      bound = boundChannels(config, channels, log);
    },
  };
}
