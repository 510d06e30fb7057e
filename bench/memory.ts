/**
 * Memory benchmark: peak RSS of a fresh process over 10,000 new conversations of 3 turns each (quick: 1,000)
 * through the real stack. Judged: peak RSS ≤ 300 MB,
 *  - on the memory engine (the JSON engine holds the same data in memory and adds only its write path), and
 *  - on PostgreSQL already holding 200,000 stored conversations (quick: 20,000), within 10% of the same run on
 *    an empty database: memory must not grow with stored history (skipped when PostgreSQL is not installed).
 * Checked: every turn answered, one transcript per conversation, nothing left unfinished in the ledger. The child
 * runs the tsc-compiled JavaScript with the node flags of package.json's start script (the heap limit among them).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { silentLogger } from '../src/config/logger.js';
import { importIntoPostgres } from '../src/store/transfer/index.js';
import { postgresMissing, startPostgres } from '../test/helpers/postgres.js';
import { compileProject } from './compile.js';
import { fmt, seedDb, type Bench, type BenchResult } from './lib.js';
import { preloadHistory } from './pg-history.js';
import { nodeFlags, startScript } from './start-flags.js';

const TARGET_MB = 300;
const GROWTH = 0.1;

interface ChildFigures { conversations: number; turns: number; delivered: number; threads: number; valid: boolean; seconds: number; startMb: number; peakMb: number; endMb: number; heapMb: number; dbMb: number; rssAfterBatch: number[] }

function runChild(script: string, flags: string[], conversations: number, databaseUrl?: string): Promise<ChildFigures> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...flags, script, String(conversations), ...(databaseUrl ? [databaseUrl] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolvePromise(JSON.parse(line) as ChildFigures);
      } catch {
        reject(new Error(`memory child exited ${code} without figures: ${out.slice(-500)}`));
      }
    });
  });
}

function check(f: ChildFigures, n: number, where: string): string[] {
  const notes: string[] = [];
  if (f.delivered !== f.turns) notes.push(`${where}: ${f.delivered} replies for ${f.turns} turns`);
  if (f.threads !== n) notes.push(`${where}: ${f.threads} transcripts for ${n} conversations`);
  if (!f.valid) notes.push(`${where}: ledger incomplete after the run`);
  return notes;
}

const trend = (xs: number[]) => (xs.length > 4 ? `${xs[0]} → ${xs[Math.floor(xs.length / 2)]} → ${xs.at(-1)}` : xs.join(' → '));

interface PgRuns { empty: ChildFigures; full: ChildFigures; stored: number }

/** The same run on PostgreSQL: an empty database (demo data only), then one holding `stored` conversations. */
async function onPostgres(script: string, flags: string[], n: number, stored: number, say: (l: string) => void): Promise<PgRuns | undefined> {
  if (postgresMissing()) return undefined;
  const server = await startPostgres();
  try {
    const log = silentLogger();
    const emptyUrl = await server.createDatabase('bench_mem_empty');
    const fullUrl = await server.createDatabase('bench_mem_full');
    for (const databaseUrl of [emptyUrl, fullUrl]) await importIntoPostgres({ source: resolve('data/seed.json'), databaseUrl, log });
    say(`memory: storing ${stored} conversations of history in PostgreSQL`);
    await preloadHistory(fullUrl, stored, seedDb().customers.map((c) => c.id));
    say(`memory: ${n} conversations on PostgreSQL, empty database`);
    const empty = await runChild(script, flags, n, emptyUrl);
    say(`memory: ${n} conversations on PostgreSQL holding ${stored} conversations`);
    const full = await runChild(script, flags, n, fullUrl);
    return { empty, full, stored };
  } finally {
    await server.stop();
  }
}

export const memoryBench: Bench = {
  name: 'memory',
  description: 'peak RSS over N new conversations of 3 turns each (fresh process), memory engine and PostgreSQL',
  async run({ quick, say }): Promise<BenchResult> {
    const n = quick ? 1000 : 10_000;
    const stored = quick ? 5_000 : 200_000;
    // quick (CI): correctness on PostgreSQL, not its figures. BENCH_MEMORY_PG_N: fewer new conversations there.
    const pgN = quick ? 300 : Number(process.env['BENCH_MEMORY_PG_N'] ?? n);
    say('memory: compiling the project as npm start runs it (tsc → JavaScript)');
    const compiled = compileProject();
    const flags = nodeFlags(startScript());
    say(`memory: ${n} conversations × 3 turns in a child process (node ${flags.join(' ')})`);
    let f: ChildFigures;
    let pgRuns: PgRuns | undefined;
    try {
      const script = compiled.path('bench/memory-child.ts');
      f = await runChild(script, flags, n);
      pgRuns = await onPostgres(script, flags, pgN, stored, say);
    } finally {
      compiled.dispose();
    }
    const notes = check(f, n, 'memory engine');
    const figures: Record<string, string | number> = {
      conversations: n, turns: f.turns, seconds: fmt(f.seconds, 1), turns_per_s: Math.round(f.turns / f.seconds),
      rss_start_mb: Math.round(f.startMb), rss_peak_mb: Math.round(f.peakMb), rss_end_mb: Math.round(f.endMb),
      heap_used_end_mb: Math.round(f.heapMb), store_json_mb: fmt(f.dbMb, 1), rss_after_batches_mb: trend(f.rssAfterBatch),
    };
    let pass = f.peakMb <= TARGET_MB;
    if (pgRuns) {
      const { empty, full } = pgRuns;
      notes.push(...check(empty, pgN, 'PostgreSQL (empty)'), ...check(full, pgN, `PostgreSQL (${pgRuns.stored} stored)`));
      const growth = full.peakMb / empty.peakMb - 1;
      Object.assign(figures, {
        pg_stored_conversations: pgRuns.stored, pg_new_conversations: pgN,
        pg_empty_rss_peak_mb: Math.round(empty.peakMb), pg_full_rss_peak_mb: Math.round(full.peakMb),
        pg_full_vs_empty: `${growth >= 0 ? '+' : ''}${fmt(growth * 100, 1)}%`, pg_full_db_mb: Math.round(full.dbMb),
        pg_full_turns_per_s: Math.round(full.turns / full.seconds), pg_full_rss_after_batches_mb: trend(full.rssAfterBatch),
      });
      pass = pass && full.peakMb <= TARGET_MB && growth <= GROWTH;
    }
    return {
      name: 'memory',
      figures,
      ratio: Math.round(pgRuns ? Math.max(f.peakMb, pgRuns.full.peakMb) : f.peakMb),
      target: `peak RSS ≤ ${TARGET_MB} MB${quick ? ' (quick: 1,000 conversations; 300 on PostgreSQL)' : ''}; on PostgreSQL with stored history, within ${GROWTH * 100}% of an empty database`,
      pass,
      correct: notes.length === 0, problems: notes,
      notes: [
        `run as npm start runs production: compiled JavaScript, node ${flags.join(' ')}`,
        `memory engine: process baseline before any turn ${Math.round(f.startMb)} MB; the store (all ${n} transcripts, ledger, audit) is ${fmt(f.dbMb, 1)} MB of JSON held in memory`,
        pgRuns ? `PostgreSQL: the database held ${pgRuns.stored} stored conversations (${Math.round(pgRuns.full.dbMb)} MB on disk); the process keeps none of it` : `PostgreSQL: not measured (${postgresMissing()})`,
      ],
    };
  },
};
