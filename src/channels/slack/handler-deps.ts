import type { WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { ConnectTools } from '../../conversations/types.js';
import type { SlackIdentity } from './identity.js';
import type { LaneRunner } from './rate-limit.js';

/** What every Bolt handler registration gets from the channel. */
export interface SlackHandlerDeps {
  client: WebClient;
  lanes: LaneRunner;
  identity: SlackIdentity;
  connectTools: ConnectTools;
  teamOk: (teamId: string | undefined) => boolean;
  log: Logger;
}
