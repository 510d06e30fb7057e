/** Who counts as staff: the configured Slack staff, the local terminal operator when the terminal chat runs. */
import { TERMINAL_STAFF_ID } from '../channels/terminal/index.js';
import type { Config } from '../config/config.js';
import type { ChannelSet } from './channels.js';

/** Slack user-group members count too once the Slack channel exists (`channels.slack.staffAuth`, read at call time). */
export function createStaffCheck(config: Config, terminalRuns: boolean, channels: ChannelSet): (id: string) => boolean {
  const staffIds = new Set(config.slack.staffUserIds);
  if (terminalRuns) staffIds.add(TERMINAL_STAFF_ID);
  return (id) => staffIds.has(id) || Boolean(channels.slack?.staffAuth.isStaffSync(id));
}
