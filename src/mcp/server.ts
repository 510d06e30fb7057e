import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../config/logger.js';
import type { Support } from '../support/api.js';
import type { Caller, RequestContext } from '../support/caller.js';
import type { ToolContext, ToolDefinition, ToolHooks } from './define-tool.js';
import { guardTransport } from './guard-transport.js';
import { asDraftTool } from './draft-tool.js';
import { errorResult, okResult } from './result.js';
import { ALL_TOOLS } from './tools/index.js';

export const SERVER_NAME = 'helpline';
export const SERVER_VERSION = '0.1.0';
/** Upper bound on array elements + object members in one call's arguments (the SDK enforces it). */
const MAX_INPUT_ELEMENTS = 200;

export interface CreateMcpServerOptions {
  support: Support;
  /** Who every tool acts for; fixed for the server's lifetime. */
  caller: Caller;
  /** Where requests come from (thread, channel): recorded on approvals and tickets. */
  context?: RequestContext;
  log?: Logger;
  hooks?: ToolHooks;
  /**
   * JSON Schema validator the SDK server keeps for elicitation (unused here). The SDK builds a new Ajv per server
   * when none is given (~8% of opening a session); the app passes one shared instance.
   */
  jsonSchemaValidator?: jsonSchemaValidator;
  /** Additional tools (e.g. a no-op for benchmarks). Registered by the same audience rule. */
  extraTools?: readonly ToolDefinition[];
  /**
   * The server is for a model-driven client (the stdio entry: Claude Desktop, any MCP app). Code-only tools
   * (approval decisions, which belong to people) are then not registered at all: not listed, not callable.
   */
  modelFacing?: boolean;
}

const INSTRUCTIONS: Record<Caller['kind'], string> = {
  customer:
    'Helpline tools acting for one signed-in customer: every tool works on that customer only and takes no customer id. ' +
    'Sensitive requests (password change, card deactivation) only open an approval for staff; say so to the customer.',
  anonymous:
    'Helpline tools for an unverified person: search the help articles, or open a ticket with a contact address. ' +
    'No account data is available.',
  staff: 'Helpline staff tools: tickets, customers, CRM notes, approvals and metrics. Every change is audited under your staff id.',
};

/** An McpServer that screens raw tool calls (see guard-transport) on whatever transport it is connected to. */
class GuardedMcpServer extends McpServer {
  override async connect(transport: Transport): Promise<void> {
    await super.connect(guardTransport(transport));
  }
}

/** The tools a caller of this kind may see, in registration order; throws on a duplicate name. */
export function toolsFor(kind: Caller['kind'], tools: readonly ToolDefinition[] = ALL_TOOLS): ToolDefinition[] {
  const picked = tools.filter((t) => t.audience.includes(kind));
  const seen = new Set<string>();
  for (const t of picked) {
    if (seen.has(t.name)) throw new Error(`Two tools named ${t.name} for ${kind} callers`);
    seen.add(t.name);
  }
  return picked;
}

/** An MCP server bound to one caller: only the tools that caller's kind may use are registered. */
export function createMcpServer(opts: CreateMcpServerOptions): McpServer {
  const { support, caller, log } = opts;
  const ctx: ToolContext = { support, caller, context: opts.context ?? {}, log, hooks: opts.hooks ?? {} };
  const server = new GuardedMcpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { maxToolInputElements: MAX_INPUT_ELEMENTS, instructions: INSTRUCTIONS[caller.kind], ...(opts.jsonSchemaValidator ? { jsonSchemaValidator: opts.jsonSchemaValidator } : {}) },
  );
  const drafting = caller.kind === 'staff' && opts.context?.drafting === true;
  const offered = toolsFor(caller.kind, [...ALL_TOOLS, ...(opts.extraTools ?? [])])
    .filter((t) => !((opts.modelFacing || drafting) && t.codeOnly))
    .map((t) => (drafting ? asDraftTool(t) : t));
  for (const tool of offered) {
    const handler = async (input: Record<string, unknown>): Promise<CallToolResult> => {
      let result: object;
      try {
        result = await tool.run(ctx, input);
      } catch (err) {
        log?.debug({ tool: tool.name, code: (err as { code?: unknown } | null)?.code }, 'tool call refused');
        return errorResult(err, tool.name, log);
      }
      // The effect has happened: a rendering problem must not turn it into an error.
      let text: string;
      try {
        text = tool.summarize(result);
      } catch (err) {
        log?.warn({ err, tool: tool.name }, 'tool summary failed');
        text = `${tool.name} succeeded.`;
      }
      return okResult(result, text);
    };
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...tool.annotations },
        ...(tool.sensitive || tool.codeOnly
          ? { _meta: { ...(tool.sensitive ? { 'helpline/sensitive': true, 'helpline/opensApproval': true } : {}), ...(tool.codeOnly ? { 'helpline/codeOnly': true } : {}) } }
          : {}),
      },
      handler as never,
    );
  }
  return server;
}
