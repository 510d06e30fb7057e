export { createSlackChannel, type SlackChannel, type SlackChannelDeps, type SlackStatus } from './channel.js';
export { escapeSlack, formatReply, toMrkdwn } from './format.js';
export { splitForSlack } from './split.js';
export { parseSlackThreadKey, slackThreadKey } from './thread-key.js';
