/**
 * `npm run bench [-- --quick] [-- <name> ...]`: runs the benchmarks one after another in this process,
 * prints each one's figures and a summary table, and (full mode, all benchmarks) writes `bench/results.md`.
 * Exit code 1 only when a correctness check fails (or a benchmark crashes), never for a missed timing target.
 */
import { writeFile } from 'node:fs/promises';
import { BENCHES } from './registry.js';
import { failure, type BenchResult } from './lib.js';
import { machine, renderMarkdown, renderTable } from './report.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const picked = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  const say = (line: string) => process.stderr.write(`  … ${line}\n`);
  const results: BenchResult[] = [];
  process.stdout.write(`Helpline benchmarks (${quick ? 'quick' : 'full'} mode) on ${machine().summary}\n\n`);
  for (const b of picked) {
    process.stdout.write(`▶ ${b.name}: ${b.description}\n`);
    const started = performance.now();
    let r: BenchResult;
    try {
      r = await b.run({ quick, say });
    } catch (err) {
      r = failure(b.name, '-', err);
    }
    results.push(r);
    for (const [k, v] of Object.entries(r.figures)) process.stdout.write(`    ${k.padEnd(36)} ${v}\n`);
    for (const p of r.problems ?? []) process.stdout.write(`    PROBLEM: ${p}\n`);
    for (const n of r.notes ?? []) process.stdout.write(`    note: ${n}\n`);
    process.stdout.write(`    → ${r.ratio ?? '-'} vs target ${r.target}: ${r.pass ? 'PASS' : 'MISS'}${r.correct ? '' : ' (CORRECTNESS FAILED)'} [${((performance.now() - started) / 1000).toFixed(1)} s]\n\n`);
  }
  process.stdout.write(`${renderTable(results)}\n`);
  if (!quick && names.length === 0) {
    await writeFile('bench/results.md', renderMarkdown(results, machine()));
    process.stdout.write('wrote bench/results.md\n');
  }
  return results.every((r) => r.correct) ? 0 : 1;
}

const code = await main();
// Timers/sockets left by libraries must not keep the process alive after the report.
process.exit(code);
