/**
 * Turn-overhead benchmark: a whole customer turn (inbound → ledger → identity → agent → 2 tool calls through
 * in-process MCP → transcript → delivery) with an instant scripted model, one turn at a time.
 * Judged: the median time outside the model ≤ 10 ms on the JSON file (the default set-up) and on PostgreSQL
 * (production; a throwaway server with fsync on, skipped when PostgreSQL is not installed). Reported beside it:
 * the raw time of the same 2 MCP calls on an open client, measured interleaved in the same run, and the same turn
 * on the memory engine, which separates CPU cost from commit cost.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectInProcess } from '../src/mcp/index.js';
import { createPostgresRepositories } from '../src/store/postgres/index.js';
import { importIntoPostgres } from '../src/store/transfer/index.js';
import { postgresMissing, startPostgres } from '../test/helpers/postgres.js';
import { createJsonRepositories } from '../src/store/json/index.js';
import { createMemoryRepositories } from '../src/store/memory/index.js';
import type { Repositories } from '../src/store/repos/index.js';
import { silentLogger } from '../src/config/logger.js';
import { fmt, median, percentile, seedDb, type Bench, type BenchResult } from './lib.js';
import { countStatements } from './pg-statements.js';
import { buildStack, scriptedModel, type Delivery } from './stack.js';

const TARGET_MS = 10;
const TOOLS = [
  { name: 'get_account_balance', input: {} },
  { name: 'get_recent_transactions', input: { limit: 5 } },
];

/** Per-turn counters a store exposes (durable disk writes, statements, commits), averaged over the measured turns. */
type Counters = Record<string, number>;

interface Measured { outside: number[]; raw: number[]; ok: boolean; problems: string[]; perTurn: Counters }

export async function measure(repos: Repositories, turns: number, stats?: () => Counters): Promise<Measured> {
  const model = scriptedModel({ tools: TOOLS });
  const waiting = new Map<string, (d: Delivery) => void>();
  const stack = await buildStack({ repos, model, onDeliver: (d) => waiting.get(d.threadKey)?.(d) });
  const raw = await connectInProcess({ support: stack.support, caller: { kind: 'customer', customerId: 'cus_001' }, context: {} });
  const rawCalls = async () => {
    await raw.client.callTool({ name: TOOLS[0]!.name, arguments: TOOLS[0]!.input });
    await raw.client.callTool({ name: TOOLS[1]!.name, arguments: TOOLS[1]!.input });
  };
  const outside: number[] = [];
  const rawMs: number[] = [];
  const problems: string[] = [];
  const warm = Math.min(20, Math.floor(turns / 5));
  let before: Counters = {};
  for (let i = 0; i < turns + warm; i++) {
    if (i === warm) before = stats?.() ?? {};
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
    await rawCalls();
    const t2 = performance.now();
    if (i >= warm) {
      outside.push(d.at - t0 - (model.modelMs - modelBefore));
      rawMs.push(t2 - t1);
    }
  }
  await stack.conversations.drain();
  const after = stats?.() ?? {};
  // The raw calls ran beside the turns (whose last writes go on after their delivery): count theirs alone, now.
  const rawBefore = stats?.() ?? {};
  for (let i = 0; i < 10; i++) await rawCalls();
  const rawAfter = stats?.() ?? {};
  const perTurn = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, (v - (before[k] ?? 0)) / turns - ((rawAfter[k] ?? 0) - (rawBefore[k] ?? 0)) / 10]));
  const unfinished = (await repos.ledger.listUnfinished(1000)).length;
  const done = (await repos.ledger.count()) - unfinished;
  if (unfinished !== 0 || done !== turns + warm) problems.push(`ledger: ${done} done, expected ${turns + warm}`);
  if (stack.deliveries.length !== turns + warm) problems.push(`deliveries: ${stack.deliveries.length}, expected ${turns + warm}`);
  await raw.close();
  await stack.stop();
  return { outside, raw: rawMs, ok: problems.length === 0, problems: problems.slice(0, 5), perTurn };
}

/** The same turns on PostgreSQL (fsync on), seeded from the demo data; undefined when PostgreSQL is not installed. */
async function onPostgres(turns: number, say: (l: string) => void): Promise<Measured | undefined> {
  if (postgresMissing()) return undefined;
  const server = await startPostgres({ durable: true });
  try {
    const databaseUrl = await server.createDatabase('bench_turn');
    await importIntoPostgres({ source: resolve('data/seed.json'), databaseUrl, log: silentLogger() });
    const repos = await createPostgresRepositories({ databaseUrl, log: silentLogger() });
    say(`turn-overhead: ${turns} turns on PostgreSQL`);
    const counter = countStatements();
    try {
      return await measure(repos, turns, () => ({ ...counter.counts() }));
    } finally {
      counter.restore();
      await repos.close();
    }
  } finally {
    await server.stop();
  }
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
      say(`turn-overhead: ${turns} turns on the JSON file`);
      const json = await createJsonRepositories({ file, log: silentLogger() });
      const onFile = await measure(json, turns, () => ({ writes: json.stats().writes }));
      await json.close();
      say(`turn-overhead: ${turns} turns on the memory engine`);
      const onMem = await measure(createMemoryRepositories(seedDb()), turns);
      const onPg = await onPostgres(turns, say);
      const m = median(onFile.outside);
      const pgM = onPg ? median(onPg.outside) : Number.NaN;
      const figures: Record<string, string | number> = {
        turns,
        json_outside_model_p50_ms: fmt(m, 2), json_outside_model_p99_ms: fmt(percentile(onFile.outside, 99), 2),
        json_disk_writes_per_turn: fmt(onFile.perTurn['writes'] ?? 0, 2),
        raw_2_mcp_calls_p50_ms: fmt(median(onFile.raw), 3),
        json_ratio_to_raw_mcp: fmt(m / median(onFile.raw), 1),
        memory_outside_model_p50_ms: fmt(median(onMem.outside), 2), memory_outside_model_p99_ms: fmt(percentile(onMem.outside, 99), 2),
      };
      if (onPg) {
        Object.assign(figures, {
          postgres_outside_model_p50_ms: fmt(pgM, 2), postgres_outside_model_p99_ms: fmt(percentile(onPg.outside, 99), 2),
          postgres_statements_per_turn: fmt(onPg.perTurn['statements'] ?? 0, 1), postgres_round_trips_per_turn: fmt(onPg.perTurn['roundTrips'] ?? 0, 1),
          postgres_commits_per_turn: fmt(onPg.perTurn['commits'] ?? 0, 1),
        });
      }
      const all = [onFile, onMem, ...(onPg ? [onPg] : [])];
      return {
        name: 'turn-overhead',
        figures,
        ratio: fmt(onPg ? Math.max(m, pgM) : m, 2),
        target: `median ms outside the model ≤ ${TARGET_MS} (JSON file and PostgreSQL, both with fsync)`,
        pass: m <= TARGET_MS && (!onPg || pgM <= TARGET_MS),
        correct: all.every((r) => r.ok),
        problems: all.flatMap((r) => r.problems),
        notes: [
          `JSON file: ${fmt(onFile.perTurn['writes'] ?? 0, 1)} durable disk writes (journal appends, group-committed) per turn; ` +
            `the memory engine spends ${fmt(median(onMem.outside), 2)} ms outside the model`,
          onPg ? `PostgreSQL (throwaway server with fsync on, on loopback): p50 ${fmt(pgM, 2)} ms` : `PostgreSQL: not measured (${postgresMissing()})`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
