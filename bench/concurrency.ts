/**
 * Concurrency benchmark: 200 threads with one message each, a fake model with 300 ms latency and a
 * concurrency limit of 50, on the durable JSON file (and, for comparison, the memory engine). Judged: wall time (first message in → last reply out)
 * ≤ 1.3 × the ideal of 4 waves × 300 ms. Checked: every thread answered exactly once, never more than
 * 50 model calls at once.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelPort } from '../src/agent/index.js';
import { silentLogger } from '../src/config/logger.js';
import { createJsonRepositories } from '../src/store/json/index.js';
import { createMemoryRepositories } from '../src/store/memory/index.js';
import type { Repositories } from '../src/store/repos/index.js';
import { fmt, seedDb, type Bench, type BenchResult } from './lib.js';
import { buildStack, textResponse } from './stack.js';

const THREADS = 200;
const LIMIT = 50;
const LATENCY_MS = 300;
const FACTOR = 1.3;

async function wave(repos: Repositories) {
  const state = { active: 0, maxActive: 0, calls: 0 };
  const model: ModelPort = {
    name: 'bench 300 ms model',
    async createMessage() {
      state.calls++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      await new Promise((r) => setTimeout(r, LATENCY_MS));
      state.active--;
      return textResponse('Thanks, noted.');
    },
  };
  let finished!: () => void;
  const all = new Promise<void>((r) => { finished = r; });
  let delivered = 0;
  const stack = await buildStack({ repos, model, concurrency: LIMIT, onDeliver: () => { if (++delivered === THREADS) finished(); } });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: THREADS }, (_, i) => stack.conversations.handle({
    id: `conc-${i}`, channel: 'slack', threadKey: `slack:T0BENCH:C0CONC:${i}.000200`, text: 'Hello there',
    sender: { id: `U${i}`, verified: true }, receivedAt: new Date().toISOString(),
  })));
  const acceptedMs = performance.now() - t0;
  await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
  const wall = performance.now() - t0;
  await stack.conversations.drain();
  await stack.stop();

  return { wall, acceptedMs, state, stack };
}

export const concurrencyBench: Bench = {
  name: 'concurrency',
  description: `${THREADS} threads, model latency ${LATENCY_MS} ms, concurrency ${LIMIT}: wall time vs ideal`,
  async run({ say }): Promise<BenchResult> {
    const dir = await mkdtemp(join(tmpdir(), 'helpline-bench-conc-'));
    try {
      const file = join(dir, 'db.json');
      await copyFile(resolve('data/seed.json'), file);
      const repos = await createJsonRepositories({ file, log: silentLogger() });
      say(`concurrency: ${THREADS} messages on the JSON file`);
      const onFile = await wave(repos);
      await repos.close();
      say(`concurrency: ${THREADS} messages on the memory engine`);
      const onMem = await wave(createMemoryRepositories(seedDb()));
      const { wall, acceptedMs, state, stack } = onFile;
      const ideal = Math.ceil(THREADS / LIMIT) * LATENCY_MS;
      const perThread = new Map<string, number>();
      for (const d of stack.deliveries) perThread.set(d.threadKey, (perThread.get(d.threadKey) ?? 0) + 1);
      const notes: string[] = [];
      if (perThread.size !== THREADS || [...perThread.values()].some((n) => n !== 1)) notes.push(`replies: ${stack.deliveries.length} over ${perThread.size} threads, expected exactly 1 in each of ${THREADS}`);
      if (state.maxActive > LIMIT) notes.push(`${state.maxActive} model calls at once, limit ${LIMIT}`);
      if (state.calls !== THREADS) notes.push(`${state.calls} model calls, expected ${THREADS}`);
      const ratio = wall / ideal;
      if (onMem.stack.deliveries.length !== THREADS) notes.push(`memory store: ${onMem.stack.deliveries.length} replies, expected ${THREADS}`);
      return {
        name: 'concurrency',
        figures: { threads: THREADS, concurrency_limit: LIMIT, model_latency_ms: LATENCY_MS, all_accepted_ms: Math.round(acceptedMs), wall_ms: Math.round(wall), ideal_ms: ideal, wall_over_ideal: fmt(ratio, 3), max_model_calls_at_once: state.maxActive, memory_store_wall_ms: Math.round(onMem.wall), memory_store_wall_over_ideal: fmt(onMem.wall / ideal, 2) },
        ratio: fmt(ratio, 3),
        target: `wall time ≤ ${FACTOR} × ideal (${ideal} ms)`,
        pass: ratio <= FACTOR,
        correct: notes.length === 0, problems: notes,
        notes: [`the same run on the memory store took ${fmt(onMem.wall / ideal, 2)} × ideal: the rest is waiting for durable writes`],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
