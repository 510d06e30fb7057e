/**
 * The real layers under the channels, built the way `src/app.ts` builds them: repositories → support → in-process MCP →
 * agent (with a model the benchmark supplies) → conversations, with a recording delivery port and a resolver
 * that maps every sender to a seeded customer. Channel benchmarks add their channel on top.
 */
import { createAgent, type ModelPort, type ModelRequest, type ModelResponse } from '../src/agent/index.js';
import { silentLogger, type Logger } from '../src/config/logger.js';
import { channelPorts, createConversations, createTranscripts, type Conversations } from '../src/conversations/index.js';
import type { ConnectTools, DeliverPort, IdentityResolver, OutboundReply, StaffNotifier } from '../src/conversations/types.js';
import type { Channel } from '../src/store/schema.js';
import type { Repositories } from '../src/store/repos/index.js';
import type { Support } from '../src/support/api.js';
import { createSupport } from '../src/support/index.js';
import { createToolConnector } from '../src/wiring/index.js';

export interface Delivery { threadKey: string; reply: OutboundReply; at: number }

export interface StackOptions {
  repos: Repositories;
  model: ModelPort;
  concurrency?: number;
  queueLimit?: number;
  log?: Logger;
  /** Map a sender id to a customer id (default: every sender is cus_001). */
  customerOf?: (senderId: string) => string;
  /** Called on every delivery (after it is recorded). */
  onDeliver?: (d: Delivery) => void;
  /** Keep delivered replies in `deliveries` (default true; the memory benchmark turns it off). */
  record?: boolean;
}

export interface Stack {
  repos: Repositories;
  support: Support;
  conversations: Conversations;
  connectTools: ConnectTools;
  deliveries: Delivery[];
  delivery: Record<string, DeliverPort>;
  resolvers: Partial<Record<Channel, IdentityResolver>>;
  staff: StaffNotifier & { approvals: number };
  stop(): Promise<void>;
}

export async function buildStack(o: StackOptions): Promise<Stack> {
  const log = o.log ?? silentLogger();
  const support = createSupport({
    repos: o.repos, kbDir: 'data/kb', staff: { isStaff: () => false },
    approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080', log,
  });
  const connectTools: ConnectTools = createToolConnector({ support, log });
  const transcripts = createTranscripts({ repos: o.repos });
  const agent = createAgent({
    model: o.model, transcripts,
    config: { maxRounds: 8, turnTimeoutMs: 60_000, contextTokens: 60_000, maxTokens: 1024 }, log,
  });
  const deliveries: Delivery[] = [];
  const record = o.record ?? true;
  const recorder: DeliverPort = {
    async deliver(threadKey, reply) {
      const d = { threadKey, reply, at: performance.now() };
      if (record) deliveries.push(d);
      o.onDeliver?.(d);
    },
  };
  const customerOf = o.customerOf ?? (() => 'cus_001');
  const resolver: IdentityResolver = { resolve: async (sender) => ({ kind: 'customer', customerId: customerOf(sender.id) }) };
  const delivery: Record<string, DeliverPort> = { slack: recorder, email: recorder, terminal: recorder };
  const resolvers: Partial<Record<Channel, IdentityResolver>> = { slack: resolver, email: resolver, terminal: resolver };
  const staff = { approvals: 0, async approvalRequested() { staff.approvals++; }, async alert() {} };
  const conversations = createConversations({
    repos: o.repos, agent, transcripts, connectTools, channels: channelPorts(delivery, resolvers), staff,
    config: { concurrency: o.concurrency ?? 8, queueLimit: o.queueLimit ?? 100_000, retryBaseMs: 50, retryMaxMs: 500 }, log,
  });
  await conversations.start();
  return {
    repos: o.repos, support, conversations, connectTools, deliveries, delivery, resolvers, staff,
    async stop() { await conversations.stop(); },
  };
}

const usage = { input_tokens: 100, output_tokens: 20 };
export const textResponse = (text: string): ModelResponse => ({ content: [{ type: 'text', text }], stop_reason: 'end_turn', usage });
export const toolResponse = (id: string, name: string, input: Record<string, unknown>): ModelResponse => ({
  content: [{ type: 'tool_use', id, name, input }], stop_reason: 'tool_use', usage,
});

/** Tool results already in the conversation since the last user text (how far this turn has got). */
function toolResultsThisTurn(req: ModelRequest): number {
  let n = 0;
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i]!;
    if (m.role !== 'user') continue;
    const results = m.content.filter((b) => b.type === 'tool_result').length;
    if (results === 0) break;
    n += results;
  }
  return n;
}

/**
 * A scripted model: each turn calls `tools` one after another (one per response), then answers with text.
 * `delayMs` is its latency per call; time spent inside it is added to `modelMs`.
 */
export function scriptedModel(opts: { tools?: Array<{ name: string; input: Record<string, unknown> }>; delayMs?: number } = {}): ModelPort & { calls: number; modelMs: number } {
  const tools = opts.tools ?? [];
  const m = {
    name: 'bench scripted model',
    calls: 0,
    modelMs: 0,
    async createMessage(req: ModelRequest): Promise<ModelResponse> {
      const t = performance.now();
      m.calls++;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const done = toolResultsThisTurn(req);
      const next = tools[done];
      const out = next ? toolResponse(`toolu_${m.calls}`, next.name, next.input) : textResponse(`Done after ${done} tool calls.`);
      m.modelMs += performance.now() - t;
      return out;
    },
  };
  return m;
}
