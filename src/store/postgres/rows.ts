/** Reading column values into record fields, JSON parameters, page cursors. */
import { AppError } from '../../errors.js';

/** A timestamptz (Date from the driver, epoch milliseconds or text from JSON) as `Date#toISOString()`. */
export function iso(v: unknown): string {
  const d = v instanceof Date ? v : new Date(v as string | number);
  return d.toISOString();
}

export const optIso = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : iso(v));

export const str = (v: unknown): string => String(v);

/** A `text[]` column (pg returns an array of strings). */
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/** bigint (text from the driver), integer or numeric as a number. */
export const num = (v: unknown): number => Number(v);

/** A JSON(B) value as a statement parameter (never let the driver turn an array into a PostgreSQL array). */
export const jsonParam = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** The object without its undefined-valued keys (optional fields are absent, not undefined). */
export function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/** Rows matched to `ids`, in the order of `ids` (repeated ids repeat), unknown ids skipped. */
export function inOrderOf<T>(ids: readonly string[], records: T[], key: (r: T) => string): T[] {
  const by = new Map(records.map((r) => [key(r), r]));
  return ids.flatMap((id) => {
    const r = by.get(id);
    return r === undefined ? [] : [r];
  });
}

/** An opaque page cursor: base64url JSON of strings (instants, sequence numbers as text). */
export function encodeCursor(value: Record<string, string>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The fields of a cursor made by `encodeCursor`; `bad_input` for anything else (`instants` must parse). */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[], instants: readonly K[] = []): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const rec = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  const ok = rec !== undefined && keys.every((k) => typeof rec[k] === 'string')
    && instants.every((k) => Number.isFinite(Date.parse(rec[k] as string)))
    && keys.filter((k) => !instants.includes(k)).every((k) => /^\d{1,19}$/.test(rec[k] as string));
  if (!ok) throw new AppError('bad_input', 'Invalid page cursor.');
  return rec as Record<K, string>;
}

/** The first `limit` rows (of `limit + 1` fetched) and the cursor after them when there are more. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; next?: string } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last !== undefined ? { items, next: cursorOf(last) } : { items };
}
