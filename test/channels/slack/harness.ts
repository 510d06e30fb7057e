import { ZodError } from 'zod';
import { isAppError } from '../../../src/errors.js';
import { errorResult } from '../../../src/mcp/result.js';
/** Shared set-up for the Slack channel tests: a fake Slack, fake conversations/agent, fake MCP tools, real Bolt. */
import type { Config } from '../../../src/config/config.js';
import { createLogger, silentLogger } from '../../../src/config/logger.js';
import type { ConnectTools, ConversationsPort, CustomerDirectory, CustomerRef, DeliverPort, InboundMessage } from '../../../src/conversations/types.js';
import type { Caller } from '../../../src/support/caller.js';
import { createSlackChannel, type SlackChannel, type SlackChannelDeps } from '../../../src/channels/slack/index.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';

export const SECRET = 'test-signing-secret';

export interface FakeConversations {
  port: ConversationsPort;
  handled: InboundMessage[];
  turns: InboundMessage[];
  notified: Array<{ threadKey: string; text: string }>;
  /** Threads with a conversation (as the store would hold them; add one to stand for a thread from before a restart). */
  knownThreads: Set<string>;
  connect(deliver: DeliverPort): void;
}

/** Dedupes on the message id like the real ledger, then "runs a turn" that replies through deliver. */
export function fakeConversations(reply: (m: InboundMessage) => string = (m) => `You said: ${m.text}`, delayMs = 5): FakeConversations {
  const seen = new Set<string>();
  const handled: InboundMessage[] = [];
  const turns: InboundMessage[] = [];
  const notified: Array<{ threadKey: string; text: string }> = [];
  const knownThreads = new Set<string>();
  let deliver: DeliverPort | undefined;
  return {
    handled,
    turns,
    notified,
    knownThreads,
    connect: (d) => { deliver = d; },
    port: {
      async handle(msg) {
        handled.push(msg);
        knownThreads.add(msg.threadKey);
        if (seen.has(msg.id)) return { accepted: false, reason: 'duplicate' };
        seen.add(msg.id);
        setTimeout(() => {
          turns.push(msg);
          void deliver?.deliver(msg.threadKey, { text: reply(msg), kind: 'reply', inReplyToId: msg.id });
        }, delayMs);
        return { accepted: true };
      },
      async notifyThread(threadKey, text) {
        notified.push({ threadKey, text });
        await deliver?.deliver(threadKey, { text, kind: 'notice' });
      },
      hasThread: async (threadKey) => knownThreads.has(threadKey),
      deliverStaffReplies: async () => [],
    },
  };
}

const AT = '2026-11-20T10:00:00.000Z';

/** A ticket as the ticket tools return it (every field their output schema guarantees), from the fields a test sets. */
export function toolTicket(t: { id: string; subject: string; messages?: Array<Record<string, unknown>> } & Record<string, unknown>): Record<string, unknown> & { messages: Array<Record<string, unknown>> } {
  const messages = (t.messages ?? []).map((m, i) => ({ id: `msg_${t.id}_${i}`, at: AT, author: { kind: 'customer', id: 'cus_001' }, visibility: 'public', body: '', ...m }));
  return { customerId: null, description: `${t.subject}.`, channel: 'slack', priority: 'normal', category: 'general', status: 'open', createdAt: AT, updatedAt: AT, ...t, messages };
}

