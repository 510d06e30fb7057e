/** Small helpers shared by the memory repositories. */
import { AppError } from '../../errors.js';

/** Ascending string order (code units), as `ORDER BY … COLLATE "C"`. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An opaque page cursor holding numbers (times in ms, sequence numbers). */
export function encodeCursor(value: Record<string, number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The numbers of a cursor made by `encodeCursor` with these keys; `bad_input` for anything else. */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const rec = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  if (!rec || !keys.every((k) => typeof rec[k] === 'number' && Number.isFinite(rec[k]))) throw new AppError('bad_input', 'Invalid page cursor.');
  return rec as Record<K, number>;
}

/** The first `limit` rows of `sorted` (already in list order, already past the cursor), and the cursor after them. */
export function pageOf<T>(sorted: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; next?: string } {
  const items = sorted.slice(0, limit);
  const last = items.at(-1);
  return sorted.length > limit && last !== undefined ? { items, next: cursorOf(last) } : { items };
}
