import type { Logger } from '../../config/index.js';
import type { ConversationsPort, ThreadEventsPort } from '../../conversations/types.js';
import type { ConversationRepository } from '../../store/repos/index.js';
import type { WebAuth, WebPrincipal } from './auth.js';
import type { WebLimitsConfig } from './limits.js';
import type { WebLiveMeter } from './live-frames.js';

/** What the live endpoints (WebSocket, SSE) need. */
export interface LiveDeps {
  auth: WebAuth;
  events: ThreadEventsPort;
  conversations: ConversationsPort;
  store: Pick<ConversationRepository, 'get'>;
  meter: WebLiveMeter;
  log: Logger;
  clock: () => Date;
  rate: WebLimitsConfig['rate'];
  /** The per-customer / per-key limits of REST requests (`callerLimit`): a socket's messages count against them too. */
  limit: (p: WebPrincipal) => void;
  /** WebSocket ping interval; a connection that did not answer the previous ping is dropped (default 30 s). */
  pingMs: number;
  /** SSE comment heartbeat interval (default 15 s). */
  heartbeatMs: number;
}
