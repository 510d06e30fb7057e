/** Which model answers: the one given (tests, benchmarks), else Claude when an API key is set, else the offline assistant. */
import { createClaudeModel, createOfflineModel, type ModelPort } from '../agent/index.js';
import type { Config } from '../config/config.js';

export function chooseModel(config: Config['anthropic'], given: ModelPort | undefined): { model: ModelPort; label: string } {
  if (given) return { model: given, label: given.name };
  if (config.apiKey) return { model: createClaudeModel(config), label: `Claude ${config.model}` };
  return { model: createOfflineModel(), label: 'offline assistant (no ANTHROPIC_API_KEY)' };
}
