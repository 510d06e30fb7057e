/** The offline assistant's language data (data/nlu/en.json): training utterances per intent and the word lists its rules use. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { INTENT_NAMES } from './intents.js';

const guard = z.object({ topic: z.string(), action: z.string() });

const nluDataSchema = z.object({
  about: z.string().optional(),
  intents: z.record(z.enum(INTENT_NAMES), z.array(z.string().min(1)).min(1)),
  abbreviations: z.record(z.string(), z.string()),
  keywords: z.array(z.string().min(4)),
  /** `unfreeze`: `topic` the words that undo a freeze (never read as a freeze or block), `action` those that may ask to. */
  guards: z.object({ password: guard, card: guard, address: guard, human: guard, unfreeze: guard }),
  brands: z.record(z.string(), z.string()),
});

export type NluData = z.output<typeof nluDataSchema>;

/** data/nlu/en.json, found from this file in both src/ and dist/ (same depth). */
export const nluDataUrl = (): URL => new URL('../../../data/nlu/en.json', import.meta.url);

export function loadNluData(url: URL = nluDataUrl()): NluData {
  return nluDataSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}
