import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Helpline's Prometheus metrics, in a registry of their own (no global default registry).
 * Layers don't import this; `src/app` wraps ports with the decorators in src/observability.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'helpline_process_' });
  const r = [registry];
  return {
    registry,
    inbound: new Counter({ name: 'helpline_inbound_messages_total', help: 'Inbound messages by channel and outcome', labelNames: ['channel', 'outcome'] as const, registers: r }),
    modelCalls: new Counter({ name: 'helpline_model_calls_total', help: 'Model calls by outcome', labelNames: ['outcome'] as const, registers: r }),
    modelTokens: new Counter({ name: 'helpline_model_tokens_total', help: 'Model tokens by kind (input, output, cache_read, cache_creation)', labelNames: ['kind'] as const, registers: r }),
    modelLatency: new Histogram({ name: 'helpline_model_latency_seconds', help: 'Model call latency', buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64], registers: r }),
    toolCalls: new Counter({ name: 'helpline_tool_calls_total', help: 'MCP tool calls by tool and result', labelNames: ['tool', 'result'] as const, registers: r }),
    turnOverhead: new Histogram({ name: 'helpline_turn_overhead_seconds', help: 'Turn latency excluding time spent waiting for the model', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: r }),
    approvals: new Gauge({ name: 'helpline_approvals', help: 'Approvals by state', labelNames: ['state'] as const, registers: r }),
    outboxDepth: new Gauge({ name: 'helpline_outbox_depth', help: 'Outbox items waiting to be sent', registers: r }),
    quarantine: new Gauge({ name: 'helpline_quarantined_messages', help: 'Messages in quarantine', registers: r }),
    /** Inbound requests or events refused or dropped before any handler ran (malformed, foreign workspace, rate-limit notices…). */
    dropped: new Counter({ name: 'helpline_dropped_inbound_total', help: 'Inbound requests/events dropped before handling, by channel and reason', labelNames: ['channel', 'reason'] as const, registers: r }),
    /** Things the model or a caller asked for that were refused by a limit (tool calls over the per-turn cap, ticket floods…). */
    refusals: new Counter({ name: 'helpline_refusals_total', help: 'Requests refused by a safety limit, by reason', labelNames: ['reason'] as const, registers: r }),
    /** Errors that reached the process level (unhandledRejection, uncaughtException). */
    processErrors: new Counter({ name: 'helpline_process_errors_total', help: 'Errors caught at the process level, by kind', labelNames: ['kind'] as const, registers: r }),
    /** Inbound mail by the class that decided what to do with it (person, bounce, auto-reply, list, spam…). */
    emailClass: new Counter({ name: 'helpline_email_class_total', help: 'Inbound mail by deciding class and action', labelNames: ['class', 'action'] as const, registers: r }),
    /** The web channel's live connections (WebSocket, SSE): opened, open now, messages received, bytes streamed. */
    webSessions: new Counter({ name: 'helpline_web_sessions_total', help: 'Live web connections opened, by transport (ws, sse)', labelNames: ['transport'] as const, registers: r }),
    webSessionsOpen: new Gauge({ name: 'helpline_web_sessions_open', help: 'Live web connections open now, by transport', labelNames: ['transport'] as const, registers: r }),
    webMessages: new Counter({ name: 'helpline_web_messages_total', help: 'Chat messages received by the web channel, by transport (rest, ws)', labelNames: ['transport'] as const, registers: r }),
    /** Live thread events relayed between instances (PostgreSQL), gaps that made subscribers resync, the relay's connection. */
    relayEvents: new Counter({ name: 'helpline_event_relay_events_total', help: 'Live thread events relayed between instances, by direction (sent, received)', labelNames: ['direction'] as const, registers: r }),
    relayGaps: new Counter({ name: 'helpline_event_relay_gaps_total', help: 'Relayed events that may have been lost (subscribers were told to resync)', registers: r }),
    relayConnected: new Gauge({ name: 'helpline_event_relay_connected', help: '1 while the event relay can send and receive (always 1 with one process)', registers: r }),
    webStreamedBytes: new Counter({ name: 'helpline_web_streamed_bytes_total', help: 'Bytes of events sent to live web connections, by transport', labelNames: ['transport'] as const, registers: r }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
