/**
 * What keeps the email channel from mailing too much: addresses we must not send to for a while (bounces,
 * SMTP 5xx) and the reply budget per sender and per thread over a sliding window, with one staff alert per
 * spent key per window. Addresses and budget keys are matched exactly (callers lower-case addresses).
 */
export interface Undeliverable {
  address: string;
  until: string;
  reason: string;
}

/** A budget to take from: at most `limit` replies for `key` within the window. */
export interface BudgetRequest {
  key: string;
  limit: number;
}

export type BudgetVerdict = { ok: true } | { ok: false; key: string };

export interface EmailLimitsRepository {
  /** The address's block when it lasts beyond `now`; an expired one is as good as none. */
  undeliverable(address: string, now: string): Promise<Undeliverable | undefined>;

  /** Insert or replace the block of `address`. */
  markUndeliverable(block: Undeliverable): Promise<void>;

  /** Retention: delete blocks that ended at or before `now`, at most `limit`. Returns how many. */
  pruneUndeliverable(now: string, limit: number): Promise<number>;

  /**
   * Atomically: when every key has fewer than its `limit` replies recorded after `windowStart`, record one reply
   * at `at` under every key and answer ok; otherwise record nothing and name the first spent key (in request
   * order). Concurrent takers never exceed a limit (PostgreSQL: lock the keys' rows in key order, then count).
   */
  takeReplyBudget(requests: readonly BudgetRequest[], windowStart: string, at: string): Promise<BudgetVerdict>;

  /**
   * Compare-and-set for the "budget spent" staff alert: when `key` has no alert lasting beyond `now`, record one
   * lasting until `until` and return true (this caller alerts); otherwise false.
   */
  claimBudgetAlert(key: string, until: string, now: string): Promise<boolean>;

  /** Retention: delete replies recorded before `before` and alerts that ended at or before it, at most `limit` rows. Returns how many. */
  pruneBudget(before: string, limit: number): Promise<number>;
}
