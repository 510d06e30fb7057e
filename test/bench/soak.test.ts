/**
 * The quick fault soak against the real bot process: asserts the end-of-run correctness checks (exactly-once
 * answers, approvals decided at most once, valid store, graceful stop). The RSS trend of a quick run (two samples)
 * is printed as NOT JUDGED: the full soak (npm run soak) judges it.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak/run-soak.js';
import { checkResult, failedChecks } from '../../bench/soak/verify.js';
import { dovecotAvailable } from '../helpers/dovecot.js';
import { postgresMissing } from '../helpers/postgres.js';

describe('fault soak (quick)', () => {
  it.skipIf(!dovecotAvailable())('answers every message exactly once through IMAP drops, 529s, SMTP 4xx and SIGKILL restarts', async () => {
    const r = await runSoak({ quick: true, say: () => {} });
    process.stdout.write(`[soak] faults ${JSON.stringify(r.faults)}\n[soak] figures ${JSON.stringify(r.figures)}\n`);
    for (const c of r.checks) process.stdout.write(`[soak] ${checkResult(c)} ${c.name}: ${c.detail}\n`);
    expect(r.faults.sigkills).toBeGreaterThan(0);
    expect(r.faults.model_529_answers).toBeGreaterThan(0);
    const failed = failedChecks(r.checks);
    expect(failed).toEqual([]);
    expect(r.figures['slack_messages']).toBeGreaterThan(0);
    expect(r.figures['emails']).toBeGreaterThan(0);
  }, 400_000);

  const pgMissing = postgresMissing();
  if (pgMissing && dovecotAvailable()) console.log(`[soak] two-instance PostgreSQL soak skipped: ${pgMissing}`);
  it.skipIf(!dovecotAvailable() || Boolean(pgMissing))('two instances on PostgreSQL, one SIGKILLed each round: every message answered once, every approval decided once', async () => {
    const r = await runSoak({ quick: true, engine: 'postgres', say: () => {} });
    process.stdout.write(`[soak postgres] faults ${JSON.stringify(r.faults)}\n[soak postgres] figures ${JSON.stringify(r.figures)}\n`);
    for (const c of r.checks) process.stdout.write(`[soak postgres] ${checkResult(c)} ${c.name}: ${c.detail}\n`);
    expect(r.faults.sigkills).toBeGreaterThan(0);
    expect(r.rounds.filter((x) => x.killed).map((x) => x.killed)).toEqual(expect.arrayContaining(['bot 1', 'bot 2']));
    const failed = failedChecks(r.checks);
    expect(failed).toEqual([]);
    expect(r.figures['slack_messages']).toBeGreaterThan(0);
    expect(r.figures['emails']).toBeGreaterThan(0);
  }, 400_000);
});
