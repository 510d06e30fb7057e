/**
 * Memory benchmark: peak RSS of a fresh process after 10,000 conversations of 3 turns each (quick: 1,000)
 * through the real stack. Judged: peak RSS ≤ 300 MB. Checked: every turn answered, one transcript per
 * conversation, store valid. The in-memory store is used (the file store holds the same data in memory and
 * adds only its write path); the transcript and ledger data stay in the store, as in production. The child runs
 * the tsc-compiled JavaScript with the node flags of package.json's start script (the heap limit among them).
 */
import { spawn } from 'node:child_process';
import { compileProject } from './compile.js';
import { fmt, type Bench, type BenchResult } from './lib.js';
import { nodeFlags, startScript } from './start-flags.js';

const TARGET_MB = 300;

interface ChildFigures { conversations: number; turns: number; delivered: number; threads: number; valid: boolean; seconds: number; startMb: number; peakMb: number; endMb: number; heapMb: number; dbMb: number; rssAfterBatch: number[] }

function runChild(script: string, flags: string[], conversations: number): Promise<ChildFigures> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...flags, script, String(conversations)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

export const memoryBench: Bench = {
  name: 'memory',
  description: 'peak RSS after N conversations of 3 turns each (fresh process)',
  async run({ quick, say }): Promise<BenchResult> {
    const n = quick ? 1000 : 10_000;
    say('memory: compiling the project as npm start runs it (tsc → JavaScript)');
    const compiled = compileProject();
    const flags = nodeFlags(startScript());
    say(`memory: ${n} conversations × 3 turns in a child process (node ${flags.join(' ')})`);
    let f: ChildFigures;
    try {
      f = await runChild(compiled.path('bench/memory-child.ts'), flags, n);
    } finally {
      compiled.dispose();
    }
    const notes: string[] = [];
    if (f.delivered !== f.turns) notes.push(`${f.delivered} replies for ${f.turns} turns`);
    if (f.threads !== n) notes.push(`${f.threads} transcripts for ${n} conversations`);
    if (!f.valid) notes.push('store invalid after the run');
    const trend = f.rssAfterBatch.length > 4 ? `${f.rssAfterBatch[0]} → ${f.rssAfterBatch[Math.floor(f.rssAfterBatch.length / 2)]} → ${f.rssAfterBatch.at(-1)}` : f.rssAfterBatch.join(' → ');
    return {
      name: 'memory',
      figures: {
        conversations: n, turns: f.turns, seconds: fmt(f.seconds, 1), turns_per_s: Math.round(f.turns / f.seconds),
        rss_start_mb: Math.round(f.startMb), rss_peak_mb: Math.round(f.peakMb), rss_end_mb: Math.round(f.endMb),
        heap_used_end_mb: Math.round(f.heapMb), store_json_mb: fmt(f.dbMb, 1), rss_after_batches_mb: trend,
      },
      ratio: Math.round(f.peakMb),
      target: `peak RSS ≤ ${TARGET_MB} MB${quick ? ' (quick: 1,000 conversations)' : ''}`,
      pass: f.peakMb <= TARGET_MB,
      correct: notes.length === 0, problems: notes,
      notes: [`run as npm start runs production: compiled JavaScript, node ${flags.join(' ')}`, `process baseline before any turn ${Math.round(f.startMb)} MB (node + modules); the store (all ${n} transcripts, ledger, audit) is ${fmt(f.dbMb, 1)} MB of JSON held in memory`],
    };
  },
};
