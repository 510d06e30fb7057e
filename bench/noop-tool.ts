/** A tool that does nothing, registered next to the real ones: the baseline cost of one MCP round trip. */
import { z } from 'zod';
import { defineTool, READ_ONLY } from '../src/mcp/define-tool.js';

export const NOOP_TOOL = 'bench_noop';

export const noopTool = defineTool({
  name: NOOP_TOOL,
  audience: ['customer', 'anonymous', 'staff'],
  title: 'Benchmark no-op',
  description: 'Does nothing and returns ok (benchmarks only).',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({ ok: z.boolean() }),
  annotations: READ_ONLY,
  run: () => ({ ok: true }),
  summarize: () => 'ok',
});
