/**
 * Store benchmark: 1,000 concurrent durable writes against the real file store at ~1, 10 and 50 MB.
 * Reports how many file rewrites they cost (coalescing) and the p50/p99 write latency (call → durable),
 * then the same count from 50 closed-loop writers (each waits for its write before the next: a steady stream),
 * then re-opens the file to prove every write is on disk and the file is valid (`dbSchema`).
 * Judged: the burst's writes/s at the largest size.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../src/store/index.js';
import { dbSchema, type Db } from '../src/store/schema.js';
import { fmt, percentile, seedDb, type Bench, type BenchResult } from './lib.js';

const TARGET_WRITES_PER_S = 100;

/** The demo seed padded with audit entries until its JSON is about `mb` megabytes. */
function paddedDb(mb: number): Db {
  const db = seedDb();
  const target = mb * 1024 * 1024;
  let size = Buffer.byteLength(JSON.stringify(db));
  const entry = (i: number) => ({
    id: `aud_pad_${i}`, at: '2025-01-01T00:00:00.000Z', actor: { kind: 'system' as const, id: 'bench' },
    action: 'bench.padding', target: `cus_${String(i % 1000).padStart(3, '0')}`,
    details: { note: 'padding entry to grow the store to a realistic size', n: i },
  });
  const per = Buffer.byteLength(JSON.stringify(entry(0))) + 1;
  const count = Math.max(0, Math.ceil((target - size) / per));
  for (let i = 0; i < count; i++) db.audit.push(entry(i));
  size += count * per;
  return db;
}

interface SizePoint { mb: number; bytes: number; writes: number; rewrites: number; p50: number; p99: number; max: number; wallMs: number; perSecond: number; durable: boolean; valid: boolean; loop: LoopPoint }
interface LoopPoint { rewrites: number; p50: number; p99: number; perSecond: number }

type Writer = (key: string) => Promise<void>;

/** `writers` closed-loop writers (each awaits its write, then issues the next) until `total` writes are done. */
async function closedLoop(write: Writer, writers: number, total: number, rewrites: () => number): Promise<LoopPoint> {
  const latencies: number[] = [];
  const before = rewrites();
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < total) {
      const i = next++;
      const t = performance.now();
      await write(`loop-${i}`);
      latencies.push(performance.now() - t);
    }
  }));
  const wall = performance.now() - started;
  return { rewrites: rewrites() - before, p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: total / (wall / 1000) };
}

async function measure(mb: number, writes: number): Promise<SizePoint> {
  const dir = await mkdtemp(join(tmpdir(), 'helpline-bench-store-'));
  try {
    const file = join(dir, 'db.json');
    const text = JSON.stringify(paddedDb(mb));
    await writeFile(file, text);
    const store = await openFileStore({ file, validate: false });
    const before = store.stats().writes;
    const started = performance.now();
    const latencies: number[] = [];
    await Promise.all(Array.from({ length: writes }, (_, i) => {
      const t = performance.now();
      const at = new Date().toISOString();
      return store.update((db) => {
        db.processed[`bench-${i}`] = { id: `bench-${i}`, threadKey: `bench:${i}`, channel: 'slack', receivedAt: at, status: 'done', updatedAt: at };
      }).then(() => { latencies.push(performance.now() - t); });
    }));
    const wallMs = performance.now() - started;
    const rewrites = store.stats().writes - before;
    const write: Writer = (key) => {
      const at = new Date().toISOString();
      return store.update((db) => { db.processed[key] = { id: key, threadKey: `bench:${key}`, channel: 'email', receivedAt: at, status: 'done', updatedAt: at }; });
    };
    const loop = await closedLoop(write, 50, writes, () => store.stats().writes);
    await store.close();
    const reread = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const parsed = dbSchema.safeParse(reread);
    const durable = parsed.success && Array.from({ length: writes }, (_, i) => `bench-${i}`).every((k) => parsed.data.processed[k]?.status === 'done');
    return {
      mb, bytes: Buffer.byteLength(text), writes, rewrites, wallMs,
      p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies),
      perSecond: writes / (wallMs / 1000), durable, valid: parsed.success, loop,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const storeBench: Bench = {
  name: 'store',
  description: 'concurrent durable writes: rewrites, p50/p99 latency, writes/s at ~1/10/50 MB',
  async run({ quick, say }): Promise<BenchResult> {
    const sizes = quick ? [1, 5] : [1, 10, 50];
    const writes = quick ? 200 : 1000;
    const points: SizePoint[] = [];
    for (const mb of sizes) {
      say(`store: ${writes} concurrent writes at ~${mb} MB`);
      points.push(await measure(mb, writes));
    }
    const figures: Record<string, string | number> = { writes_per_size: writes };
    for (const p of points) {
      const k = `${p.mb}MB`;
      figures[`${k}_size_MB`] = fmt(p.bytes / 1048576, 1);
      figures[`${k}_rewrites`] = p.rewrites;
      figures[`${k}_p50_ms`] = fmt(p.p50, 1);
      figures[`${k}_p99_ms`] = fmt(p.p99, 1);
      figures[`${k}_writes_per_s`] = Math.round(p.perSecond);
      figures[`${k}_50_writers_loop_rewrites`] = p.loop.rewrites;
      figures[`${k}_50_writers_loop_p50_ms`] = fmt(p.loop.p50, 1);
      figures[`${k}_50_writers_loop_p99_ms`] = fmt(p.loop.p99, 1);
      figures[`${k}_50_writers_loop_writes_per_s`] = Math.round(p.loop.perSecond);
    }
    const largest = points[points.length - 1]!;
    const notes = points.filter((p) => !p.valid || !p.durable).map((p) => `${p.mb} MB: ${p.valid ? 'writes missing after re-open' : 'file invalid after re-open'}`);
    return {
      name: 'store', figures, ratio: fmt(largest.perSecond, 1),
      target: `${largest.mb} MB store takes ≥ ${TARGET_WRITES_PER_S} writes/s${quick ? ' (quick: 5 MB)' : ''}`,
      pass: largest.perSecond >= TARGET_WRITES_PER_S,
      correct: notes.length === 0, problems: notes,
      notes: [`burst: all ${writes} updates made in one tick join one rewrite; 50 closed-loop writers at ${largest.mb} MB: ${Math.round(largest.loop.perSecond)} writes/s (each rewrite p50 ${fmt(largest.loop.p50, 0)} ms carries ≤ 50 writes)`],
    };
  },
};
