/** Slack thread keys: `slack:<team>:<channel>:<thread root ts>`. */
export interface SlackThreadRef { team: string; channel: string; threadTs: string }

export function slackThreadKey(ref: SlackThreadRef): string {
  return `slack:${ref.team}:${ref.channel}:${ref.threadTs}`;
}

export function parseSlackThreadKey(threadKey: string): SlackThreadRef | undefined {
  const m = /^slack:([^:]+):([^:]+):(\d+\.\d+)$/.exec(threadKey);
  if (!m) return undefined;
  return { team: m[1] as string, channel: m[2] as string, threadTs: m[3] as string };
}
