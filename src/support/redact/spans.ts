import { PLACEHOLDERS, PRIORITY, REDACTION_KINDS, type Redacted, type Span } from './kinds.js';

/** Replace every span (merging overlaps, the higher-priority kind winning) with its placeholder. */
export function applySpans(input: string, spans: Span[]): Redacted {
  const valid = spans.filter((s) => s.end > s.start);
  if (valid.length === 0) return { text: input, kinds: [] };
  valid.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const s of valid) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      if (PRIORITY[s.kind] > PRIORITY[last.kind]) last.kind = s.kind;
    } else {
      merged.push({ ...s });
    }
  }
  const parts: string[] = [];
  const seen = new Set<Span['kind']>();
  let at = 0;
  for (const s of merged) {
    parts.push(input.slice(at, s.start), PLACEHOLDERS[s.kind]);
    seen.add(s.kind);
    at = s.end;
  }
  parts.push(input.slice(at));
  return { text: parts.join(''), kinds: REDACTION_KINDS.filter((k) => seen.has(k)) };
}
