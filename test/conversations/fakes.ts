import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Agent, ToolClient, TranscriptPort, TurnInput, TurnResult } from '../../src/agent/types.js';
import type { Logger } from '../../src/config/logger.js';
import { REDACT_PATHS } from '../../src/config/logger.js';
import type { Config } from '../../src/config/config.js';
import type { ConnectTools, DeliverPort, InboundMessage, OutboundReply, StaffNotifier } from '../../src/conversations/types.js';
import type { Approval } from '../../src/store/schema.js';

export interface Delivered { threadKey: string; reply: OutboundReply }

export function recordingDelivery(): DeliverPort & { sent: Delivered[]; failNext: number } {
  const port = {
    sent: [] as Delivered[],
    failNext: 0,
    async deliver(threadKey: string, reply: OutboundReply) {
      if (port.failNext > 0) {
        port.failNext--;
        throw new Error('channel down');
      }
      port.sent.push({ threadKey, reply });
    },
  };
  return port;
}

export function recordingStaff(): StaffNotifier & { approvals: Approval[]; alerts: string[] } {
  const s = {
    approvals: [] as Approval[],
    alerts: [] as string[],
    async approvalRequested(a: Approval) { s.approvals.push(a); },
    async alert(text: string) { s.alerts.push(text); },
  };
  return s;
}

export const noTools: ToolClient = {
  async listTools() { return { tools: [] }; },
  async callTool() { return { content: [] }; },
};

export function fakeConnect(): ConnectTools & { opened: number; closed: number; callers: unknown[] } {
  const f = Object.assign(
    async (caller: unknown) => {
      f.opened++;
      f.callers.push(caller);
      return { client: noTools, close: async () => { f.closed++; } };
    },
    { opened: 0, closed: 0, callers: [] as unknown[] },
  );
  return f as ConnectTools & { opened: number; closed: number; callers: unknown[] };
}

const zeroUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };

/**
 * A scripted Agent: answers "echo: <text>" after `delayMs`, keeps a transcript through the real TranscriptPort
 * (idempotent per message id, stored before the turn resolves), and lets a test inject failures through `behave`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a behaviour may return nothing (void) or a partial result
export function fakeAgent(opts: { transcripts?: TranscriptPort; delayMs?: number; behave?: (input: TurnInput, call: number) => Promise<Partial<TurnResult> | void> } = {}) {
  const state = { calls: [] as TurnInput[], active: 0, maxActive: 0, notes: [] as Array<{ threadKey: string; text: string }> };
  const agent: Agent = {
    async runTurn(input) {
      state.calls.push(input);
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const extra = opts.behave ? await opts.behave(input, state.calls.length) : undefined;
        const reply = extra?.reply ?? `echo: ${input.text}`;
        if (opts.transcripts) {
          const t = (await opts.transcripts.load(input.threadKey)) ?? { threadKey: input.threadKey, channel: input.channel, messages: [], usage: { ...zeroUsage }, appliedMessageIds: [] };
          if (!t.appliedMessageIds?.includes(input.messageId)) {
            t.messages.push({ role: 'user', content: input.text }, { role: 'assistant', content: reply });
            t.appliedMessageIds = [...(t.appliedMessageIds ?? []), input.messageId];
          }
          await opts.transcripts.save(t);
        }
        return { reply, handoff: false, approvalIds: [], usage: { ...zeroUsage }, ...extra };
      } finally {
        state.active--;
      }
    },
    async noteEvent(threadKey, text) { state.notes.push({ threadKey, text }); },
  };
  return { agent, state };
}

export function convConfig(over: Partial<Config['conversations']> = {}): Config['conversations'] {
  return { concurrency: 4, queueLimit: 1000, retryBaseMs: 5, retryMaxMs: 40, ...over };
}

export function msg(threadKey: string, text: string, over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    id: `m-${randomUUID()}`,
    channel: 'slack', threadKey, text,
    sender: { id: 'U1', verified: true },
    receivedAt: new Date().toISOString(),
    ...over,
  };
}

/** A pino logger (same redaction as production) that keeps every line for inspection. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  return { log, lines };
}

export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
