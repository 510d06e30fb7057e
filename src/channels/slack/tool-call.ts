import { AppError } from '../../errors.js';
import type { ConnectTools } from '../../conversations/types.js';
import { toolFailureOf, type ToolFailure } from '../../mcp/index.js';
import type { Caller } from '../../support/caller.js';
import { describeIssues, looksRaw, parseIssues, plainFor, type Issue } from './tool-errors.js';

interface ToolResult { structuredContent?: unknown; content?: unknown; isError?: boolean }

/**
 * A failed tool call, in the one form every Slack surface shows. `message` is always a plain sentence safe to show
 * the person who asked: our tools' own messages pass through; protocol errors (`MCP error -32602 …`), validation
 * dumps and stack traces never do. `fields` names the inputs that were refused (for errors inside a modal);
 * `detail` keeps the raw text for logs.
 */
export class ToolError extends AppError {
  readonly fields: Record<string, string>;
  readonly detail: string;

  /** `failure`: our tool's typed failure (from the result's `_meta`); without it, `text` is all there is (protocol). */
  constructor(readonly tool: string, text: string, failure?: ToolFailure) {
    const protocol = /^MCP error (-?\d+): ([\s\S]*)$/.exec(text);
    let code: AppError['code'];
    let issues: Issue[];
    /** Our tool's own sentence, shown when it reads as one; protocol text never is. */
    let said: string | undefined;
    if (failure) {
      code = failure.code;
      issues = failure.issues;
      said = failure.message;
    } else if (protocol) {
      issues = parseIssues(protocol[2] as string);
      code = protocol[1] === '-32602' && issues.length > 0 ? 'bad_input' : 'internal';
    } else {
      code = guessCode(text);
      issues = code === 'bad_input' ? parseIssues(text) : [];
      said = text;
    }
    const fields = describeIssues(issues);
    const message = issues.length > 0
      ? `Some details were not accepted: ${Object.values(fields).join(' ')}`
      : said !== undefined && !looksRaw(said) && said.trim() ? said.trim() : plainFor(code);
    super(code, message, { tool });
    this.fields = fields;
    this.detail = text.slice(0, 2000);
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
      // a thrown error (the session itself failed) is not a ToolError: callers log it and show a plain sentence
      const result = (await session.client.callTool({ name, arguments: args })) as ToolResult;
      if (result.isError) throw new ToolError(name, textOf(result), toolFailureOf(result));
      return (result.structuredContent ?? {}) as T;
    };
    return await fn(call);
  } finally {
    await session.close().catch(() => undefined);
  }
}
