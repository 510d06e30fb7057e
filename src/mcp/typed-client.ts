/**
 * The typed tool client for code (channels, staff surfaces, the agent's hand-off): `tools.call(name, input)` takes
 * exactly the tool's input (z.input of its schema), returns its result (z.output of its output schema, parsed from
 * `structuredContent`) and fails with the one AppError, code and refused fields typed. Types come from the tool
 * definitions themselves (TOOL_DEFINITIONS), per caller kind. The model's own tool calls do not come through here:
 * the agent passes model-written JSON on the generic path, and the model reads the tool's text.
 */
import { ErrorCode as RpcCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import type { Audience, ToolDefinition } from './define-tool.js';
import { zodMessage } from './result.js';
import { toolsFor } from './server.js';
import { issuesOf, toolFailureOf } from './tool-failure.js';
import type { TOOL_DEFINITIONS } from './tools/index.js';

type AnyTool = (typeof TOOL_DEFINITIONS)[number];
/** The tools a caller of kind `A` has (distributes over the tool union). */
type ToolsOf<A extends Audience, T = AnyTool> = T extends { readonly audience: readonly (infer X)[] } ? (A extends X ? T : never) : never;
/** Name → definition of the tools of caller kind `A` (one per name: create_ticket differs per kind). */
export type ToolMap<A extends Audience> = { [T in ToolsOf<A> as T['name']]: T };
export type ToolName<A extends Audience> = keyof ToolMap<A> & string;
export type ToolInput<A extends Audience, N extends ToolName<A>> = ToolMap<A>[N] extends { readonly inputSchema: infer S extends z.ZodType } ? z.input<S> : never;
export type ToolOutput<A extends Audience, N extends ToolName<A>> = ToolMap<A>[N] extends { readonly outputSchema: infer S extends z.ZodType } ? z.output<S> : never;

/** The tools of one caller kind, typed. */
export interface TypedTools<A extends Audience> {
  /** The caller kind of the session: narrow a `ToolsFor<union>` with it (`if (tools.audience === 'staff')`). */
  readonly audience: A;
  /** Runs one tool; throws AppError (the tool's code and refused fields) when it fails or refuses the input. */
  call<N extends ToolName<A>>(name: N, input: ToolInput<A, N>): Promise<ToolOutput<A, N>>;
}

/** Typed tools for a caller whose kind is known only as a union: one of TypedTools<'staff'> | TypedTools<'customer'>…. */
export type ToolsFor<A extends Audience> = A extends Audience ? TypedTools<A> : never;

/** The slice of an MCP client this needs (the SDK's Client and the agent's ToolClient satisfy it). */
export interface CallsTools {
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
}

/** Thrown by the client or transport, not answered by a tool: JSON-RPC codes → ours. */
function fromThrown(tool: string, err: unknown): AppError {
  if (isAppError(err)) return err;
  const rpc = err instanceof McpError ? err.code : undefined;
  const code: ErrorCode = rpc === RpcCode.InvalidParams ? 'bad_input' : rpc === RpcCode.RequestTimeout ? 'timeout' : rpc === RpcCode.ConnectionClosed ? 'unavailable' : 'internal';
  return new AppError(code, code === 'bad_input' ? 'The request was not accepted.' : 'The tool could not be reached.', { tool }, { cause: err });
}

/**
 * An isError result. Our tools' failures are typed in `_meta`. Any other comes from the SDK, which answers every
 * refusal on the tools/call path (unknown tool, arguments its checks refuse) with JSON-RPC InvalidParams: bad_input.
 * Its text is protocol output, kept for logs only, never parsed and never the message.
 */
function fromResult(tool: string, result: unknown): AppError {
  const failure = toolFailureOf(result);
  if (failure) return new AppError(failure.code, failure.message, { tool }, { issues: failure.issues });
  const content = (result as { content?: unknown }).content;
  const detail = Array.isArray(content) ? content.map((c) => String((c as { text?: unknown } | null)?.text ?? '')).join('\n').slice(0, 2000) : '';
  return new AppError('bad_input', 'The request was not accepted.', { tool, detail });
}

/**
 * Typed tools over `client`, a session of a caller of kind `audience`. The input is checked client-side with the
 * tool's own schema before anything is sent, so a refused field arrives as an AppError('bad_input') with zod's
 * issues, never as protocol text.
 */
export function typedTools<A extends Audience>(client: CallsTools, audience: A): ToolsFor<A> {
  const byName = new Map<string, ToolDefinition>(toolsFor(audience).map((t) => [t.name, t]));
  const tools: TypedTools<Audience> = {
    audience,
    async call(name: string, input: unknown) {
      const tool = byName.get(name);
      if (!tool) throw new AppError('not_found', `There is no ${name} tool for ${audience} callers.`, { tool: name });
      const checked = tool.inputSchema.safeParse(input);
      if (!checked.success) throw new AppError('bad_input', zodMessage(checked.error), { tool: name }, { issues: issuesOf(checked.error) });
      let result: unknown;
      try {
        result = await client.callTool({ name, arguments: checked.data });
      } catch (err) {
        throw fromThrown(name, err);
      }
      if ((result as { isError?: unknown } | null)?.isError === true) throw fromResult(name, result);
      const out = tool.outputSchema.safeParse((result as { structuredContent?: unknown } | null)?.structuredContent);
      if (!out.success) throw new AppError('internal', 'The tool answered with an unexpected result.', { tool: name }, { issues: issuesOf(out.error) });
      return out.data;
    },
  } as TypedTools<Audience>;
  return tools as ToolsFor<A>;
}
