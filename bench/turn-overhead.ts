/**
 * Turn-overhead benchmark: a whole customer turn (inbound → ledger → identity → agent → 2 tool calls through
 * in-process MCP → transcript → delivery) with an instant scripted model, one turn at a time.
 * Judged: the median time outside the model ≤ 10 ms with the durable file store (the production set-up), and
 * its ratio to the raw time of the same 2 MCP calls on an open client, measured interleaved in the same run.
 * The same is reported over the in-memory store, which separates CPU cost from fsync cost.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectInProcess } from '../src/mcp/index.js';
import { createMemoryStore, openFileStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { fmt, median, percentile, seedDb, type Bench, type BenchResult } from './lib.js';
import { buildStack, scriptedModel, type Delivery } from './stack.js';

const TARGET_MS = 10;
const TOOLS = [
  { name: 'get_account_balance', input: {} },
  { name: 'get_recent_transactions', input: { limit: 5 } },
];

interface Measured { outside: number[]; raw: number[]; ok: boolean; problems: string[]; rewrites: number; rewriteMs: number[] }

async function measure(store: Store, turns: number, stats?: () => { writes: number; lastWriteMs: number }): Promise<Measured> {
  const model = scriptedModel({ tools: TOOLS });
  const waiting = new Map<string, (d: Delivery) => void>();
  const stack = await buildStack({ store, model, onDeliver: (d) => waiting.get(d.threadKey)?.(d) });
  const raw = await connectInProcess({ support: stack.support, caller: { kind: 'customer', customerId: 'cus_001' }, context: {} });
  const outside: number[] = [];
  const rawMs: number[] = [];
  const problems: string[] = [];
  const warm = Math.min(20, Math.floor(turns / 5));
  const rewriteMs: number[] = [];
  let writesBefore = 0;
  for (let i = 0; i < turns + warm; i++) {
    const threadKey = `slack:T0BENCH:D0BENCH:${i}.000100`;
    const delivered = new Promise<Delivery>((r) => waiting.set(threadKey, r));
    const modelBefore = model.modelMs;
    const t0 = performance.now();
    const res = await stack.conversations.handle({
      id: `turn-${i}`, channel: 'slack', threadKey, text: 'What is my balance and what did I spend recently?',
      sender: { id: 'U0DEMO00001', verified: true }, receivedAt: new Date().toISOString(),
    });
    if (!res.accepted) problems.push(`turn ${i} not accepted: ${res.reason}`);
    const d = await delivered;
    waiting.delete(threadKey);
    if (!/after 2 tool calls/.test(d.reply.text)) problems.push(`turn ${i}: unexpected reply ${JSON.stringify(d.reply.text).slice(0, 120)}`);
    const t1 = performance.now();
    await raw.client.callTool({ name: TOOLS[0]!.name, arguments: TOOLS[0]!.input });
    await raw.client.callTool({ name: TOOLS[1]!.name, arguments: TOOLS[1]!.input });
    const t2 = performance.now();
    if (i === warm) writesBefore = stats?.().writes ?? 0;
    if (i >= warm) {
      if (stats) rewriteMs.push(stats().lastWriteMs);
      outside.push(d.at - t0 - (model.modelMs - modelBefore));
      rawMs.push(t2 - t1);
    }
  }
  await stack.conversations.drain();
  const rewrites = stats ? (stats().writes - writesBefore) / turns : 0;
  const db = store.read();
  const done = Object.values(db.processed).filter((p) => p.status === 'done').length;
  if (done !== turns + warm) problems.push(`ledger: ${done} done, expected ${turns + warm}`);
  if (stack.deliveries.length !== turns + warm) problems.push(`deliveries: ${stack.deliveries.length}, expected ${turns + warm}`);
  await raw.close();
  await stack.stop();
  return { outside, raw: rawMs, ok: problems.length === 0, problems: problems.slice(0, 5), rewrites, rewriteMs };
}

export const turnOverheadBench: Bench = {
  name: 'turn-overhead',
  description: 'a whole customer turn with 2 tool calls and an instant model: time outside the model',
  async run({ quick, say }): Promise<BenchResult> {
    const turns = quick ? 100 : 500;
    const dir = await mkdtemp(join(tmpdir(), 'helpline-bench-turn-'));
    try {
      const file = join(dir, 'db.json');
      await copyFile(resolve('data/seed.json'), file);
      say(`turn-overhead: ${turns} turns on the file store`);
      const fileStore = await openFileStore({ file });
      const onFile = await measure(fileStore, turns, () => fileStore.stats());
      await fileStore.close();
      say(`turn-overhead: ${turns} turns on the memory store`);
      const onMem = await measure(createMemoryStore(seedDb()), turns);
      const m = median(onFile.outside);
      const ratio = m / median(onFile.raw);
      return {
        name: 'turn-overhead',
        figures: {
          turns,
          file_outside_model_p50_ms: fmt(m, 2), file_outside_model_p99_ms: fmt(percentile(onFile.outside, 99), 2),
          file_commits_per_turn: fmt(onFile.rewrites, 2), file_commit_p50_ms: fmt(median(onFile.rewriteMs), 2),
          raw_2_mcp_calls_p50_ms: fmt(median(onFile.raw), 3),
          file_ratio_to_raw_mcp: fmt(ratio, 1),
          memory_outside_model_p50_ms: fmt(median(onMem.outside), 2), memory_outside_model_p99_ms: fmt(percentile(onMem.outside, 99), 2),
          memory_ratio_to_raw_mcp: fmt(median(onMem.outside) / median(onMem.raw), 1),
        },
        ratio: fmt(m, 2),
        target: `median ms outside the model ≤ ${TARGET_MS} (file store)`,
        pass: m <= TARGET_MS,
        correct: onFile.ok && onMem.ok,
        problems: [...onFile.problems, ...onMem.problems],
        notes: [
          `file store: ${fmt(onFile.rewrites, 1)} durable commits (durable journal appends) per turn, p50 ${fmt(median(onFile.rewriteMs), 1)} ms each; ` +
            `the same turn on the memory store spends ${fmt(median(onMem.outside), 2)} ms outside the model`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
