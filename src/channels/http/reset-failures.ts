import { addressKey } from './client-address.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';

export interface ResetLimits {
  /** Failures allowed per token id in a window: wrong secret, used, expired, or a refused form on a valid link. */
  perToken: number;
  /** Failed verifications allowed per client address (IPv6: per /64) in a window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_RESET_LIMITS: ResetLimits = { perToken: 5, perAddress: 30, windowMs: 15 * 60_000 };

/**
 * Counts what failed on the reset page, and only that: a link that verifies is never counted and never refused,
 * so junk sent from a victim's address (or from behind the same proxy) cannot lock the victim out.
 * Each method returns the Retry-After in ms when the failure puts its key over the limit, else 0.
 */
export function createResetFailures(limits: ResetLimits) {
  const perAddress = createRateLimiter({ limit: limits.perAddress, windowMs: limits.windowMs });
  const perToken = createRateLimiter({ limit: limits.perToken, windowMs: limits.windowMs });
  const count = (limiter: RateLimiter, key: string) => (limiter.hit(key) ? 0 : Math.max(1000, limiter.retryAfterMs(key)));
  return {
    /** A token that did not verify (malformed, unknown, wrong secret, used, expired): counts against the client and the token id. */
    verification(client: string, tokenId: string | undefined): number {
      const byAddress = count(perAddress, addressKey(client));
      const byToken = tokenId === undefined ? 0 : count(perToken, tokenId);
      return Math.max(byAddress, byToken);
    },
    /** A valid link's form refused (bad CSRF pair, foreign origin): counts against that token only, not the address. */
    form(tokenId: string): number {
      return count(perToken, tokenId);
    },
  };
}
