import type { Transcript, TranscriptPort } from '../agent/types.js';
import type { Repositories } from '../store/repos/index.js';
import type { TranscriptWrite } from '../store/repos/index.js';
import type { Conversation } from '../store/schema.js';

export interface TranscriptsOptions {
  repos: Pick<Repositories, 'conversations'>;
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
    messages: c.messages,
    summary: c.summary,
    usage: { ...c.usage },
    appliedMessageIds: Array.isArray(applied) ? applied.filter((x): x is string => typeof x === 'string') : [],
  };
}

const tokens = (n: number) => Math.max(0, Math.trunc(n));

/** The transcript storage: the agent's port, and the write it stores (for a caller that stores it in its own transaction). */
export interface TranscriptStore extends TranscriptPort {
  /** What `save(t)` writes (bounded per thread, stamped now), to pass to `conversations.saveTranscript`. */
  writeOf(t: Transcript): TranscriptWrite;
}

/** The agent's transcript storage, over the conversations repository (bounded per thread). */
export function createTranscripts(opts: TranscriptsOptions): TranscriptStore {
  const { conversations } = opts.repos;
  const maxMessages = opts.maxMessages ?? 200;
  const maxApplied = opts.maxAppliedIds ?? 200;
  const clock = opts.clock ?? (() => new Date());
  function writeOf(t: Transcript): TranscriptWrite {
    const capped = capMessages(t.messages, maxMessages);
    let summary = t.summary;
    if (capped.dropped > 0) {
      const note = `(${capped.dropped} older messages were removed from this transcript.)`;
      summary = summary ? `${summary}\n${note}` : note;
    }
    if (summary && summary.length > SUMMARY_MAX) summary = summary.slice(summary.length - SUMMARY_MAX);
    const { inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens } = t.usage;
    return {
      channel: t.channel,
      messages: capped.messages,
      summary,
      usage: { inputTokens: tokens(inputTokens), outputTokens: tokens(outputTokens), cacheReadTokens: tokens(cacheReadTokens), cacheCreationTokens: tokens(cacheCreationTokens) },
      appliedMessageIds: (t.appliedMessageIds ?? []).slice(-maxApplied),
      at: clock().toISOString(),
    };
  }
  return {
    async load(threadKey) {
      const c = await conversations.get(threadKey); // a copy: the repository never hands out what it keeps
      return c ? toTranscript(c) : undefined;
    },
    async save(t) {
      await conversations.saveTranscript(t.threadKey, writeOf(t));
    },
    writeOf,
  };
}
