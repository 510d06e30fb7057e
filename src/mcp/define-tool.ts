import type { z } from 'zod';
import type { Logger } from '../config/logger.js';
import type { DraftKind } from '../store/schema.js';
import type { Caller, RequestContext } from '../support/caller.js';
import type { DecisionResult, PendingApprovalResult, Support } from '../support/api.js';

/** Which callers may see and call a tool. */
export type Audience = Caller['kind'];

/** Code-side observers of tool effects (never seen by the model). */
export interface ToolHooks {
  /** A sensitive request opened an approval (e.g. to post it to staff). */
  approvalRequested?(result: PendingApprovalResult): void | Promise<void>;
  /** `decide_approval` made a decision. Receives the full result, including a password-reset link
   * for approved password changes, which the tool result itself never carries. */
  approvalDecided?(result: DecisionResult): void | Promise<void>;
}

/** What a tool's `run` gets besides its input: who is calling, from where, and the business layer. */
export interface ToolContext {
  readonly support: Support;
  readonly caller: Caller;
  readonly context: RequestContext;
  readonly log: Logger | undefined;
  readonly hooks: ToolHooks;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: false;
}

/**
 * One MCP tool. `inputSchema` is a strict zod object (unknown keys are errors, every string capped);
 * `outputSchema` describes `structuredContent`; `summarize` renders the result as a short text.
 */
export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, R extends object = object> {
  readonly name: string;
  readonly audience: readonly Audience[];
  readonly title: string;
  readonly description: string;
  readonly inputSchema: I;
  readonly outputSchema: z.ZodObject;
  readonly annotations: ToolAnnotations;
  /** Opens an approval instead of acting; flagged in the tool's `_meta` for clients. */
  readonly sensitive?: boolean;
  /**
   * Called by code on a person's explicit action (a Slack button, the terminal's approve/deny), never offered to a
   * model: flagged `_meta['helpline/codeOnly']`, which the agent leaves out of the model's tool list, so text a model
   * reads (a ticket, an email) can never get a staff decision made.
   */
  readonly codeOnly?: boolean;
  /**
   * A staff write a customer could see or that changes a record. In a model-driven staff session (context
   * `drafting`) the tool only opens a draft of this kind with its input, which runs when a person sends it.
   */
  readonly draftKind?: DraftKind;
  run(ctx: ToolContext, input: z.output<I>): R | Promise<R>;
  summarize(result: R): string;
}

/**
 * A tool definition that also keeps its literal name, audience and output schema in its type: the typed client
 * (typed-client.ts) derives each tool's input and result types from these, so they are never written twice.
 */
export type TypedToolDefinition<N extends string, A extends Audience, I extends z.ZodObject, O extends z.ZodObject, R extends object> =
  ToolDefinition<I, R> & { readonly name: N; readonly audience: readonly A[]; readonly outputSchema: O };

/** Identity function that keeps the name, audience, schemas and result type of a tool definition linked. */
export function defineTool<N extends string, A extends Audience, I extends z.ZodObject, O extends z.ZodObject, R extends object>(
  def: TypedToolDefinition<N, A, I, O, R>,
): TypedToolDefinition<N, A, I, O, R> {
  return def;
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
/** Adds a record; calling twice adds two. */
export const ADDITIVE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
/** Overwrites existing data; calling twice with the same input has the same effect as once. */
export const OVERWRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };
/** Changes or removes existing data and is not idempotent. */
export const DESTRUCTIVE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false };

/**
 * Runs a code-side hook after a tool's effect happened. A failing hook is logged, never turned into a
 * tool error: the change is already made and the caller must not be told otherwise.
 */
export async function notifyHook<T>(ctx: ToolContext, hook: ((value: T) => void | Promise<void>) | undefined, value: T, name: string): Promise<void> {
  if (!hook) return;
  try {
    await hook(value);
  } catch (err) {
    ctx.log?.error({ err, hook: name }, 'tool hook failed');
  }
}
