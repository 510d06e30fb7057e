import type { RedactionKind } from './kinds.js';
import { redactSecrets } from './secrets.js';

/**
 * A shallow copy of `input` with the named string fields redacted (the input itself when nothing changes or it is
 * not a plain object, so validation still sees exactly what the caller sent).
 */
export function redactFields<T>(input: T, fields: readonly string[]): { value: T; kinds: RedactionKind[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { value: input, kinds: [] };
  const record = input as Record<string, unknown>;
  const kinds = new Set<RedactionKind>();
  let copy: Record<string, unknown> | undefined;
  for (const field of fields) {
    const v = Object.hasOwn(record, field) ? record[field] : undefined;
    if (typeof v !== 'string') continue;
    const r = redactSecrets(v);
    if (r.text === v) continue;
    copy ??= { ...record };
    copy[field] = r.text;
    for (const k of r.kinds) kinds.add(k);
  }
  return { value: (copy ?? input) as T, kinds: [...kinds] };
}
