/**
 * The slice of nlp.js (v4, plain CommonJS without types) that the offline assistant uses. Only one file imports
 * these modules (classifier.ts); everything else sees its typed wrapper.
 */
declare module '@nlpjs/core' {
  /** nlp.js's dependency container: plugins register stemmers, tokenizers and classifiers in it. */
  export interface NlpjsContainer {
    use(plugin: unknown): unknown;
  }
  export function containerBootstrap(settings?: Record<string, unknown>): NlpjsContainer;
}

declare module '@nlpjs/lang-en-min' {
  /** English tokenizer, stemmer, stopwords and normalizer (a container plugin). */
  export const LangEn: unknown;
}

declare module '@nlpjs/nlp' {
  import type { NlpjsContainer } from '@nlpjs/core';

  export interface NlpjsSettings {
    languages?: string[];
    autoLoad?: boolean;
    autoSave?: boolean;
    forceNER?: boolean;
    calculateSentiment?: boolean;
    nlu?: { log?: boolean; useNoneFeature?: boolean; spellCheck?: boolean; spellCheckDistance?: number };
  }
  export interface NlpjsClassification {
    intent: string;
    score: number;
  }
  export interface NlpjsClassifyResult {
    classifications?: NlpjsClassification[];
  }
  export class Nlp {
    constructor(settings?: NlpjsSettings, container?: NlpjsContainer);
    addLanguage(locales: string | string[]): void;
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    /** Intent scores only (no entities, sentiment or answers). */
    classify(locale: string, utterance: string, settings?: Record<string, unknown>): Promise<NlpjsClassifyResult>;
  }
}
