/** The `web` channel: the REST API, WebSocket and SSE under /api/v1, served by the HTTP server (it exists only where that server runs). */
import { createWebChannel, type WebChannel } from '../channels/web/index.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Metrics } from '../config/metrics.js';
import type { ConversationsPort, CustomerDirectory, ThreadEventsPort } from '../conversations/types.js';
import type { Repositories } from '../store/repos/index.js';
import type { WiredChannel } from './wired.js';

export interface WebWiringDeps {
  config: Config;
  log: Logger;
  clock: () => Date;
  repos: Repositories;
  conversations: ConversationsPort;
  /** Live events (the conversations object itself: the metrics decorator of `conversations` has no subscribe). */
  events: ThreadEventsPort;
  directory: CustomerDirectory;
  metrics: Metrics;
  live?: { pingMs?: number | undefined; heartbeatMs?: number | undefined } | undefined;
}

export function wireWeb(d: WebWiringDeps): WiredChannel & { plugin: WebChannel['plugin'] } {
  const web = createWebChannel({
    apiKeys: d.repos.apiKeys, conversationStore: d.repos.conversations, conversations: d.conversations, events: d.events, directory: d.directory,
    log: d.log.child({ component: 'web' }), clock: d.clock,
    // The demo page's sign-in has no login: only where the dev mailbox is (config: no mail server, not production).
    config: { ...d.config.web, demoSignIn: d.config.devMailbox.enabled }, live: d.live,
    meter: {
      opened: (transport) => {
        d.metrics.webSessions.inc({ transport });
        d.metrics.webSessionsOpen.inc({ transport });
      },
      closed: (transport) => d.metrics.webSessionsOpen.dec({ transport }),
      received: (transport) => d.metrics.webMessages.inc({ transport }),
      sent: (transport, bytes) => d.metrics.webStreamedBytes.inc({ transport }, bytes),
    },
  });
  // Nothing of its own to start: it answers on the HTTP server, which starts after it in the app's list.
  return { name: 'web', plugin: web.plugin, deliver: web.deliver, resolver: web.identity, start: () => {}, stop: () => {} };
}
