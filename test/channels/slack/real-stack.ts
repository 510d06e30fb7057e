/**
 * The real layers under the Slack channel for end-to-end tests: the test engine's store (memory, or PostgreSQL in the
 * `postgres` project) → support → in-process MCP →
 * agent (with a scripted model) → conversations → Slack channel (real Bolt) → fake Slack on 127.0.0.1.
 */
import { createAgent, type ModelPort, type ModelRequest, type ModelResponse } from '../../../src/agent/index.js';
import { createSlackChannel, type SlackChannel } from '../../../src/channels/slack/index.js';
import type { Config } from '../../../src/config/config.js';
import { silentLogger, type Logger } from '../../../src/config/logger.js';
import { channelPorts, createConversations, createTranscripts, type Conversations } from '../../../src/conversations/index.js';
import { createStaffFanout } from '../../../src/conversations/staff-fanout.js';
import type { CustomerDirectory, CustomerRef } from '../../../src/conversations/types.js';
import { connectInProcess } from '../../../src/mcp/index.js';
import type { MemorySnapshot } from '../../../src/store/memory/index.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import { emptyDb, type Customer, type Db } from '../../../src/store/schema.js';
import { createSupport } from '../../../src/support/index.js';
import type { Support } from '../../../src/support/api.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';
import { slackConfig } from './harness.js';

const usage = { input_tokens: 10, output_tokens: 5 };
const text = (t: string): ModelResponse => ({ content: [{ type: 'text', text: t }], stop_reason: 'end_turn', usage });

/** A model that asks for a card deactivation when the customer says "deactivate", otherwise echoes. */
export function scriptedModel(): { model: ModelPort; requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    requests,
    model: {
      name: 'scripted',
      async createMessage(req) {
        requests.push(req);
        const last = req.messages.at(-1);
        const blocks = last?.content ?? [];
        const results = blocks.filter((b) => b.type === 'tool_result') as Array<{ content: string; is_error?: boolean }>;
        if (results.length) return text(`Request noted: ${results.map((r) => r.content).join(' ')}`);
        const said = blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(' ');
        if (/deactivate/i.test(said)) {
          return { content: [{ type: 'tool_use', id: `tu_${requests.length}`, name: 'request_card_deactivation', input: { last4: '4242', reason: 'Customer says: lost my card at the station' } }], stop_reason: 'tool_use', usage };
        }
        return text(`Echo: ${said}`);
      },
    },
  };
}

export function seedDb(): Db {
  const db = emptyDb();
  const at = '2025-01-01T00:00:00.000Z';
  const customer = (id: string, name: string, email: string, slackUserId?: string): Customer => ({
    id, name, email, ...(slackUserId ? { slackUserId } : {}), createdAt: at,
    address: { line1: '1 Main St', city: 'London', postalCode: 'N1 1AA', country: 'GB' },
  });
  db.customers.push(customer('cus_001', 'Ada Lovelace', 'ada@example.com', 'UCUST'), customer('cus_002', 'Bob Stone', 'bob@example.com', 'UBOB'));
  db.accounts.push({ id: 'acc_1', customerId: 'cus_001', type: 'checking', currency: 'GBP', balanceMinor: 120_00, status: 'open', openedAt: at });
  db.accounts.push({ id: 'acc_2', customerId: 'cus_002', type: 'checking', currency: 'GBP', balanceMinor: 50_00, status: 'open', openedAt: at });
  db.cards.push({ id: 'card_1', customerId: 'cus_001', accountId: 'acc_1', brand: 'visa', last4: '4242', status: 'active', expMonth: 1, expYear: 2030 });
  const ticket = (id: string, customerId: string, subject: string) => ({
    id, customerId, subject, description: subject, channel: 'slack' as const, priority: 'normal' as const, category: 'general' as const, sentiment: 0,
    status: 'open' as const, createdAt: at, updatedAt: at, messages: [{ id: `m_${id}`, at, author: { kind: 'customer' as const, id: customerId }, visibility: 'public' as const, body: subject }],
    history: [{ at, from: null, to: 'open' as const, by: { kind: 'customer' as const, id: customerId } }],
  });
  db.tickets.push(ticket('T-1001', 'cus_001', 'Ada card question'), ticket('T-1002', 'cus_002', 'Bob private matter'));
  return db;
}

