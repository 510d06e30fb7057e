/** Small async helpers for the IMAP loop: a wake-up signal that never loses a trigger, timeouts, backoff. */
import { withTimeout as timeLimit } from '../../../time-limit.js';

export interface Signal {
  /** Resolves with the reason of the next trigger (or one that fired since the last wait), or 'timeout'. */
  wait(ms: number): Promise<string>;
  trigger(reason: string): void;
}

export function createSignal(): Signal {
  let pending: string | undefined;
  let waiter: ((reason: string) => void) | undefined;
  return {
    wait(ms) {
      if (pending !== undefined) {
        const r = pending;
        pending = undefined;
        return Promise.resolve(r);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve('timeout');
        }, ms);
        waiter = (reason) => {
          clearTimeout(timer);
          waiter = undefined;
          resolve(reason);
        };
      });
    },
    trigger(reason) {
      if (waiter) waiter(reason);
      else pending = reason;
    },
  };
}

/** Reject with a timeout error (and run `onTimeout`, e.g. close the connection) if `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return timeLimit(p, ms, `IMAP ${what} timed out after ${ms} ms`, onTimeout);
}

/** Capped exponential backoff with ±50 % jitter. `attempt` starts at 1. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.min(maxMs, Math.round(exp * (0.5 + random())));
}
