import type { Transcript, TranscriptPort } from '../agent/types.js';
import type { Conversation, Db } from '../store/schema.js';
import type { Store } from '../store/types.js';

export interface TranscriptsOptions {
  store: Store;
  /** Hard cap on stored messages per thread (the agent trims to a token budget first; this is the backstop). */
  maxMessages?: number | undefined;
  /** How many applied inbound message ids to remember per thread. */
  maxAppliedIds?: number | undefined;
  clock?: (() => Date) | undefined;
}

const SUMMARY_MAX = 20_000;

type Msg = { role?: unknown; content?: unknown };

/** A user message that can start a transcript: plain text, not a tool_result answer to an earlier tool_use. */
function isSafeStart(m: unknown): boolean {
  const msg = m as Msg;
  if (msg?.role !== 'user') return false;
  if (typeof msg.content === 'string') return true;
  if (!Array.isArray(msg.content)) return false;
  return !msg.content.some((b) => (b as { type?: unknown })?.type === 'tool_result');
}

/** Keep at most `max` messages, cutting only where a user turn starts so tool_use/tool_result pairs stay whole. */
export function capMessages(messages: unknown[], max: number): { messages: unknown[]; dropped: number } {
  if (messages.length <= max) return { messages, dropped: 0 };
  const from = messages.length - max;
  let cut = -1;
  for (let i = from; i < messages.length; i++) {
    if (isSafeStart(messages[i])) { cut = i; break; }
  }
  if (cut <= 0) return { messages, dropped: 0 };
  return { messages: messages.slice(cut), dropped: cut };
}

function toTranscript(c: Conversation): Transcript {
  const applied = c.meta['appliedMessageIds'];
  return {
    threadKey: c.threadKey,
    channel: c.channel,
    messages: structuredClone(c.messages),
    summary: c.summary,
    usage: { ...c.usage },
    appliedMessageIds: Array.isArray(applied) ? applied.filter((x): x is string => typeof x === 'string') : [],
  };
}

export function newConversation(db: Db, threadKey: string, channel: Conversation['channel'], now: string): Conversation {
  const conv: Conversation = {
    threadKey, channel, callerKind: 'anonymous', createdAt: now, updatedAt: now, messages: [],
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, meta: {},
  };
  db.conversations[threadKey] = conv;
  return conv;
}

/** The agent's transcript storage, over the store's `conversations` collection (bounded). */
export function createTranscripts(opts: TranscriptsOptions): TranscriptPort {
  const maxMessages = opts.maxMessages ?? 200;
  const maxApplied = opts.maxAppliedIds ?? 200;
  const clock = opts.clock ?? (() => new Date());
  return {
    load(threadKey) {
      const c = opts.store.read().conversations[threadKey];
      return c ? toTranscript(c) : undefined;
    },
    async save(t) {
      const capped = capMessages(structuredClone(t.messages), maxMessages);
      const now = clock().toISOString();
      let summary = t.summary;
      if (capped.dropped > 0) {
        const note = `(${capped.dropped} older messages were removed from this transcript.)`;
        summary = summary ? `${summary}\n${note}` : note;
      }
      if (summary && summary.length > SUMMARY_MAX) summary = summary.slice(summary.length - SUMMARY_MAX);
      const applied = (t.appliedMessageIds ?? []).slice(-maxApplied);
      await opts.store.update((db) => {
        const c = db.conversations[t.threadKey] ?? newConversation(db, t.threadKey, t.channel, now);
        c.messages = capped.messages;
        if (summary === undefined) delete c.summary;
        else c.summary = summary;
        c.usage = {
          inputTokens: Math.max(0, Math.trunc(t.usage.inputTokens)),
          outputTokens: Math.max(0, Math.trunc(t.usage.outputTokens)),
          cacheReadTokens: Math.max(0, Math.trunc(t.usage.cacheReadTokens)),
          cacheCreationTokens: Math.max(0, Math.trunc(t.usage.cacheCreationTokens)),
        };
        c.meta = { ...c.meta, appliedMessageIds: applied };
        c.updatedAt = now;
      });
    },
  };
}
