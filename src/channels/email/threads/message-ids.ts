/** Message-ID forms the channel stores and matches: `<id@host>`, and the bounded References chain of a thread. */

/** Most ids kept in a thread's References chain (the root plus the latest ones). */
export const REFERENCES_CAP = 11;

/** `<id@host>` form, trimmed; '' for nothing usable. */
export function normalizeMessageId(id: string | undefined | null): string {
  const t = (id ?? '').trim();
  if (!t) return '';
  const inner = t.replace(/^<+/, '').replace(/>+$/, '').trim();
  return inner ? `<${inner}>` : '';
}

/** Bounded references chain: the first id (the root) plus the last `REFERENCES_CAP - 1`. */
export function boundRefs(refs: string[]): string[] {
  const uniq = [...new Set(refs.filter(Boolean))];
  if (uniq.length <= REFERENCES_CAP) return uniq;
  return [uniq[0] as string, ...uniq.slice(-(REFERENCES_CAP - 1))];
}

/** `email:<message-id>` (our InboundMessage ids) → `<message-id>`. */
export function messageIdOfInbound(inboundId: string): string {
  return normalizeMessageId(inboundId.startsWith('email:') ? inboundId.slice('email:'.length) : inboundId);
}
