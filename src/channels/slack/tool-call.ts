import { AppError } from '../../errors.js';
import type { ConnectTools } from '../../conversations/types.js';
import type { Caller } from '../../support/caller.js';

interface ToolResult { structuredContent?: unknown; content?: unknown; isError?: boolean }

const CODES: ReadonlySet<string> = new Set<AppError['code']>([
  'bad_input', 'not_found', 'forbidden', 'conflict', 'already_decided', 'expired', 'invalid_transition', 'rate_limited',
  'unavailable', 'timeout', 'config', 'store_corrupt', 'store_locked', 'store_io', 'model_error', 'internal',
]);

/** A failed tool call. The MCP layer reports `<tool> failed (<code>): <message>`; `message` is safe to show the person who asked. */
export class ToolError extends AppError {
  constructor(readonly tool: string, text: string) {
    const m = /^\S+ failed \(([a-z_]+)\): ([\s\S]*)$/.exec(text);
    const code = m && CODES.has(m[1] as string) ? (m[1] as AppError['code']) : guessCode(text);
    super(code, m ? (m[2] as string) : text, { tool });
  }
}

function guessCode(message: string): AppError['code'] {
  const m = message.toLowerCase();
  if (m.includes('already')) return 'already_decided';
  if (m.includes('expired')) return 'expired';
  if (m.includes('not found') || m.includes('no such')) return 'not_found';
  if (m.includes('staff only') || m.includes('forbidden') || m.includes('not allowed')) return 'forbidden';
  return 'bad_input';
}

function textOf(result: ToolResult): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const texts = content
    .map((c) => (typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'text' ? String((c as { text?: unknown }).text ?? '') : ''))
    .filter(Boolean);
  return texts.join('\n') || 'The tool call failed.';
}

export type CallTool = <T = Record<string, unknown>>(name: string, args?: Record<string, unknown>) => Promise<T>;

/** Opens an MCP session for `caller`, gives `fn` a typed `call`, and always closes the session. */
export async function withTools<R>(connectTools: ConnectTools, caller: Caller, ctx: { threadKey?: string }, fn: (call: CallTool) => Promise<R>): Promise<R> {
  const session = await connectTools(caller, { ...ctx, channel: 'slack' });
  try {
    const call: CallTool = async <T,>(name: string, args: Record<string, unknown> = {}) => {
      const result = (await session.client.callTool({ name, arguments: args })) as ToolResult;
      if (result.isError) throw new ToolError(name, textOf(result));
      return (result.structuredContent ?? {}) as T;
    };
    return await fn(call);
  } finally {
    await session.close().catch(() => undefined);
  }
}
