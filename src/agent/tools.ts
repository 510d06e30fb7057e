import type { Logger } from '../config/logger.js';
import type { ToolClient } from './types.js';
import type { ModelTool, ToolResultBlock, ToolUseBlock } from './model.js';

const MAX_RESULT_CHARS = 16_000;

export interface ModelToolList {
  tools: ModelTool[];
  /** Tools the server marks read-only (MCP `readOnlyHint`): running one again after a crash changes nothing. */
  readOnly: ReadonlySet<string>;
}

/**
 * MCP tools → Anthropic tools, sorted by name so the list is byte-identical on every turn. Tools flagged
 * `helpline/codeOnly` (staff decisions) are never offered to the model; a call to one is refused as unknown.
 */
export async function listModelTools(client: ToolClient): Promise<ModelToolList> {
  const listed = (await client.listTools()).tools.filter((t) => t._meta?.['helpline/codeOnly'] !== true);
  const tools = listed
    .map((t) => ({ name: t.name, description: t.description ?? '', input_schema: t.inputSchema }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const readOnly = new Set(listed.filter((t) => t.annotations?.['readOnlyHint'] === true).map((t) => t.name));
  return { tools, readOnly };
}

interface McpCallResult { content?: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown>; isError?: boolean }

export interface ToolOutcome { result: ToolResultBlock; approvalId?: string | undefined; draftId?: string | undefined; ran: boolean }

/**
 * Text for the model: the tool's text plus the JSON of its structured content, delimited as data. Tool results
 * carry text that customers and outsiders wrote (tickets, mail, notes): the system prompt tells the model that
 * anything inside <tool_data> is data, never instructions, and a result cannot close the block early (any
 * `<tool_data` / `</tool_data` inside it is defused).
 */
export function resultText(res: McpCallResult, tool = 'tool'): string {
  const text = (res.content ?? []).filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => c.text).join('\n');
  const json = res.structuredContent !== undefined ? JSON.stringify(res.structuredContent) : '';
  const body = [text, json].filter(Boolean).join('\n') || '(no content)';
  const capped = body.length > MAX_RESULT_CHARS ? `${body.slice(0, MAX_RESULT_CHARS)}… (truncated)` : body;
  const safe = capped.replace(/<(\/?)(tool_data)/giu, '<$1$2_');
  return `<tool_data tool="${tool.replace(/[^a-z0-9_]/giu, '')}">\n${safe}\n</tool_data>`;
}

/** The body of a `resultText` block (the offline model reads results as code, not as a model). */
export function unwrapToolData(content: string): string {
  const m = /^<tool_data[^>\n]*>\n([\s\S]*)\n<\/tool_data>$/u.exec(content);
  return m ? (m[1] ?? '') : content;
}

/** Run one tool_use through MCP. Never throws: failures become is_error results. */
export async function runToolUse(client: ToolClient, available: ReadonlySet<string>, use: ToolUseBlock, log: Logger): Promise<ToolOutcome> {
  const fail = (text: string, ran: boolean): ToolOutcome => ({ result: { type: 'tool_result', tool_use_id: use.id, content: text, is_error: true }, ran });
  if (!available.has(use.name)) {
    log.warn({ tool: use.name }, 'model asked for a tool this caller does not have');
    return fail(`Unknown tool "${use.name}": it is not available to this caller.`, false);
  }
  const args = use.input && typeof use.input === 'object' && !Array.isArray(use.input) ? use.input : {};
  try {
    const res = (await client.callTool({ name: use.name, arguments: args })) as McpCallResult;
    const approvalId = res.structuredContent?.status === 'pending_approval' && typeof res.structuredContent.approvalId === 'string' ? res.structuredContent.approvalId : undefined;
    const draftId = res.structuredContent?.status === 'draft' && typeof res.structuredContent.draftId === 'string' ? res.structuredContent.draftId : undefined;
    log.info({ tool: use.name, isError: Boolean(res.isError) }, 'tool called');
    const result: ToolResultBlock = { type: 'tool_result', tool_use_id: use.id, content: resultText(res, use.name) };
    if (res.isError) result.is_error = true;
    return { result, approvalId: res.isError ? undefined : approvalId, draftId: res.isError ? undefined : draftId, ran: true };
  } catch (err) {
    log.warn({ tool: use.name, err: (err as Error).message }, 'tool call failed');
    return fail(`Tool "${use.name}" failed: ${(err as Error).message}`, true);
  }
}
