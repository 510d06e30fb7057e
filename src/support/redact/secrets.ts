import { findCards } from './cards.js';
import type { Redacted, Span } from './kinds.js';
import { findLabelled } from './labelled.js';
import { findPrivateKeys } from './private-keys.js';
import { applySpans } from './spans.js';
import { findTokens } from './tokens.js';

/** Remove every secret found in `input`; `kinds` says what was removed. */
export function redactSecrets(input: string): Redacted {
  if (input.length === 0) return { text: input, kinds: [] };
  const spans: Span[] = [];
  findPrivateKeys(input, spans);
  findTokens(input, spans);
  findCards(input, spans);
  findLabelled(input, spans);
  return applySpans(input, spans);
}
