/** Rendering of benchmark results: the console table and `bench/results.md`. */
import { cpus, totalmem, type as osType, release } from 'node:os';
import type { BenchResult } from './lib.js';

export interface Machine { cpu: string; cores: number; memoryGb: number; node: string; os: string; date: string; summary: string }

export function machine(): Machine {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const cores = cpus().length;
  const memoryGb = Math.round((totalmem() / 1024 ** 3) * 10) / 10;
  const os = `${osType()} ${release()}`;
  const date = new Date().toISOString();
  return { cpu, cores, memoryGb, node: process.version, os, date, summary: `${cpu}, ${cores} cores, ${memoryGb} GB, Node ${process.version}` };
}

function verdict(r: BenchResult): string {
  return `${r.pass ? 'PASS' : 'MISS'}${r.correct ? '' : ' + CORRECTNESS FAILED'}`;
}

export function renderTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.name, String(r.ratio ?? '-'), r.target, verdict(r)]);
  const head = ['benchmark', 'judged figure', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export function renderMarkdown(results: readonly BenchResult[], m: Machine): string {
  const out: string[] = [
    '# Helpline benchmark results',
    '',
    `Measured by \`npm run bench\` (full mode) on ${m.date}.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}. ` +
      'Every figure within one benchmark was measured side by side in the same run; the machine was shared with other work, so absolute times are noisy.',
    '',
    '| benchmark | judged figure | target | result |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${r.ratio ?? '-'} | ${r.target} | ${verdict(r)} |`),
    '',
  ];
  for (const r of results) {
    out.push(`## ${r.name}`, '', '| figure | value |', '|---|---|');
    for (const [k, v] of Object.entries(r.figures)) out.push(`| ${k} | ${v} |`);
    out.push('');
    for (const p of r.problems ?? []) out.push(`- **correctness check failed:** ${p}`);
    for (const n of r.notes ?? []) out.push(`- ${n}`);
    if (r.notes?.length || r.problems?.length) out.push('');
  }
  return out.join('\n');
}
