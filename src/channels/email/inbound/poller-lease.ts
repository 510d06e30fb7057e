/**
 * One IMAP poller among all instances: the `imap-poller` lease (repos.leases). An instance polls only
 * while it holds the lease; it renews it every `renewMs` while its session runs and closes the session as soon as
 * a renew fails (or the store cannot be reached for longer than the lease could still last). The others retry
 * every `retryMs`, so one takes over within `ttlMs + retryMs` after the holder died.
 */
import type { Logger } from '../../../config/logger.js';
import type { LeaseRepository } from '../../../store/repos/index.js';

export const POLLER_LEASE = 'imap-poller';

export interface PollerLeaseOptions {
  /** How long the lease lasts without a renew (default 10 s). */
  ttlMs?: number | undefined;
  /** How often the holder renews it (default 3 s). */
  renewMs?: number | undefined;
  /** How often a standby instance tries to take it (default 2 s). */
  retryMs?: number | undefined;
}

export interface PollerLease {
  readonly retryMs: number;
  /** Take (or keep) the lease; false while another instance holds it. */
  acquire(): Promise<boolean>;
  /** Renew it until the returned function is called; `lost` is called (once) when it cannot be kept. */
  hold(lost: () => void): () => void;
  release(): Promise<void>;
}

export function createPollerLease(deps: PollerLeaseOptions & { leases: LeaseRepository; holder: string; log: Logger }): PollerLease {
  const ttlMs = deps.ttlMs ?? 10_000;
  const renewMs = Math.min(deps.renewMs ?? 3_000, Math.floor(ttlMs / 2));
  const name = POLLER_LEASE;
  const { log } = deps;

  return {
    retryMs: deps.retryMs ?? 2_000,
    async acquire() {
      try {
        return (await deps.leases.acquire(name, deps.holder, ttlMs)) !== undefined;
      } catch (err) {
        log.warn({ err: String(err) }, 'IMAP poller lease: store unreachable; not polling');
        return false;
      }
    },
    hold(lost) {
      let kept = Date.now();
      let over = false;
      const end = (why: string) => {
        if (over) return;
        over = true;
        clearInterval(timer);
        log.warn({ lease: name, why }, 'IMAP poller lease lost; polling stops');
        lost();
      };
      const timer = setInterval(() => {
        deps.leases.renew(name, deps.holder, ttlMs).then(
          (l) => { if (l) kept = Date.now(); else end('taken or ended'); },
          (err: unknown) => { if (Date.now() - kept >= ttlMs - renewMs) end(`renew failed: ${String(err)}`); },
        );
      }, renewMs);
      timer.unref();
      return () => {
        over = true;
        clearInterval(timer);
      };
    },
    async release() {
      await deps.leases.release(name, deps.holder).catch((err: unknown) => log.warn({ err: String(err) }, 'IMAP poller lease not released'));
    },
  };
}

/** Resolves true once this instance may poll (it holds `lease`, or there is none), false when stopping. */
export async function mayPoll(lease: PollerLease | undefined, o: { wait(ms: number): Promise<unknown>; stopping(): boolean; standby(): void }): Promise<boolean> {
  if (!lease) return !o.stopping();
  while (!o.stopping()) {
    if (await lease.acquire()) return !o.stopping();
    o.standby();
    await o.wait(lease.retryMs);
  }
  return false;
}
