/** The `web` channel: the REST API under /api/v1, served by the HTTP server (it exists only where that server runs). */
import { createWebChannel, type WebChannel } from '../channels/web/index.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { ConversationsPort, CustomerDirectory } from '../conversations/types.js';
import type { Repositories } from '../store/repos/index.js';
import type { WiredChannel } from './wired.js';

export interface WebWiringDeps {
  config: Config;
  log: Logger;
  clock: () => Date;
  repos: Repositories;
  conversations: ConversationsPort;
  directory: CustomerDirectory;
}

export function wireWeb(d: WebWiringDeps): WiredChannel & { plugin: WebChannel['plugin'] } {
  const web = createWebChannel({
    apiKeys: d.repos.apiKeys, conversationStore: d.repos.conversations, conversations: d.conversations, directory: d.directory,
    log: d.log.child({ component: 'web' }), clock: d.clock, config: d.config.web,
  });
  // Nothing of its own to start: it answers on the HTTP server, which starts after it in the app's list.
  return { name: 'web', plugin: web.plugin, deliver: web.deliver, resolver: web.identity, start: () => {}, stop: () => {} };
}
