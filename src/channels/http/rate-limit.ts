/** Fixed-window counters per key, bounded in size (oldest keys evicted first). */
export interface RateLimiter {
  /** Counts one hit for `key`; false when the key is over its limit in the current window. */
  hit(key: string): boolean;
  /** Milliseconds until the key's current window ends (0 when it has none). */
  retryAfterMs(key: string): number;
}

export function createRateLimiter(opts: { limit: number; windowMs: number; maxKeys?: number; now?: () => number }): RateLimiter {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key) {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= opts.windowMs) {
        windows.delete(key);
        w = { start: t, count: 0 };
        windows.set(key, w);
        if (windows.size > maxKeys) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
      }
      w.count += 1;
      return w.count <= opts.limit;
    },
    retryAfterMs(key) {
      const w = windows.get(key);
      return w ? Math.max(0, w.start + opts.windowMs - now()) : 0;
    },
  };
}
