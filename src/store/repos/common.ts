/**
 * Types and rules every repository port shares. Conventions for all ports in this folder:
 *
 * - Every method is async and exchanges plain data: what a caller passes is copied in, what it gets back is a copy.
 *   Changing a returned record never changes the store; changing an argument after the call changes nothing either.
 * - Times are ISO-8601 instants (`Date#toISOString()`); engines compare them as instants, not as strings.
 *   Methods whose answer depends on "now" take it as an argument (the caller's clock); only leases use the
 *   engine's own clock (one clock for every instance).
 * - Every read is answerable from an index: by primary key, by a unique key, by an owner (customer, thread), or by a
 *   status with an explicit `limit`. Lists never return "everything"; aggregates have their own count methods.
 * - `limit` is an integer from 1 to {@link MAX_LIMIT}; anything else is `bad_input`.
 * - Inserting a record whose id (or unique key) exists is `conflict`, unless the method says otherwise.
 * - A method is atomic on its own. Several methods are atomic together only inside `transaction(fn)`.
 * - Errors are `AppError` (src/errors.ts): `bad_input`, `conflict`, `not_found` (only where documented),
 *   `unavailable` (engine closed or unreachable), `store_io` / `store_corrupt` (engine failures).
 */
import { AppError } from '../../errors.js';

/** Largest `limit` any list method accepts. */
export const MAX_LIMIT = 1000;

/**
 * Outcome of a compare-and-set. `won`: this call made the change and `record` is the record after it.
 * Not won: the expectation did not hold (someone else changed it first, or a guard such as expiry failed);
 * `record` is the current record, or `undefined` when there is no such record (or the caller may not see it).
 */
export type CasResult<T> = { won: true; record: T } | { won: false; record: T | undefined };

/** One page of a list in the list's order; `next` (opaque) asks for the page after it, absent on the last page. */
export interface Page<T> {
  items: T[];
  next?: string | undefined;
}

export interface PageRequest {
  limit: number;
  /** `next` of the previous page; absent for the first page. An unknown or malformed cursor is `bad_input`. */
  cursor?: string | undefined;
}

/** Where a staff card (approval, draft) was posted in Slack. */
export interface StaffMessageRef {
  channel: string;
  ts: string;
}

/** Throws `bad_input` unless `limit` is an integer in 1..MAX_LIMIT. For engines. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AppError('bad_input', `limit must be an integer from 1 to ${MAX_LIMIT}`, { limit });
  }
  return limit;
}

/** Milliseconds of an ISO instant; `bad_input` when it is not one. For engines. */
export function instant(iso: string, what = 'time'): number {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new AppError('bad_input', `${what} must be an ISO-8601 instant`, { value: String(iso).slice(0, 40) });
  return t;
}