/** get_account_details as the tool returns it, with these cards. */
export function toolAccountDetails(customerId: string, cards: Array<{ id: string; brand: string; last4: string; status: string }>): Record<string, unknown> {
  return {
    customer: { id: customerId, name: 'Ada Lovelace', email: 'ada@example.com', address: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1', country: 'GB' } },
    accounts: [],
    cards: cards.map((c) => ({ expMonth: 8, expYear: 2030, accountId: 'acc_1', ...c })),
  };
}

export type ToolHandler = (caller: Caller, name: string, args: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
export interface FakeTools { connect: ConnectTools; calls: Array<{ caller: Caller; name: string; args: Record<string, unknown> }>; sessions: { open: number } }

/** An MCP-shaped client: a handler result becomes structuredContent; a thrown error becomes an isError result. */
export function fakeTools(handler: ToolHandler): FakeTools {
  const calls: FakeTools['calls'] = [];
  const sessions = { open: 0 };
  return {
    calls,
    sessions,
    connect: async (caller) => {
      sessions.open += 1;
      return {
        client: {
          listTools: async () => ({ tools: [] }),
          callTool: async ({ name, arguments: args = {} }) => {
            calls.push({ caller, name, args });
            try {
              const structuredContent = await handler(caller, name, args);
              return { structuredContent, content: [{ type: 'text', text: 'ok' }] };
            } catch (err) {
              // What our tools fail with (AppError, ZodError) comes back as the real server sends it (typed `_meta`);
              // anything else stands for a protocol failure: text only.
              return isAppError(err) || err instanceof ZodError ? errorResult(err, name) : { isError: true, content: [{ type: 'text', text: (err as Error).message }] };
            }
          },
        },
        close: async () => { sessions.open -= 1; },
      };
    },
  };
}

export function fakeDirectory(customers: CustomerRef[]): CustomerDirectory {
  return {
    bySlackUserId: async (id) => customers.find((c) => c.slackUserId === id),
    byEmail: async (email) => customers.find((c) => c.email.toLowerCase() === email.toLowerCase()),
    byId: async (id) => customers.find((c) => c.id === id),
  };
}

export function slackConfig(fake: FakeSlack, over: Partial<Config['slack']> = {}): Config['slack'] {
  return {
    enabled: true, mode: 'http', botToken: 'xoxb-test', appToken: undefined, signingSecret: SECRET, port: 0,
    staffChannel: 'CSTAFF', staffUserIds: ['USTAFF'], staffUsergroup: undefined, apiUrl: fake.apiUrl, ...over,
  };
}

export interface Harness {
  fake: FakeSlack;
  channel: SlackChannel;
  convs: FakeConversations;
  url: string;
  stop(): Promise<void>;
}

export async function startHarness(opts: {
  config?: Partial<Config['slack']>;
  reply?: (m: InboundMessage) => string;
  conversations?: ConversationsPort;
  tools?: FakeTools;
  customers?: CustomerRef[];
  deps?: Partial<SlackChannelDeps>;
  fake?: FakeSlack;
} = {}): Promise<Harness> {
  const fake = opts.fake ?? (await startFakeSlack());
  const convs = fakeConversations(opts.reply);
  const channel = createSlackChannel({
    config: slackConfig(fake, opts.config),
    conversations: opts.conversations ?? convs.port,
    connectTools: (opts.tools ?? fakeTools(() => ({}))).connect,
    directory: fakeDirectory(opts.customers ?? []),
    log: silentLogger(),
    ...opts.deps,
  });
  convs.connect(channel.deliver);
  await channel.start();
  const port = channel.address()?.port;
  return {
    fake,
    channel,
    convs,
    url: `http://127.0.0.1:${port ?? 0}/slack/events`,
    async stop() {
      await channel.stop();
      await fake.close();
    },
  };
}

let counter = 0;
/** A unique Slack ts. */
export function nextTs(): string {
  counter += 1;
  return `1710000${String(counter).padStart(3, '0')}.${String(counter).padStart(6, '0')}`;
}

export function eventBody(fake: FakeSlack, event: Record<string, unknown>, eventId = `Ev${nextTs().replace('.', '')}`) {
  return { token: 'legacy', team_id: fake.teamId, api_app_id: 'A0APP', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event };
}

export function dm(fake: FakeSlack, o: { user?: string; text: string; ts?: string; thread_ts?: string; channel?: string; extra?: Record<string, unknown> }) {
  const ts = o.ts ?? nextTs();
  return eventBody(fake, { type: 'message', channel: o.channel ?? 'D0CUST', channel_type: 'im', user: o.user ?? 'UCUST', text: o.text, ts, client_msg_id: `cm-${ts}`, team: fake.teamId, ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}), ...o.extra });
}

export function mention(fake: FakeSlack, o: { user?: string; text: string; ts?: string; thread_ts?: string; channel?: string }) {
  const ts = o.ts ?? nextTs();
  return eventBody(fake, { type: 'app_mention', channel: o.channel ?? 'C0GEN', user: o.user ?? 'UCUST', text: `<@${fake.botUserId}> ${o.text}`, ts, client_msg_id: `cm-${ts}`, team: fake.teamId, ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}) });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real pino logger (our redaction config) whose JSON lines are kept in memory. */
export function captureLogger(level = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, destination: { write: (s: string) => { lines.push(s); } } });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Collects what the channel reports through `onDropped`, and any error that escaped to the process. */
export function watchDrops() {
  const reasons: string[] = [];
  return { reasons, onDropped: (r: string) => { reasons.push(r); }, count: (r: string) => reasons.filter((x) => x === r).length };
}

/** Errors that reached the process (unhandled rejections, uncaught exceptions) while `fn` ran and shortly after. */
export async function escapedErrors(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onError = (err: unknown) => { seen.push(err); };
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  try {
    await fn();
    await sleep(100);
  } finally {
    process.off('unhandledRejection', onError);
    process.off('uncaughtException', onError);
  }
  return seen;
}
