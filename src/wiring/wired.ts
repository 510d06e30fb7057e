/** What each piece of channel wiring returns; app.ts composes start/stop, `App.channels` and the channel ports from a list of them. */
import type { ReadinessCheck } from '../channels/http/index.js';
import type { DeliverPort, IdentityResolver, StaffNotifier } from '../conversations/types.js';
import type { Channel } from '../store/schema.js';

/** Something the app starts and stops (started in list order, stopped in the same order). */
export interface Wired {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** A channel as built: listed in `App.channels` by `name`, and what it offers the rest of the app. */
export interface WiredChannel extends Wired {
  name: Channel | 'http';
  /** Delivers the threads whose key starts with `name:`. */
  deliver?: DeliverPort | undefined;
  /** Resolves senders on channel `name` to callers. */
  resolver?: IdentityResolver | undefined;
  /** Shows staff approvals, drafts and alerts (a staff-facing channel). */
  staffNotifier?: StaffNotifier | undefined;
  /** Someone this channel knows as staff (Slack's user group, the terminal operator), for support's staff check. */
  isStaff?: ((id: string) => boolean) | undefined;
  /** What the channel adds to /readyz. */
  checks?: Record<string, ReadinessCheck> | undefined;
}

export function isWiredChannel(w: Wired): w is WiredChannel {
  return 'name' in w;
}

/** The pieces that were built, in order (one not configured is undefined). */
export function built<T>(...parts: Array<T | undefined>): T[] {
  return parts.filter((p): p is T => p !== undefined);
}
