import type { ConnectTools } from '../../conversations/types.js';
import { withTools as withTypedTools } from '../../conversations/with-tools.js';
import { isAppError } from '../../errors.js';
import type { ToolsFor } from '../../mcp/index.js';
import type { Caller } from '../../support/caller.js';
import { describeIssues, plainFor } from './tool-errors.js';

/** Opens an MCP session for `caller` from Slack, gives `fn` the caller's typed tools, and always closes the session. */
export function withTools<C extends Caller, R>(connectTools: ConnectTools, caller: C, ctx: { threadKey?: string }, fn: (tools: ToolsFor<C['kind']>) => Promise<R>): Promise<R> {
  return withTypedTools(connectTools, caller, { ...ctx, channel: 'slack' }, fn);
}

/**
 * A failed tool call as every Slack surface shows it: refused fields as one plain sentence each, else the tool's
 * own sentence (AppError messages are written for people). Undefined for anything that is not a refusal a person
 * can act on (not an AppError, or `internal`): the caller logs it and says something plain of its own.
 */
export function toolErrorText(err: unknown): string | undefined {
  if (!isAppError(err) || err.code === 'internal') return undefined;
  const fields = describeIssues(err.issues);
  if (Object.keys(fields).length > 0) return `Some details were not accepted: ${Object.values(fields).join(' ')}`;
  return err.message.trim() || plainFor(err.code);
}
