import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../bench/lib.js';
import { checkResult, failedChecks, rssTrendCheck, slope } from '../../bench/soak/verify.js';
import type { BenchResult } from '../../bench/lib.js';
import { renderMarkdown, renderTable, machine } from '../../bench/report.js';

describe('benchmark helpers', () => {
  it('percentiles pick the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(median(xs)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });

  it('slope tells a rising series from a flat or falling one', () => {
    expect(slope([100, 110, 120, 130])).toBeCloseTo(10);
    expect(slope([100, 100, 100])).toBe(0);
    expect(slope([130, 120])).toBeCloseTo(-10);
    expect(slope([5])).toBe(0);
  });

  it('the soak judges an RSS trend only from enough samples, and never calls a figure a failure', () => {
    const short = rssTrendCheck([148, 181]);
    expect(checkResult(short)).toBe('NOT JUDGED');
    expect(short.detail).toContain('too few');
    expect(failedChecks([short])).toEqual([]);
    expect(checkResult(rssTrendCheck([150, 170, 190, 210]))).toBe('FAIL');
    expect(failedChecks([rssTrendCheck([150, 170, 190, 210])])).toHaveLength(1);
    expect(checkResult(rssTrendCheck([150, 158, 158, 157]))).toBe('PASS');
  });

  it('the report names the machine and every benchmark with its verdict', () => {
    const results: BenchResult[] = [
      { name: 'store', figures: { '50MB_writes_per_s': 900 }, ratio: 900, target: '≥ 100 writes/s', pass: true, correct: true },
      { name: 'slack', figures: { model_turns: 499 }, ratio: 12, target: 'p99 ack', pass: true, correct: false, problems: ['499 model turns for 500 events'], notes: ['how to read it'] },
    ];
    const md = renderMarkdown(results, machine());
    expect(md).toContain(machine().cpu);
    expect(md).toContain('| store | 900 | ≥ 100 writes/s | PASS |');
    expect(md).toContain('| slack | 12 | p99 ack | PASS + CORRECTNESS FAILED |');
    expect(md).toContain('- **correctness check failed:** 499 model turns for 500 events');
    expect(md).toContain('- how to read it');
    expect(renderTable(results)).toMatch(/slack\s+\| 12/);
  });
});
