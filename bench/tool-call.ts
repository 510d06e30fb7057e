/**
 * Tool-call benchmark: `get_account_balance` vs a no-op tool, through the same MCP client, side by side:
 * in-process (InMemoryTransport; judged: ratio ≤ 1.5, reads come from memory, not the file) and over stdio
 * (a child process serving the same server). The store is the real file store on a copy of the demo seed.
 */

import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connectInProcess } from '../src/mcp/index.js';
import { silentLogger } from '../src/config/logger.js';
import { createJsonRepositories } from '../src/store/json/index.js';
import { createSupport } from '../src/support/index.js';
import { fmt, median, percentile, sideBySide, type Bench, type BenchResult } from './lib.js';
import { NOOP_TOOL, noopTool } from './noop-tool.js';

const CUSTOMER = 'cus_001';
const TARGET = 1.5;

interface Calls { callTool(p: { name: string; arguments?: Record<string, unknown> }): Promise<unknown> }

function checked(result: unknown, name: string): void {
  const r = result as { isError?: boolean; structuredContent?: Record<string, unknown> };
  if (r.isError || !r.structuredContent) throw new Error(`${name} failed: ${JSON.stringify(result).slice(0, 300)}`);
}

async function compare(client: Calls, n: number): Promise<{ balance: number[]; noop: number[] }> {
  const call = (name: string) => async () => checked(await client.callTool({ name, arguments: {} }), name);
  await sideBySide(Math.min(100, n), 25, call('get_account_balance'), call(NOOP_TOOL)); // warm-up
  const { a, b } = await sideBySide(n, 50, call('get_account_balance'), call(NOOP_TOOL));
  return { balance: a, noop: b };
}

export const toolCallBench: Bench = {
  name: 'tool-call',
  description: 'get_account_balance vs a no-op tool through the same MCP client (in-process and stdio)',
  async run({ quick, say }): Promise<BenchResult> {
    const n = quick ? 300 : 3000;
    const dir = await mkdtemp(join(tmpdir(), 'helpline-bench-tools-'));
    try {
      const file = join(dir, 'db.json');
      await copyFile(resolve('data/seed.json'), file);
      const repos = await createJsonRepositories({ file, log: silentLogger() });
      const support = createSupport({
        repos, kbDir: 'data/kb', staff: { isStaff: () => false },
        approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080',
      });
      say(`tool-call: ${n} + ${n} in-process calls`);
      const conn = await connectInProcess({ support, caller: { kind: 'customer', customerId: CUSTOMER }, context: { channel: 'terminal' }, extraTools: [noopTool] });
      const mem = await compare(conn.client, n);
      await conn.close();
      await repos.close();

      say(`tool-call: ${n} + ${n} stdio calls`);
      const file2 = join(dir, 'db-stdio.json');
      await copyFile(resolve('data/seed.json'), file2);
      const transport = new StdioClientTransport({
        command: process.execPath, args: ['--import', 'tsx', resolve('bench/stdio-server.ts'), file2, CUSTOMER],
        stderr: 'ignore', env: { ...process.env, LOG_LEVEL: 'silent' } as Record<string, string>,
      });
      const client = new Client({ name: 'helpline-bench', version: '0.0.0' });
      await client.connect(transport);
      const io = await compare(client, n);
      await client.close();

      const ratio = median(mem.balance) / median(mem.noop);
      const ioRatio = median(io.balance) / median(io.noop);
      const us = (ms: number) => fmt(ms * 1000, 1);
      return {
        name: 'tool-call',
        figures: {
          calls_each: n,
          inproc_balance_p50_us: us(median(mem.balance)), inproc_balance_p99_us: us(percentile(mem.balance, 99)),
          inproc_noop_p50_us: us(median(mem.noop)), inproc_noop_p99_us: us(percentile(mem.noop, 99)),
          inproc_ratio: fmt(ratio, 2),
          stdio_balance_p50_us: us(median(io.balance)), stdio_balance_p99_us: us(percentile(io.balance, 99)),
          stdio_noop_p50_us: us(median(io.noop)), stdio_noop_p99_us: us(percentile(io.noop, 99)),
          stdio_ratio: fmt(ioRatio, 2),
        },
        ratio: fmt(ratio, 2),
        target: `in-process p50 balance / p50 no-op ≤ ${TARGET}`,
        pass: ratio <= TARGET,
        correct: true,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};



