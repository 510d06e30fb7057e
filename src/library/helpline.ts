/** `createHelpline`: the whole app in process, with sessions an embedding backend opens for its customers. */
import { createApp, type App } from '../app.js';
import { createLogger } from '../config/logger.js';
import { defaultRepositories, libraryConfig, type HelplineOptions } from './options.js';
import { createSession, type HelplineSession } from './session.js';

export interface Helpline {
  /** A chat for this customer, which the calling code has authenticated (it vouches for them, like an API key). */
  session(opts: { customerId: string }): HelplineSession;
  /** "Claude <model>" or the offline assistant. */
  readonly model: string;
  /** The app underneath (its support operations, repositories, metrics), for what a session does not cover. */
  readonly app: App;
  /** Stop everything (finishing turns in flight) and close the store. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds and starts Helpline: the offline assistant unless an Anthropic key is given, the bundled demo data in memory
 * unless `dataFile`/`databaseUrl` is given, and no channel running (no terminal; Slack, email or the HTTP API only
 * when configured through `env`). Approvals the assistant opens are decided by staff in Slack or the terminal.
 */
export async function createHelpline(options: HelplineOptions = {}): Promise<Helpline> {
  const config = libraryConfig(options);
  const log = options.log ?? createLogger({ level: config.env.LOG_LEVEL });
  const clock = options.clock ?? (() => new Date());
  const app = await createApp(config, { log, clock, terminal: 'never', webSessions: true, model: options.model, repos: defaultRepositories(config, options) });
  try {
    await app.start();
  } catch (err) {
    await app.stop();
    throw err;
  }
  let closed = false;
  const deps = {
    conversations: app.conversations, directory: app.directory, conversationStore: app.repos.conversations, approvals: app.repos.approvals,
    clock, replyTimeoutMs: config.agent.turnTimeoutMs * 2, closed: () => closed,
  };
  return {
    session: ({ customerId }) => createSession(deps, customerId),
    model: app.modelLabel,
    app,
    close: () => {
      closed = true;
      return app.stop();
    },
  };
}
