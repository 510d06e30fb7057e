import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { createMcpServer, SERVER_VERSION, type CreateMcpServerOptions } from './server.js';

/**
 * The in-process server already checks every structuredContent against the tool's output schema (zod)
 * before sending it, and nothing sits between the two ends, so the client does not check it again.
 * (The SDK default compiles an AJV validator per tool on every listTools: ~20 ms per session.)
 */
const serverValidatedOutput: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};

export interface InProcessConnection {
  client: Client;
  close(): Promise<void>;
}

/**
 * A fresh server for `caller` plus a connected SDK Client, linked in memory (no I/O).
 * Cheap enough to open per conversation turn; `close()` shuts both ends.
 */
export async function connectInProcess(opts: CreateMcpServerOptions): Promise<InProcessConnection> {
  const server = createMcpServer(opts);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'helpline-in-process', version: SERVER_VERSION }, { jsonSchemaValidator: serverValidatedOutput });
  try {
    await client.connect(clientTransport);
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}
