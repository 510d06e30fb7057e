import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Logger } from '../config/logger.js';
import type { ConnectTools } from '../conversations/types.js';
import { AppError } from '../errors.js';
import { connectInProcess, type InProcessConnection } from '../mcp/index.js';
import type { Support } from '../support/api.js';

/**
 * Opens an in-process MCP session per turn for the turn's caller. One JSON Schema validator serves every session
 * (the SDK would otherwise build a new Ajv per server: most of the cost of opening one).
 *
 * The session opens on the turn's first use of its tools, not before: a turn whose tool list is already cached
 * (per caller kind, in the agent) and whose model calls no tool needs none, and opening one (server, client,
 * initialize handshake) was most of such a turn's cost. Every tool call still runs in a session of this caller.
 */
export function createToolConnector(deps: { support: Support; log?: Logger | undefined }): ConnectTools {
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  return async (caller, ctx) => {
    let conn: Promise<InProcessConnection> | undefined;
    let closed = false;
    const session = (): Promise<InProcessConnection> => {
      if (closed) return Promise.reject(new AppError('internal', 'the turn’s tool session is closed'));
      conn ??= connectInProcess({ support: deps.support, caller, context: ctx, log: deps.log, jsonSchemaValidator });
      return conn;
    };
    return {
      client: {
        listTools: async () => (await session()).client.listTools(),
        callTool: async (params) => (await session()).client.callTool(params),
      },
      async close() {
        closed = true;
        const c = conn ? await conn.catch(() => undefined) : undefined;
        if (c) await c.close();
      },
    };
  };
}
