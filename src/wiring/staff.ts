/** Who counts as staff: the configured Slack staff, and whoever a channel that runs knows as staff. */
import type { Config } from '../config/config.js';
import type { WiredChannel } from './wired.js';

/** Slack user-group members (Slack's `staffAuth`), the local terminal operator when the terminal chat runs. */
export function createStaffCheck(config: Config, channels: readonly WiredChannel[]): (id: string) => boolean {
  const staffIds = new Set(config.slack.staffUserIds);
  const vouch = channels.flatMap((c) => (c.isStaff ? [c.isStaff] : []));
  return (id) => staffIds.has(id) || vouch.some((isStaff) => isStaff(id));
}