export interface RealStack {
  fake: FakeSlack;
  repos: Repositories;
  /** Everything stored, now (assertions). */
  db(): Promise<MemorySnapshot>;
  support: Support;
  conversations: Conversations;
  channel: SlackChannel;
  requests: ModelRequest[];
  url: string;
  /** Move the business clock (support, conversations) forward. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

export interface RealStackOptions {
  /** The Slack channel's own logger (default silent); the other layers stay silent. */
  slackLog?: Logger;
  config?: Partial<Config['slack']>;
  onDropped?: (reason: string) => void;
  /** The model (default: the scripted one above). */
  model?: ModelPort;
  /** Whether the email channel counts as configured (reset links, replies to tickets without a thread); default true. */
  email?: boolean;
}

export async function startRealStack(opts: RealStackOptions = {}): Promise<RealStack> {
  const fake = await startFakeSlack();
  const log = silentLogger();
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const repos = await reposFor(seedDb());
  let channel: SlackChannel | undefined;
  const support = createSupport({
    repos, kbDir: 'data/kb', staff: { isStaff: (id) => channel?.staffAuth.isStaffSync(id) ?? false },
    approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080', clock, log, resetDelivery: opts.email ?? true,
  });
  const ref = (c: Customer | undefined): CustomerRef | undefined => (c ? { id: c.id, name: c.name, email: c.email, slackUserId: c.slackUserId } : undefined);
  const directory: CustomerDirectory = {
    byId: async (id) => ref(await support.accounts.customer(id)),
    byEmail: async (email) => ref(await support.accounts.customerByEmail(email)),
    bySlackUserId: async (id) => ref(await support.accounts.customerBySlackUserId(id)),
  };
  const connectTools = (caller: Parameters<typeof connectInProcess>[0]['caller'], ctx: { threadKey?: string; channel?: 'slack' | 'email' | 'terminal' | 'web' | 'phone' }) =>
    connectInProcess({ support, caller, context: ctx, log });
  const scripted = scriptedModel();
  const model = opts.model ?? scripted.model;
  const requests = scripted.requests;
  const agent = createAgent({ model, transcripts: createTranscripts({ repos, clock }), config: { maxRounds: 4, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 512 }, log });
  const delivery: Record<string, import('../../../src/conversations/types.js').DeliverPort> = {};
  const resolvers: Record<string, import('../../../src/conversations/types.js').IdentityResolver> = {};
  const notifiers: import('../../../src/conversations/types.js').StaffNotifier[] = [];
  const conversations = createConversations({
    repos, agent, connectTools, channels: channelPorts(delivery, resolvers),
    staff: createStaffFanout(notifiers, log),
    config: { concurrency: 4, queueLimit: 100, retryBaseMs: 50, retryMaxMs: 200 }, log, clock, email: opts.email ?? true,
  });
  channel = createSlackChannel({
    config: slackConfig(fake, { staffUserIds: ['USTAFF', 'USTAFF2'], ...opts.config }), conversations, connectTools, directory, log: opts.slackLog ?? log, clock,
    onCardPosted: (id, cardRef) => support.approvals.setStaffMessage(id, cardRef),
    onDraftPosted: (id, cardRef) => support.drafts.setStaffMessage(id, cardRef),
    // as src/wiring/channels.ts wires it
    readApproval: async (id, staffId) => support.approvals.get({ kind: 'staff', staffId }, id),
    onDropped: opts.onDropped,
  });
  delivery['slack'] = channel.deliver;
  resolvers['slack'] = channel.identity;
  notifiers.push(channel.staff);
  await conversations.start();
  await channel.start();
  const ch = channel;
  return {
    fake, repos, db: () => storedRows(repos), support, conversations, channel: ch, requests,
    url: `http://127.0.0.1:${ch.address()?.port ?? 0}/slack/events`,
    advance: (ms) => { offset += ms; },
    async stop() {
      await ch.stop();
      await conversations.stop();
      await fake.close();
    },
  };
}
