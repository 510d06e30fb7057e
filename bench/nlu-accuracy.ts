/**
 * The offline assistant's understanding, measured: its per-intent accuracy on the labelled evaluation set
 * (test/agent/fixtures/nlu-eval.json) as a markdown table, and the classifier's training time.
 * Run: npx tsx bench/nlu-accuracy.ts   (add --misses to list the utterances it gets wrong)
 */
import { createOfflineEngine } from '../src/agent/offline/engine.js';
import { loadEvalItems, markdownTable, runEval } from '../test/agent/fixtures/nlu-eval-run.js';

const engine = await createOfflineEngine();
const report = await runEval();
console.log(markdownTable(report));
console.log('');
console.log(`Classifier training: ${engine.trainingMs.toFixed(0)} ms (start-up incl. data and country names: ${engine.startupMs.toFixed(0)} ms; first message incl. start-up: ${report.trainingMs.toFixed(0)} ms).`);
const wrong = report.outcomes.filter((o) => o.wrongSensitive.length);
console.log(`Wrong sensitive actions: ${wrong.length}${wrong.map((o) => `\n- "${o.item.text}" → ${o.wrongSensitive.join(', ')}`).join('')}`);
const holdout = await runEval(loadEvalItems('nlu-holdout.json'));
console.log('');
console.log(`Held-out set (test/agent/fixtures/nlu-holdout.json, never used for tuning): ${holdout.outcomes.filter((o) => o.right).length}/${holdout.outcomes.length} right (${holdout.overall.toFixed(1)}%), wrong sensitive actions: ${holdout.outcomes.filter((o) => o.wrongSensitive.length).length}.`);
if (process.argv.includes('--misses')) {
  for (const o of [...report.outcomes, ...holdout.outcomes].filter((x) => !x.right)) console.log(`MISS [${o.item.intent}] "${o.item.text}" expected ${o.item.action}${o.item.also ? ` +${o.item.also.join('+')}` : ''}${o.item.input ? ` ${JSON.stringify(o.item.input)}` : ''} got ${o.got.join('+')} ${JSON.stringify(o.inputs)}`);
}
