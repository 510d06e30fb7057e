/**
 * `npm run soak [-- --quick] [-- --keep] [-- --postgres]`: the fault soak (see bench/soak/run-soak.ts), on the JSON
 * file with one bot, or with `--postgres` two bots on one PostgreSQL database. Prints the rounds, the faults injected,
 * the figures and a summary table of checks; exit code 1 when a check fails.
 */
import { writeFile } from 'node:fs/promises';
import { machine } from './report.js';
import { runSoak, type SoakResult } from './soak/run-soak.js';
import { checkResult } from './soak/verify.js';

const killedText = (k: boolean | string) => (typeof k === 'string' ? k : k ? 'yes' : 'no');

/** `bench/soak-results.md` or `bench/soak-results-postgres.md` (full mode only). */
function markdown(r: SoakResult, seconds: number, postgres: boolean): string {
  const m = machine();
  return [
    postgres ? '# Helpline fault soak results: two instances on PostgreSQL' : '# Helpline fault soak results', '',
    `Measured by \`npm run soak${postgres ? ' -- --postgres' : ''}\` (full mode) on ${m.date} in ${seconds.toFixed(0)} s.`, '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}.`, '',
    '| check | result | detail |', '|---|---|---|',
    ...r.checks.map((c) => `| ${c.name} | ${checkResult(c)} | ${c.detail} |`), '',
    '## Faults injected', '', '| fault | count |', '|---|---|',
    ...Object.entries(r.faults).map(([k, v]) => `| ${k} | ${v} |`), '',
    '## Figures', '', '| figure | value |', '|---|---|',
    ...Object.entries(r.figures).map(([k, v]) => `| ${k} | ${v} |`), '',
    '## Rounds', '', '| round | bot killed | Slack messages | emails | RSS MB | ms |', '|---|---|---|---|---|---|',
    ...r.rounds.map((x) => `| ${x.round} | ${killedText(x.killed)} | ${x.slack} | ${x.email} | ${x.rssMb?.toFixed(0) ?? '-'} | ${x.ms} |`), '',
  ].join('\n');
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const postgres = args.includes('--postgres');
const started = Date.now();
process.stdout.write(`Helpline fault soak (${quick ? 'quick' : 'full'} mode)\n\n`);
let code = 1;
try {
  const r = await runSoak({ quick, keep, engine: postgres ? 'postgres' : 'json', say: (l) => process.stderr.write(`  … ${l}\n`) });
  process.stdout.write('round | bot killed | slack msgs | emails | RSS MB | ms\n------|------------|------------|--------|--------|------\n');
  for (const x of r.rounds) process.stdout.write(`${String(x.round).padEnd(5)} | ${killedText(x.killed).padEnd(10)} | ${String(x.slack).padEnd(10)} | ${String(x.email).padEnd(6)} | ${String(x.rssMb?.toFixed(0) ?? '-').padEnd(6)} | ${x.ms}\n`);
  process.stdout.write('\nfaults injected:\n');
  for (const [k, v] of Object.entries(r.faults)) process.stdout.write(`    ${k.padEnd(28)} ${v}\n`);
  process.stdout.write('figures:\n');
  for (const [k, v] of Object.entries(r.figures)) process.stdout.write(`    ${k.padEnd(28)} ${v}\n`);
  process.stdout.write('\ncheck                                         | result     | detail\n----------------------------------------------|------------|-------\n');
  for (const c of r.checks) process.stdout.write(`${c.name.padEnd(45)} | ${checkResult(c).padEnd(10)} | ${c.detail}\n`);
  process.stdout.write(`\nsoak ${r.ok ? 'PASSED' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s${keep ? ` (kept ${r.dir})` : ''}\n`);
  if (!quick) {
    const out = postgres ? 'bench/soak-results-postgres.md' : 'bench/soak-results.md';
    await writeFile(out, markdown(r, (Date.now() - started) / 1000, postgres));
    process.stdout.write(`wrote ${out}\n`);
  }
  code = r.ok ? 0 : 1;
} catch (err) {
  process.stdout.write(`soak could not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
}
process.exit(code);
