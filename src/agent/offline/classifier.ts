/**
 * The intent classifier: nlp.js's neural NLU (bag of stemmed English tokens → intent scores), behind a small typed
 * interface. Training is deterministic (same examples in the same order → same model).
 */
import { containerBootstrap } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { Nlp } from '@nlpjs/nlp';

export interface Scored {
  intent: string;
  score: number;
}

export interface IntentModel {
  /** Intents by score, best first; `None` when no known word occurs. */
  classify(text: string): Promise<Scored[]>;
  /** Milliseconds the training took. */
  readonly trainingMs: number;
}

export interface Example {
  intent: string;
  utterance: string;
}

export async function trainIntentModel(examples: readonly Example[], clock: () => number = () => performance.now()): Promise<IntentModel> {
  const started = clock();
  const container = containerBootstrap();
  container.use(LangEn);
  const nlp = new Nlp({ languages: ['en'], autoLoad: false, autoSave: false, forceNER: false, calculateSentiment: false, nlu: { log: false } }, container);
  for (const e of examples) nlp.addDocument('en', e.utterance, e.intent);
  await nlp.train();
  const trainingMs = clock() - started;
  return {
    trainingMs,
    async classify(text) {
      const res = await nlp.classify('en', text);
      return (res.classifications ?? []).map((c) => ({ intent: c.intent, score: c.score }));
    },
  };
}
