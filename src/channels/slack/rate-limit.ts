import type { Logger } from '../../config/logger.js';

/** The Web API error raised for a 429 when the client runs with `rejectRateLimitedCalls: true`. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; retryAfter?: unknown };
  if (e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number') return e.retryAfter;
  return undefined;
}

export interface LaneRunner {
  /**
   * Runs `fn` in the lane `key` (e.g. a channel id): calls in one lane run one at a time, in order; a 429 with
   * Retry-After pauses only that lane for the time Slack asked, then `fn` is tried again (bounded).
   */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Resolves when every lane is idle. */
  idle(): Promise<void>;
}

export function createLaneRunner(deps: { log: Logger; sleep?: (ms: number) => Promise<void>; maxRateLimitWaits?: number; maxWaitSeconds?: number }): LaneRunner {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWaits = deps.maxRateLimitWaits ?? 5;
  const maxWaitSeconds = deps.maxWaitSeconds ?? 120;
  const tails = new Map<string, Promise<unknown>>();

  async function attempt<T>(key: string, fn: () => Promise<T>): Promise<T> {
    for (let waits = 0; ; waits += 1) {
      try {
        return await fn();
      } catch (err) {
        const retryAfter = retryAfterSeconds(err);
        if (retryAfter === undefined || waits >= maxWaits) throw err;
        const seconds = Math.min(Math.max(retryAfter, 1), maxWaitSeconds);
        deps.log.warn({ lane: key, retryAfter: seconds }, 'slack rate limited; pausing this channel');
        await sleep(seconds * 1000);
      }
    }
  }

  return {
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(() => attempt(key, fn));
      const tail = result.then(() => undefined, () => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
  };
}
