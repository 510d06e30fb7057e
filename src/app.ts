/**
 * The composition root as a library: builds every layer from a Config and starts/stops them in order.
 * `src/main.ts` (npm start), `src/channels/terminal/cli.ts` (npm run chat), tests and benchmarks use it.
 */
import type { Readable, Writable } from 'node:stream';
import { createAgent, createClaudeModel, createOfflineModel, type Agent, type ModelPort } from './agent/index.js';
import { TERMINAL_STAFF_ID, createTerminalChannel, type TerminalChannel } from './channels/terminal/index.js';
import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import { createConversations, createStaffFanout, createTranscripts, type Conversations } from './conversations/index.js';
import type { ConnectTools, CustomerDirectory, CustomerRef, DeliverPort, IdentityResolver, StaffNotifier } from './conversations/types.js';
import { connectInProcess } from './mcp/index.js';
import type { Channel, Customer } from './store/schema.js';
import { openFileStore } from './store/index.js';
import type { Store } from './store/types.js';
import type { Support } from './support/api.js';
import { createSupport } from './support/index.js';
import { createMetrics, type Metrics } from './config/metrics.js';
import { createObservability, startChannels, type ChannelSet } from './wiring/index.js';


export interface AppOptions {
  log: Logger;
  /** 'auto' (default): the terminal chat runs only when no other channel is configured. */
  terminal?: 'auto' | 'always' | 'never';
  input?: Readable;
  output?: Writable;
  /** Replace the model (tests, benchmarks); default Claude with a key, else the offline assistant. */
  model?: ModelPort;
  /** Replace the store (tests, benchmarks); default the JSON file store from config. */
  store?: Store;
  clock?: () => Date;
  /** Override the HTTP port from config (tests: 0 = any free port). */
  httpPort?: number;
  /** How often pending approvals past their expiry are expired and their threads told (default 60 s; 0 = never). */
  approvalSweepMs?: number;
}

export interface App {
  config: Config;
  store: Store;
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

function ref(c: Customer | undefined): CustomerRef | undefined {
  return c ? { id: c.id, name: c.name, email: c.email, slackUserId: c.slackUserId } : undefined;
}

export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const { log } = opts;
  const clock = opts.clock ?? (() => new Date());
  const store = opts.store ?? (await openFileStore({ file: config.dataFile, seedFile: config.seedFile, log: log.child({ component: 'store' }) }));

  const terminalMode = opts.terminal ?? 'auto';
  const otherChannels = config.slack.enabled || config.email.enabled;
  const runTerminal = terminalMode === 'always' || (terminalMode === 'auto' && !otherChannels);

  // Staff allow-list: configured Slack staff, plus the local operator when the terminal chat runs.
  // Slack user-group members count too once the Slack channel exists (`wired.slack.staffAuth`).
  const staffIds = new Set(config.slack.staffUserIds);
  if (runTerminal) staffIds.add(TERMINAL_STAFF_ID);
  const wired: ChannelSet = {};
  const isStaff = (id: string) => staffIds.has(id) || Boolean(wired.slack?.staffAuth.isStaffSync(id));
  const support = createSupport({
    store, kbDir: config.kbDir, staff: { isStaff },
    approvalTtlMinutes: config.approvals.ttlMinutes, resetTokenTtlMinutes: config.approvals.resetTokenTtlMinutes,
    publicBaseUrl: config.approvals.publicBaseUrl, clock, log: log.child({ component: 'support' }),
  });
  const metrics = createMetrics();
  const observe = createObservability(metrics);
  const mcpLog = log.child({ component: 'mcp' });
  const connectTools: ConnectTools = observe.tools((caller, ctx) => connectInProcess({ support, caller, context: ctx, log: mcpLog }));
  const directory: CustomerDirectory = {
    byId: (id) => ref(support.accounts.customer(id)),
    byEmail: (email) => ref(support.accounts.customerByEmail(email)),
    bySlackUserId: (id) => ref(support.accounts.customerBySlackUserId(id)),
  };

