import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../config/index.js';
import type { ConversationsPort, CustomerDirectory, DeliverPort, IdentityResolver, ThreadEventsPort } from '../../conversations/types.js';
import type { ApiKeyRepository, ConversationRepository } from '../../store/repos/index.js';
import { createApiKeys } from './api-keys.js';
import { createWebApi } from './api.js';
import { createWebAuth } from './auth.js';
import { callerLimit, type WebLimitsConfig } from './limits.js';
import { NO_METER, type WebLiveMeter } from './live-frames.js';
import { createWebReplies } from './replies.js';
import { widgetRoutes } from './routes-widget.js';
import { createWebTokens } from './tokens.js';

export interface WebChannelDeps {
  apiKeys: ApiKeyRepository;
  /** Read side of conversations: a customer's threads and a thread's transcript. */
  conversationStore: Pick<ConversationRepository, 'get' | 'listForCustomer'>;
  conversations: ConversationsPort;
  /** Live events of threads, for the WebSocket and SSE endpoints. */
  events: ThreadEventsPort;
  /** Counts live connections, messages and bytes (metrics); none by default. */
  meter?: WebLiveMeter | undefined;
  /** Keepalive intervals (tests shorten them): WebSocket ping (default 30 s), SSE heartbeat (default 15 s). */
  live?: { pingMs?: number | undefined; heartbeatMs?: number | undefined } | undefined;
  directory: Pick<CustomerDirectory, 'byId'>;
  log: Logger;
  clock: () => Date;
  config: WebLimitsConfig & {
    /** /chat may sign in as any demo customer, without a login: only on a developer's machine (see widget-demo.ts). */
    demoSignIn?: boolean | undefined;
    tokenSecret: string | undefined; tokenTtlSeconds: number; production: boolean; bodyLimitBytes: number; turnWaitMs: number };
}

export interface WebChannel {
  /** The web API (it mounts itself under /api/v1) and the chat widget (/widget.js, /widget.css, /chat), for the HTTP server. */
  plugin: FastifyPluginAsync;
  /** Replies into web threads (keyed `web` in the delivery map). */
  deliver: DeliverPort;
  /** A web sender is the customer the API authenticated (verified), else anonymous. */
  identity: IdentityResolver;
}

/** The `web` channel (issue 18): API keys and customer tokens for identity, the REST API, WebSocket and SSE under /api/v1. */
export function createWebChannel(deps: WebChannelDeps): WebChannel {
  const { config } = deps;
  const keys = createApiKeys({ apiKeys: deps.apiKeys, clock: deps.clock });
  const tokens = createWebTokens({ secret: config.tokenSecret, generate: !config.production, ttlSeconds: config.tokenTtlSeconds, clock: deps.clock });
  const limit = callerLimit(config.rate);
  const auth = createWebAuth({ keys, tokens, directory: deps.directory, limit });
  const replies = createWebReplies();
  const meter = deps.meter ?? NO_METER;
  const api = createWebApi({
    auth, tokens, log: deps.log, limits: config,
    threads: { auth, conversations: deps.conversations, store: deps.conversationStore, replies, turnWaitMs: config.turnWaitMs, clock: deps.clock, meter },
    live: {
      auth, events: deps.events, conversations: deps.conversations, store: deps.conversationStore, meter, log: deps.log, clock: deps.clock, rate: config.rate, limit,
      pingMs: deps.live?.pingMs ?? 30_000, heartbeatMs: deps.live?.heartbeatMs ?? 15_000,
    },
  });
  const identity: IdentityResolver = {
    async resolve(sender) {
      const c = sender.verified ? await deps.directory.byId(sender.id) : undefined;
      return c ? { kind: 'customer', customerId: c.id } : { kind: 'anonymous' };
    },
  };
  const bodyLimit = config.bodyLimitBytes;
  return {
    deliver: replies.deliver,
    identity,
    // Said when the API is served (an in-process session of the library uses no tokens).
    plugin: async (app) => {
      if (!config.tokenSecret) {
        deps.log.warn(config.production ? {} : { tokens: 'per-process secret' }, config.production
          ? 'WEB_TOKEN_SECRET is not set: the web API mints and accepts no customer tokens (API keys still work)'
          : 'WEB_TOKEN_SECRET is not set: customer tokens use a random secret of this process (they end with a restart)');
      }
      app.addHook('onRoute', (route) => {
        route.bodyLimit ??= bodyLimit;
      });
      await app.register(api, { prefix: '/api/v1' });
      widgetRoutes(app, config.demoSignIn ? { auth, tokens } : undefined);
    },
  };
}
