/** Shared pieces of the benchmarks: the result shape, options, timing and statistics helpers. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { emptyDb, type Db } from '../src/store/schema.js';

export type Figures = Record<string, string | number>;

/** What every benchmark returns. `pass` = the judged target was met; `correct` = its correctness checks held. */
export interface BenchResult {
  name: string;
  figures: Figures;
  /** The judged ratio (or figure), when the target is a ratio. */
  ratio?: number;
  target: string;
  pass: boolean;
  /** Correctness (exactly-once counts, store validity...). A false here makes `npm run bench` fail. */
  correct: boolean;
  /** The correctness checks that failed (`correct` is false exactly when there are any). */
  problems?: string[];
  /** How to read the figures (printed and written to results.md). */
  notes?: string[];
}

export interface BenchOptions {
  quick: boolean;
  /** Progress lines (stderr); silent in tests. */
  say(line: string): void;
}

export interface Bench {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<BenchResult>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}
export const median = (values: readonly number[]) => percentile(values, 50);

/** Rounds for display: 3 significant-ish decimals. */
export function fmt(n: number, digits = 3): number {
  if (!Number.isFinite(n)) return n;
  return Number(n.toFixed(n >= 100 ? 1 : digits));
}

/** Time `fn` `n` times sequentially; returns each duration in ms. */
export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

/** Runs `a` and `b` interleaved in blocks (side by side, so machine noise hits both alike). */
export async function sideBySide(n: number, block: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<{ a: number[]; b: number[] }> {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let done = 0; done < n; done += block) {
    const k = Math.min(block, n - done);
    ra.push(...(await timeEach(k, (i) => a(done + i))));
    rb.push(...(await timeEach(k, (i) => b(done + i))));
  }
  return { a: ra, b: rb };
}

/** The demo seed (`data/seed.json`), parsed fresh each call. */
export function seedDb(): Db {
  const raw = JSON.parse(readFileSync(resolve('data/seed.json'), 'utf8')) as Db;
  return { ...emptyDb(), ...raw };
}

export function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

export function failure(name: string, target: string, err: unknown): BenchResult {
  return { name, figures: {}, target, pass: false, correct: false, problems: [`crashed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`] };
}
