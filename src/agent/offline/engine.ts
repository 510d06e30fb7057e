/** What the offline assistant builds once (lazily, on its first message): the trained classifier and the lookups. */
import { createAddressReader, type AddressReader } from './address.js';
import { createCountryLookup } from './countries.js';
import { trainIntentModel } from './classifier.js';
import { loadNluData, type NluData } from './nlu-data.js';
import { createNormaliser } from './normalise.js';
import { createUnderstanding, type Understanding } from './understand.js';

export interface OfflineEngine {
  nlu: Understanding;
  address: AddressReader;
  brands: Readonly<Record<string, string>>;
  /** Milliseconds to load the data, train the classifier and build the country names. */
  readonly startupMs: number;
  readonly trainingMs: number;
}

export async function createOfflineEngine(data: NluData = loadNluData()): Promise<OfflineEngine> {
  const started = performance.now();
  const normalise = createNormaliser(data);
  const examples = Object.entries(data.intents).flatMap(([intent, utterances]) => utterances.map((u) => ({ intent, utterance: normalise(u).forClassifier })));
  const model = await trainIntentModel(examples);
  const address = createAddressReader(createCountryLookup());
  return { nlu: createUnderstanding(model, data, normalise), address, brands: data.brands, trainingMs: model.trainingMs, startupMs: performance.now() - started };
}
