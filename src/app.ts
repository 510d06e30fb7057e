/**
 * The composition root as a library: builds every layer from a Config and starts/stops them in order.
 * `src/main.ts` (npm start), `src/channels/terminal/cli.ts` (npm run chat), tests and benchmarks use it.
 * The pieces it wires live in `src/wiring/`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { createAgent, type Agent, type ModelPort } from './agent/index.js';
import type { TerminalChannel } from './channels/terminal/index.js';
import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import { createMetrics, type Metrics } from './config/metrics.js';
import { allowedLinkDomains, createConversations, createOutboundPolicy, createTranscripts, type Conversations } from './conversations/index.js';
import type { ConnectTools, CustomerDirectory } from './conversations/types.js';
import { localRelay, type ThreadEventRelay } from './store/event-relay.js';
import { openRepositories } from './store/open.js';
import type { Repositories } from './store/repos/index.js';
import type { Support } from './support/api.js';
import { createSupport } from './support/index.js';
import {
  built, chooseModel, createApprovalSweep, heapHeadroom, createDirectory, createLateChannels, createObservability, createToolConnector, isWiredChannel, readinessChecks, terminalRuns,
  httpPortOf, wireDevMailbox, wireEmail, wireHttp, wireOps, wireSlack, wireTerminal, wireWeb, type ChannelSet, type TerminalMode, type Wired, type WiredChannel,
} from './wiring/index.js';

export interface AppOptions {
  log: Logger;
  /** 'auto' (default): the terminal chat runs only when no other channel is configured. */
  terminal?: TerminalMode;
  input?: Readable;
  output?: Writable;
  /** Replace the model (tests, benchmarks); default Claude with a key, else the offline assistant. */
  model?: ModelPort;
  /** Replace the store (tests, benchmarks: e.g. createMemoryRepositories); default the engine from config. */
  repos?: Repositories;
  /** With `repos`: how live thread events reach other instances sharing them (default: they do not). */
  relay?: ThreadEventRelay;
  /** A name for this instance (lease holder among several); default host:pid:random. */
  instanceId?: string;
  /** Other instances share `repos` (default: true on PostgreSQL, false for the JSON file or given repositories). */
  shared?: boolean;
  clock?: () => Date;
  /** Override the HTTP port from config (tests: 0 = any free port). */
  httpPort?: number;
  /** With the dev mailbox on and no HTTP port set: where its page is served (launch: PUBLIC_BASE_URL's loopback port). */
  devHttpPort?: number;
  /** How often pending approvals past their expiry are expired and their threads told (default 60 s; 0 = never). */
  approvalSweepMs?: number;
  /** Run the web channel's threads in this process even when no HTTP server serves its API (the library's sessions). */
  webSessions?: boolean;
  /** The web channel's keepalive intervals (tests shorten them): WebSocket ping, SSE heartbeat. */
  webLive?: { pingMs?: number | undefined; heartbeatMs?: number | undefined } | undefined;
}

export interface App {
  config: Config;
  repos: Repositories;
  /** Where the data lives (a file, or host/database; never a password). */
  storeLocation: string;
  support: Support;
  model: ModelPort;
  /** "Claude <model>" or "offline assistant (no ANTHROPIC_API_KEY)". */
  modelLabel: string;
  agent: Agent;
  conversations: Conversations;
  connectTools: ConnectTools;
  directory: CustomerDirectory;
  terminal: TerminalChannel | undefined;
  /** Names of the channels this app runs (e.g. ['slack', 'email'] or ['terminal']). */
  channels: string[];
  /** Slack, email and the HTTP server as configured (each undefined when not). */
  wired: ChannelSet;
  metrics: Metrics;
  /** Re-queue left-over messages, start channels. Resolves once they are running. */
  start(): Promise<void>;
  /** Resolves when the terminal session ends (quit / end of input); never when no terminal runs. */
  terminalDone: Promise<void>;
  /** Stop channels, finish or re-queue turns in flight, flush and close the store. Safe to call twice. */
  stop(): Promise<void>;
}

