import type { Channel } from '../store/schema.js';
import type { Caller } from '../support/caller.js';

/** The slice of an MCP client the agent uses (the SDK's Client satisfies it). */
export interface ToolClient {
  listTools(): Promise<{ tools: Array<{ name: string; description?: string | undefined; inputSchema: Record<string, unknown>; annotations?: Record<string, unknown> | undefined; _meta?: Record<string, unknown> | undefined }> }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
}

export interface TurnInput {
  /** The inbound message id (idempotency: a retried turn for the same id never appends the user text twice). */
  messageId: string;
  threadKey: string;
  channel: Channel;
  caller: Caller;
  text: string;
  tools: ToolClient;
  /**
   * How the turn's last transcript (with its answer or hand-off) is stored, given the result the turn returns:
   * conversations stores it in one commit with the reply on the message's ledger entry. Must resolve only once both
   * are stored, and throw when they are not. Default: `TranscriptPort.save(transcript)`.
   */
  storeAnswer?: ((transcript: Transcript, result: TurnResult) => Promise<void>) | undefined;
  /** Told what the turn does as it happens (see TurnEvent); a listener that throws is ignored, never fails the turn. */
  onEvent?: TurnListener | undefined;
}

/**
 * What a turn tells a listener while it runs. `text` pieces are the model's answer as it writes it, raw (no
 * outbound policy: conversations applies it before anyone sees them) and provisional: `retract` voids every piece
 * since the previous `retract` (the response went on to call a tool, was restarted after an outage mid-stream,
 * or the turn is handed to a person), so the pieces not retracted, joined, begin the reply. `working` names a tool
 * that is starting (never its arguments), `tool_done` says it finished; `done`/`failed` end the turn.
 */
export type TurnEvent =
  | { type: 'text'; text: string }
  | { type: 'retract' }
  | { type: 'working'; tool: string }
  | { type: 'tool_done'; tool: string; ok: boolean }
  | { type: 'done'; handoff: boolean }
  | { type: 'failed'; code: string };
export type TurnListener = (event: TurnEvent) => void;

export interface TurnResult {
  reply: string;
  /** The agent gave up or was asked to: a person should follow up (a ticket was opened when possible). */
  handoff: boolean;
  /** Approval ids created by tool calls in this turn (to post to staff). */
  approvalIds: string[];
  /** Drafts opened by tool calls in this turn (staff sessions), for a person to send or discard. */
  draftIds?: string[] | undefined;
  /** Tool calls the model asked for that were not run (over the per-response or per-turn limit). */
  refusedToolCalls?: number | undefined;
  usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number };
}

export interface Agent {
  /**
   * Runs one turn; resolves once every save of the turn (the answer included) is stored, so the reply may be
   * shown at once. Throws AppError('unavailable') when the model is out past its retry budget (transcript
   * unchanged, safe to retry); a failed save fails the turn.
   */
  runTurn(input: TurnInput): Promise<TurnResult>;
  /** Appends a system notice (e.g. an approval decision) to a thread's transcript so later turns know it. */
  noteEvent(threadKey: string, text: string): Promise<void>;
}

export interface TranscriptUsage { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number }

/** A thread's stored transcript (Anthropic MessageParam[] kept loose here). */
export interface Transcript {
  threadKey: string;
  channel: Channel;
  messages: unknown[];
  summary?: string | undefined;
  usage: TranscriptUsage;
  /** Inbound message ids already appended (idempotent retries). */
  appliedMessageIds?: string[] | undefined;
}

/** Implemented by `conversations` over the repositories: where the agent keeps transcripts. */
export interface TranscriptPort {
  /** A copy of the thread's stored transcript; `undefined` when the thread has none yet. */
  load(threadKey: string): Promise<Transcript | undefined>;
  /** Stores the transcript as a whole; resolves once it is stored (a `load` after that sees it). */
  save(transcript: Transcript): Promise<void>;
}
