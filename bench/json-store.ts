/**
 * JSON engine benchmark (issue 16): does the engine need its journal? The same acknowledged writes
 * (`ledger.claim`, ~250 bytes each) against a ~1, 10 and 50 MB store, in its two write modes, side by side:
 *
 *   (a) rewrite: no journal, every group commit rewrites the whole document (temp file, fsync, rename, fsync dir);
 *   (b) journal: every group commit appends the rows it wrote to `<file>.journal` (fdatasync), folded into the
 *       document once the journal is as large as the document, and on close.
 *
 * Both coalesce: calls in flight while a write runs share the next one. Measured per size and mode: a burst of
 * 1,000 concurrent calls, 50 closed-loop writers (each awaits its write, then issues the next), one writer at a
 * time (a turn's commits come one after another), the longest event-loop stall, and (journal) the fold on close.
 * Every write is checked on disk afterwards. Judged: one writer's p50 latency at the largest size, journal mode.
 *
 *   npx tsx bench/json-store.ts [--quick]
 */
import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../src/config/logger.js';
import { createJsonRepositories, type JsonRepositories, readJsonStore } from '../src/store/json/index.js';
import type { Db } from '../src/store/schema.js';
import { type Bench, type BenchResult, fmt, percentile, seedDb } from './lib.js';

/** A turn makes about two commits one after the other; 10 ms each keeps a turn's store time near today's. */
const TARGET_SEQUENTIAL_P50_MS = 10;

/** The demo seed padded with audit entries until its JSON is about `mb` megabytes. */
function paddedDb(mb: number): Db {
  const db = seedDb();
  const entry = (i: number) => ({
    id: `aud_pad_${i}`, at: '2025-01-01T00:00:00.000Z', actor: { kind: 'system' as const, id: 'bench' },
    action: 'bench.padding', target: `cus_${String(i % 1000).padStart(3, '0')}`,
    details: { note: 'padding entry to grow the store to a realistic size', n: i },
  });
  const per = Buffer.byteLength(JSON.stringify(entry(0))) + 1;
  const count = Math.max(0, Math.ceil((mb * 1024 * 1024 - Buffer.byteLength(JSON.stringify(db))) / per));
  for (let i = 0; i < count; i++) db.audit.push(entry(i));
  return db;
}

interface Phase { writes: number; diskWrites: number; p50: number; p99: number; perSecond: number }
interface ModePoint { burst: Phase; loop: Phase; single: Phase; openMs: number; closeMs: number; stallMs: number; closeStallMs: number }
interface SizePoint { mb: number; bytes: number; modes: Record<'rewrite' | 'journal', ModePoint>; problems: string[] }

/** `writers` closed-loop writers until `total` writes are done (`writers` = total: one burst). */
async function drive(repos: JsonRepositories, prefix: string, total: number, writers: number): Promise<Phase> {
  const latencies: number[] = [];
  const before = repos.stats().writes;
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(writers, total) }, async () => {
    while (next < total) {
      const id = `${prefix}-${next++}`;
      const at = new Date().toISOString();
      const t = performance.now();
      await repos.ledger.claim({ id, threadKey: `email:<${id}@bench>`, channel: 'email', receivedAt: at, status: 'done', updatedAt: at });
      latencies.push(performance.now() - t);
    }
  }));
  const wall = performance.now() - started;
  return { writes: total, diskWrites: repos.stats().writes - before, p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: total / (wall / 1000) };
}

async function measureMode(prepared: string, dir: string, mode: 'rewrite' | 'journal', counts: { burst: number; loop: number; single: number }): Promise<{ point: ModePoint; problems: string[] }> {
  const file = join(dir, `${mode}.json`);
  await copyFile(prepared, file);
  const stalls = monitorEventLoopDelay({ resolution: 5 });
  let t = performance.now();
  const repos = await createJsonRepositories({ file, log: silentLogger(), compactAtBytes: mode === 'rewrite' ? 0 : undefined });
  const openMs = performance.now() - t;
  stalls.enable();
  const burst = await drive(repos, 'burst', counts.burst, counts.burst);
  const loop = await drive(repos, 'loop', counts.loop, 50);
  const single = await drive(repos, 'single', counts.single, 1);
  stalls.disable();
  const closeStalls = monitorEventLoopDelay({ resolution: 5 });
  closeStalls.enable();
  t = performance.now();
  await repos.close();
  const closeMs = performance.now() - t;
  closeStalls.disable();
  const { doc } = await readJsonStore(file);
  const ids = new Set(doc.ledger.map((p) => p.id));
  const expected = [['burst', counts.burst], ['loop', counts.loop], ['single', counts.single]] as const;
  const missing = expected.flatMap(([p, n]) => Array.from({ length: n }, (_, i) => `${p}-${i}`)).filter((id) => !ids.has(id));
  await rm(file, { force: true });
  return {
    point: { burst, loop, single, openMs, closeMs, stallMs: stalls.max / 1e6, closeStallMs: closeStalls.max / 1e6 },
    problems: missing.length ? [`${mode}: ${missing.length} acknowledged writes missing on disk`] : [],
  };
}