  const model = observe.model(opts.model ?? (config.anthropic.apiKey ? createClaudeModel(config.anthropic) : createOfflineModel()));
  const modelLabel = opts.model ? model.name : config.anthropic.apiKey ? `Claude ${config.anthropic.model}` : 'offline assistant (no ANTHROPIC_API_KEY)';
  const transcripts = createTranscripts({ store, clock });
  const agent = observe.agent(createAgent({ model, transcripts, config: { ...config.agent, maxTokens: config.anthropic.maxTokens }, log: log.child({ component: 'agent' }) }));

  // Filled in below as channels are created; conversations looks them up at call time.
  const delivery: Record<string, DeliverPort> = {};
  const resolvers: Partial<Record<Channel, IdentityResolver>> = {};
  const staffNotifiers: StaffNotifier[] = [];
  const conversations = createConversations({
    store, agent, connectTools, resolvers, delivery, staff: createStaffFanout(staffNotifiers, log),
    config: config.conversations, log: log.child({ component: 'conversations' }), clock,
  });

  const channels: string[] = [];
  const stoppers: Array<() => Promise<void> | void> = [];
  const starters: Array<() => Promise<void> | void> = [];

  // Slack, email and the HTTP server, each when configured (src/wiring/channels.ts).
  startChannels({
    config, log, clock, store, support, conversations: observe.inbound(conversations), connectTools, directory,
    delivery, resolvers, staffNotifiers, starters, stoppers, channels,
    httpPort: opts.httpPort, metricsText: () => observe.scrape(store), into: wired,
  });

  let terminal: TerminalChannel | undefined;
  let terminalDone: Promise<void> = new Promise<void>(() => {});
  if (runTerminal) {
    const t = createTerminalChannel({
      input: opts.input ?? process.stdin, output: opts.output ?? process.stdout,
      conversations, directory, connectTools, modelLabel, log: log.child({ component: 'terminal' }),
      staffId: TERMINAL_STAFF_ID, threadExists: (k) => k in store.read().conversations,
    });
    terminal = t;
    delivery.terminal = t.deliver;
    resolvers.terminal = t.resolver;
    staffNotifiers.push(t.staff);
    let markDone!: () => void;
    terminalDone = new Promise<void>((r) => { markDone = r; });
    starters.push(() => { void t.run().catch((err: unknown) => log.error({ err: String(err) }, 'terminal chat failed')).finally(markDone); });
    stoppers.push(() => t.close());
    channels.push('terminal');
  }

  let sweep: NodeJS.Timeout | undefined;
  async function expireApprovals(): Promise<void> {
    const expired = await support.approvals.expireDue();
    for (const a of expired) {
      if (!a.threadKey) continue;
      const what = a.action === 'card_deactivation' ? 'deactivate your card' : 'change your password';
      await conversations.notifyThread(a.threadKey, `Your request to ${what} expired before our staff could review it, so nothing was changed. Just ask again if you still need it.`)
        .catch((err: unknown) => log.warn({ approvalId: a.id, err: String(err) }, 'could not tell the thread an approval expired'));
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    config, store, support, model, modelLabel, agent, conversations, connectTools, directory, terminal, channels, wired, metrics,
    get terminalDone() { return terminalDone; },
    async start() {
      log.info({ model: modelLabel, store: store.location, terminal: runTerminal, slack: config.slack.enabled, email: config.email.enabled }, 'helpline starting');
      await conversations.start();
      for (const s of starters) await s();
      const every = opts.approvalSweepMs ?? 60_000;
      if (every > 0) {
        sweep = setInterval(() => { void expireApprovals().catch((err: unknown) => log.warn({ err: String(err) }, 'approval sweep failed')); }, every);
        sweep.unref();
      }
    },
    stop() {
      stopped ??= (async () => {
        if (sweep) clearInterval(sweep);
        for (const s of stoppers) {
          try { await s(); } catch (err) { log.warn({ err: String(err) }, 'channel stop failed'); }
        }
        await conversations.stop();
        await store.close();
        log.info('helpline stopped');
      })();
      return stopped;
    },
  };
}