export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const { log } = opts;
  const clock = opts.clock ?? (() => new Date());
  const instanceId = opts.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const opened = opts.repos
    ? { repos: opts.repos, location: 'provided', file: undefined, relay: opts.relay ?? localRelay() }
    : await openRepositories({ databaseUrl: config.databaseUrl, dataFile: config.dataFile, seedFile: config.seedFile, log: log.child({ component: 'store' }), instance: instanceId });
  const { repos, relay } = opened;
  const runTerminal = terminalRuns(config, opts.terminal ?? 'auto');

  // Channels are built from conversations, which needs them back: this is the one object bound to them, once, below.
  const late = createLateChannels(config, log);
  const support = createSupport({
    repos, kbDir: config.kbDir, staff: { isStaff: late.isStaff },
    approvalTtlMinutes: config.approvals.ttlMinutes, resetTokenTtlMinutes: config.approvals.resetTokenTtlMinutes,
    publicBaseUrl: config.approvals.publicBaseUrl, clock, log: log.child({ component: 'support' }),
    // Reset links go out by email; with no mail server, to the local dev mailbox (outside production); else
    // password changes are refused up front.
    resetDelivery: config.email.enabled, devMailbox: config.devMailbox.enabled,
  });
  const metrics = createMetrics();
  const observe = createObservability(metrics);
  const mcpLog = log.child({ component: 'mcp' });
  const connectTools: ConnectTools = observe.tools(createToolConnector({ support, log: mcpLog }));
  const directory = createDirectory(support.accounts);

  const chosen = chooseModel(config.anthropic, opts.model);
  const model = observe.model(chosen.model);
  const modelLabel = chosen.label;
  const transcripts = createTranscripts({ repos, clock });
  const agent = observe.agent(createAgent({ model, transcripts, config: { ...config.agent, maxTokens: config.anthropic.maxTokens }, log: log.child({ component: 'agent' }) }));

  const conversations = createConversations({
    repos, holder: instanceId, shared: opts.shared ?? ('engine' in opened && opened.engine === 'postgres'), agent, transcripts, connectTools, channels: late, staff: late.staff,
    outbound: createOutboundPolicy({ allowedLinkDomains: allowedLinkDomains(config.conversations.linkDomains ?? [], config.approvals.publicBaseUrl) }),
    config: config.conversations, log: log.child({ component: 'conversations' }), clock, email: config.email.enabled, relay,
  });

  // Each channel when configured (src/wiring/); the app starts and stops them in this order.
  const deps = { config, log, clock, repos, instanceId, support, conversations: observe.inbound(conversations), connectTools, directory, metrics };
  const slack = config.slack.enabled ? wireSlack(deps) : undefined;
  const email = config.email.enabled ? wireEmail({ ...deps, staff: late.staff }) : undefined;
  const term = runTerminal
    ? wireTerminal({ ...deps, conversations, input: opts.input ?? process.stdin, output: opts.output ?? process.stdout, modelLabel,
      devMailboxUrl: config.devMailbox.enabled && (opts.httpPort ?? config.http.port ?? opts.devHttpPort) !== undefined ? `${config.approvals.publicBaseUrl.replace(/\/+$/, '')}/dev/mailbox` : undefined })
    : undefined;
  const mailbox = config.devMailbox.enabled ? wireDevMailbox({ ...deps, onMail: term && ((mail) => term.terminal.showDevMail(mail)) }) : undefined;
  const served = { config, log, support, checks: readinessChecks(repos, built<WiredChannel>(slack, email)), metricsText: () => observe.scrape(repos, relay) };
  // The web API answers wherever the HTTP server runs.
  const web = opts.webSessions || httpPortOf({ config, httpPort: opts.httpPort, devHttpPort: opts.devHttpPort, devMailbox: mailbox !== undefined }).port !== undefined ? wireWeb({ ...deps, events: conversations, live: opts.webLive }) : undefined;
  const http = wireHttp({ ...served, httpPort: opts.httpPort, devHttpPort: opts.devHttpPort, devMailbox: mailbox?.page, plugins: web ? [web.plugin] : undefined });
  const ops = wireOps(served);
  const parts = built<Wired>(slack, email, mailbox, web, http, ops, term);
  const channels = parts.filter(isWiredChannel);
  late.bind(channels);
  const wired: ChannelSet = { slack: slack?.slack, email: email?.email, get http() { return http?.server(); }, get ops() { return ops?.server(); } };
  const terminalDone = term?.done ?? new Promise<void>(() => {});
  const sweep = createApprovalSweep({ approvals: support.approvals, conversations, leases: repos.leases, holder: instanceId, log, everyMs: opts.approvalSweepMs ?? 60_000 });

  let stopped: Promise<void> | undefined;
  return {
    config, repos, storeLocation: opened.location, support, model, modelLabel, agent, conversations, connectTools, directory, terminal: term?.terminal, channels: channels.map((c) => c.name), wired, metrics,
    get terminalDone() { return terminalDone; },
    async start() {
      const heap = heapHeadroom(opened.file);
      log.info({ model: modelLabel, store: opened.location, instance: instanceId, terminal: runTerminal, slack: config.slack.enabled, email: config.email.enabled, devMailbox: config.devMailbox.enabled, heapLimitMb: heap.heapLimitMb }, 'helpline starting');
      if (heap.tight) log.warn({ heapLimitMb: heap.heapLimitMb, storeMb: heap.storeMb }, 'heap limit is tight for the store size: raise HELPLINE_HEAP_MB');
      await relay.start();
      await conversations.start();
      for (const p of parts) await p.start();
      sweep.start();
    },
    stop() {
      stopped ??= (async () => {
        await sweep.stop();
        for (const p of parts) {
          try { await p.stop(); } catch (err) { log.warn({ err: String(err) }, 'channel stop failed'); }
        }
        await conversations.stop();
        await relay.stop();
        await repos.close();
        log.info('helpline stopped');
      })();
      return stopped;
    },
  };
}