async function measure(mb: number, quick: boolean, say: (l: string) => void): Promise<SizePoint> {
  const dir = await mkdtemp(join(tmpdir(), 'helpline-bench-json-'));
  try {
    // An old-format file, migrated once by the engine: the prepared current document both modes start from.
    const prepared = join(dir, 'prepared.json');
    await writeFile(prepared, JSON.stringify(paddedDb(mb)));
    await (await createJsonRepositories({ file: prepared, log: silentLogger() })).close();
    const bytes = (await stat(prepared)).size;
    const modes = {} as SizePoint['modes'];
    const problems: string[] = [];
    // journal first: the rewrites' garbage (large strings) is not collected during its run
    for (const mode of ['journal', 'rewrite'] as const) {
      // whole-file rewrites take ~1 s each at 50 MB: fewer one-at-a-time writes for them
      const single = mode === 'rewrite' ? (mb >= 50 ? 10 : mb >= 10 ? 30 : 100) : 300;
      const counts = quick ? { burst: 200, loop: 200, single: Math.min(single, 30) } : { burst: 1000, loop: 1000, single };
      say(`json-store: ${mode} at ~${mb} MB`);
      const r = await measureMode(prepared, dir, mode, counts);
      modes[mode] = r.point;
      problems.push(...r.problems.map((p) => `${mb} MB ${p}`));
    }
    return { mb, bytes, modes, problems };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const jsonStoreBench: Bench = {
  name: 'json-store',
  description: 'JSON engine: whole-file rewrite vs journal, both group-committed, at ~1/10/50 MB',
  async run({ quick, say }): Promise<BenchResult> {
    const sizes = quick ? [1, 5] : [1, 10, 50];
    const points: SizePoint[] = [];
    for (const mb of sizes) points.push(await measure(mb, quick, say));
    const figures: Record<string, string | number> = {};
    for (const p of points) {
      figures[`${p.mb}MB_size_MB`] = fmt(p.bytes / 1048576, 1);
      for (const mode of ['rewrite', 'journal'] as const) {
        const m = p.modes[mode];
        const k = `${p.mb}MB_${mode}`;
        figures[`${k}_open_ms`] = Math.round(m.openMs);
        figures[`${k}_burst_writes_per_s`] = Math.round(m.burst.perSecond);
        figures[`${k}_burst_p50_ms`] = fmt(m.burst.p50, 1);
        figures[`${k}_burst_p99_ms`] = fmt(m.burst.p99, 1);
        figures[`${k}_burst_disk_writes`] = m.burst.diskWrites;
        figures[`${k}_50_writers_writes_per_s`] = Math.round(m.loop.perSecond);
        figures[`${k}_50_writers_p50_ms`] = fmt(m.loop.p50, 1);
        figures[`${k}_50_writers_p99_ms`] = fmt(m.loop.p99, 1);
        figures[`${k}_1_writer_writes_per_s`] = Math.round(m.single.perSecond);
        figures[`${k}_1_writer_p50_ms`] = fmt(m.single.p50, 2);
        figures[`${k}_1_writer_p99_ms`] = fmt(m.single.p99, 2);
        figures[`${k}_max_event_loop_stall_ms`] = Math.round(m.stallMs);
        figures[`${k}_close_ms`] = Math.round(m.closeMs);
        figures[`${k}_close_max_event_loop_stall_ms`] = Math.round(m.closeStallMs);
      }
    }
    const largest = points[points.length - 1]!;
    const judged = largest.modes.journal.single.p50;
    const problems = points.flatMap((p) => p.problems);
    const r = largest.modes.rewrite;
    const j = largest.modes.journal;
    return {
      name: 'json-store', figures, ratio: fmt(judged, 2),
      target: `journal: one writer's p50 ≤ ${TARGET_SEQUENTIAL_P50_MS} ms at ${largest.mb} MB`,
      pass: judged <= TARGET_SEQUENTIAL_P50_MS, correct: problems.length === 0, problems,
      notes: [
        `${largest.mb} MB, one writer at a time: rewrite p50 ${fmt(r.single.p50, 0)} ms (${Math.round(r.single.perSecond)} writes/s) vs journal p50 ${fmt(j.single.p50, 1)} ms (${Math.round(j.single.perSecond)} writes/s)`,
        `${largest.mb} MB, 50 writers: rewrite ${Math.round(r.loop.perSecond)} writes/s (p50 ${fmt(r.loop.p50, 0)} ms) vs journal ${Math.round(j.loop.perSecond)} writes/s (p50 ${fmt(j.loop.p50, 1)} ms)`,
        `journal fold on close at ${largest.mb} MB: ${Math.round(j.closeMs)} ms (the cost of one whole-file rewrite), longest event-loop stall in it ${Math.round(j.closeStallMs)} ms`,
      ],
    };
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const r = await jsonStoreBench.run({ quick, say: (l) => process.stderr.write(`  … ${l}\n`) });
  process.stdout.write(['| figure | value |', '|---|---|', ...Object.entries(r.figures).map(([k, v]) => `| ${k} | ${v} |`)].join('\n'));
  process.stdout.write(`\n\n${[...(r.problems ?? []).map((p) => `- **correctness check failed:** ${p}`), ...(r.notes ?? []).map((n) => `- ${n}`)].join('\n')}\n`);
  process.stdout.write(`\njudged: ${r.ratio} vs ${r.target}: ${r.pass ? 'PASS' : 'MISS'}${r.correct ? '' : ' (CORRECTNESS FAILED)'}\n`);
  process.exit(r.correct ? 0 : 1);
}
