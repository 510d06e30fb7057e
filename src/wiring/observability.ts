/**
 * Metrics by decoration: the layers know nothing of Prometheus; the composition root wraps their ports.
 * Model time inside a turn is tracked with AsyncLocalStorage so turn overhead can exclude it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Agent, ModelPort, ToolClient } from '../agent/index.js';
import type { Metrics } from '../config/metrics.js';
import type { ConnectTools, ConversationsPort } from '../conversations/types.js';
import { toolFailureOf } from '../mcp/index.js';
import type { ThreadEventRelay } from '../store/event-relay.js';
import type { Repositories } from '../store/repos/index.js';

export function createObservability(metrics: Metrics) {
  const turnModelTime = new AsyncLocalStorage<{ modelMs: number }>();

  function model(inner: ModelPort): ModelPort {
    return {
      name: inner.name,
      async createMessage(req, opts) {
        const started = performance.now();
        try {
          const res = await inner.createMessage(req, opts);
          metrics.modelCalls.inc({ outcome: 'ok' });
          const u = res.usage;
          metrics.modelTokens.inc({ kind: 'input' }, u.input_tokens ?? 0);
          metrics.modelTokens.inc({ kind: 'output' }, u.output_tokens ?? 0);
          metrics.modelTokens.inc({ kind: 'cache_read' }, u.cache_read_input_tokens ?? 0);
          metrics.modelTokens.inc({ kind: 'cache_creation' }, u.cache_creation_input_tokens ?? 0);
          return res;
        } catch (err) {
          metrics.modelCalls.inc({ outcome: (err as { code?: string }).code ?? 'error' });
          throw err;
        } finally {
          const ms = performance.now() - started;
          metrics.modelLatency.observe(ms / 1000);
          const turn = turnModelTime.getStore();
          if (turn) turn.modelMs += ms;
        }
      },
    };
  }

  function agent(inner: Agent): Agent {
    return {
      noteEvent: (threadKey, text) => inner.noteEvent(threadKey, text),
      runTurn(input) {
        const ctx = { modelMs: 0 };
        const started = performance.now();
        return turnModelTime.run(ctx, async () => {
          try {
            const result = await inner.runTurn(input);
            if (result.refusedToolCalls) metrics.refusals.inc({ reason: 'tool_call_limit' }, result.refusedToolCalls);
            return result;
          } finally {
            metrics.turnOverhead.observe(Math.max(0, performance.now() - started - ctx.modelMs) / 1000);
          }
        });
      },
    };
  }

  function tools(connect: ConnectTools): ConnectTools {
    return async (caller, ctx) => {
      const session = await connect(caller, ctx);
      const client: ToolClient = {
        listTools: () => session.client.listTools(),
        async callTool(params) {
          try {
            const result = await session.client.callTool(params);
            const failed = (result as { isError?: boolean }).isError === true;
            metrics.toolCalls.inc({ tool: params.name, result: failed ? 'error' : 'ok' });
            // a limit's refusal is counted as such (the code is typed in the result's _meta)
            if (toolFailureOf(result)?.code === 'rate_limited') {
              metrics.refusals.inc({ reason: `${params.name}_rate` });
            }
            return result;
          } catch (err) {
            metrics.toolCalls.inc({ tool: params.name, result: 'error' });
            throw err;
          }
        },
      };
      return { client, close: () => session.close() };
    };
  }

  function inbound(inner: ConversationsPort): ConversationsPort {
    return {
      notifyThread: (threadKey, text, opts) => inner.notifyThread(threadKey, text, opts),
      deliverStaffReplies: (ticketId) => inner.deliverStaffReplies(ticketId),
      hasThread: (threadKey) => inner.hasThread(threadKey),
      async handle(msg) {
        const r = await inner.handle(msg);
        metrics.inbound.inc({ channel: msg.channel, outcome: r.accepted ? 'accepted' : (r.reason ?? 'rejected') });
        return r;
      },
    };
  }

  /** The relay's counts at the last scrape: its counters grow by the difference. */
  const relayed = { sent: 0, received: 0, gaps: 0 };
  function relayFigures(relay: ThreadEventRelay): void {
    const s = relay.stats();
    metrics.relayEvents.inc({ direction: 'sent' }, s.sent - relayed.sent);
    metrics.relayEvents.inc({ direction: 'received' }, s.received - relayed.received);
    metrics.relayGaps.inc(s.gaps - relayed.gaps);
    Object.assign(relayed, { sent: s.sent, received: s.received, gaps: s.gaps });
    metrics.relayConnected.set(s.connected ? 1 : 0);
  }

  /** Gauges read from the store at scrape time (counts the engine answers from its indexes), and the relay's figures. */
  async function scrape(repos: Repositories, relay: ThreadEventRelay): Promise<string> {
    relayFigures(relay);
    const [approvals, outbox, quarantined] = await Promise.all([repos.approvals.countByStatus(), repos.outbox.countPending(), repos.quarantine.count()]);
    metrics.approvals.reset();
    for (const [state, n] of Object.entries(approvals)) metrics.approvals.set({ state }, n);
    metrics.outboxDepth.set(outbox);
    metrics.quarantine.set(quarantined);
    return metrics.registry.metrics();
  }

  return { model, agent, tools, inbound, scrape };
}
