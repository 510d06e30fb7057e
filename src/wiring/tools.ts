import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Logger } from '../config/logger.js';
import type { ConnectTools } from '../conversations/types.js';
import { connectInProcess } from '../mcp/index.js';
import type { Support } from '../support/api.js';

/**
 * Opens an in-process MCP session per turn for the turn's caller. One JSON Schema validator serves every session
 * (the SDK would otherwise build a new Ajv per server: most of the cost of opening one).
 */
export function createToolConnector(deps: { support: Support; log?: Logger | undefined }): ConnectTools {
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  return (caller, ctx) => connectInProcess({ support: deps.support, caller, context: ctx, log: deps.log, jsonSchemaValidator });
}
