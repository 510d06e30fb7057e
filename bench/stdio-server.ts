/**
 * The Helpline MCP server over stdio for the tool-call benchmark: the same `createMcpServer` as `npm run mcp`
 * (src/mcp/stdio.ts), plus the benchmark no-op tool, so both are measured through one stdio client.
 * Usage: tsx bench/stdio-server.ts <db.json> <customerId>
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../src/mcp/index.js';
import { silentLogger } from '../src/config/logger.js';
import { createJsonRepositories } from '../src/store/json/index.js';
import { createSupport } from '../src/support/index.js';
import { noopTool } from './noop-tool.js';

const [file, customerId] = process.argv.slice(2);
if (!file || !customerId) throw new Error('usage: stdio-server.ts <db.json> <customerId>');
const repos = await createJsonRepositories({ file, log: silentLogger() });
const support = createSupport({
  repos, kbDir: 'data/kb', staff: { isStaff: () => false },
  approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080',
});
const server = createMcpServer({ support, caller: { kind: 'customer', customerId }, context: { channel: 'terminal' }, extraTools: [noopTool] });
const transport = new StdioServerTransport();
const stop = async () => {
  await server.close().catch(() => undefined);
  await repos.close().catch(() => undefined);
  process.exit(0);
};
transport.onclose = () => void stop();
process.stdin.on('end', () => void stop());
await server.connect(transport);
