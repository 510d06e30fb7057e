/**
 * The offline assistant's understanding on the labelled evaluation set (fixtures/nlu-eval.json): every utterance
 * through the real offline model with the customer tool list. NLU_REPORT=1 prints the per-intent table.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createOfflineEngine } from '../../src/agent/offline/engine.js';
import { isSensitive } from '../../src/agent/offline/intents.js';
import { loadEvalItems, markdownTable, runEval, type EvalReport } from './fixtures/nlu-eval-run.js';

const MAIN_INTENTS = ['details', 'balance', 'transactions', 'address', 'password', 'card', 'kb', 'ticket'];

describe('offline NLU: labelled evaluation set', () => {
  let report: EvalReport;
  let holdout: EvalReport;
  beforeAll(async () => {
    report = await runEval();
    holdout = await runEval(loadEvalItems('nlu-holdout.json'));
    if (process.env.NLU_REPORT === '1') {
      console.log(`${markdownTable(report)}\n\nHeld-out: ${holdout.overall.toFixed(1)}% of ${holdout.outcomes.length}`);
      for (const o of [...report.outcomes, ...holdout.outcomes].filter((x) => !x.right)) console.log(`miss [${o.item.intent}] "${o.item.text}": expected ${o.item.action}, got ${o.got.join('+')}`);
    }
  }, 60_000);

  it('is big enough: at least 320 utterances, at least 25 for each main intent', () => {
    const items = loadEvalItems();
    expect(items.length).toBeGreaterThanOrEqual(320);
    for (const intent of MAIN_INTENTS) expect(items.filter((i) => i.intent === intent).length, intent).toBeGreaterThanOrEqual(25);
  });

  it('is right on at least 90% overall and 80% of every intent', () => {
    expect(report.overall).toBeGreaterThanOrEqual(90);
    for (const row of report.perIntent) expect(row.pct, `${row.intent}: ${row.right}/${row.n}`).toBeGreaterThanOrEqual(80);
  });

  it('never takes a wrong sensitive action (password, card, address): it asks instead', () => {
    const wrong = [...report.outcomes, ...holdout.outcomes].filter((o) => o.wrongSensitive.length).map((o) => `${o.item.text} → ${o.wrongSensitive.join(', ')}`);
    expect(wrong).toEqual([]);
  });

  it('copes with wording it was never tuned on (held-out set)', () => {
    expect(holdout.overall).toBeGreaterThanOrEqual(85);
  });
});

describe('offline NLU: sensitive actions only come up when the message names their subject', () => {
  it('a question about something else is never met with "did you mean unfreeze / block a card / change password?"', async () => {
    const engine = await createOfflineEngine();
    const questions = ['are you open on sundays', 'do you open on christmas eve?', 'is the office open late on thursdays', 'are you closed on easter monday', 'open on boxing day?'];
    const offered: string[] = [];
    for (const q of questions) {
      const r = await engine.nlu.read(q);
      const sensitive = [...(r.clarify ?? []), ...r.requests.map((x) => x.intent)].filter(isSensitive);
      if (sensitive.length) offered.push(`${q} → ${sensitive.join(', ')}`);
    }
    expect(offered).toEqual([]);
    // The same rule still asks when the subject is named but the action is unclear.
    expect((await engine.nlu.read('freeze it')).clarify).toContain('card_freeze');
  }, 60_000);
});
