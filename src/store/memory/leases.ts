import { AppError } from '../../errors.js';
import { checkLimit, instant } from '../repos/common.js';
import type { Lease, LeaseRepository } from '../repos/leases.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

function checkArgs(name: string, holder: string, ttlMs?: number): void {
  if (!name || !holder) throw new AppError('bad_input', 'A lease needs a name and a holder.');
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs <= 0)) throw new AppError('bad_input', 'ttlMs must be a positive whole number.');
}

export function memoryLeases(s: MemoryState, run: Run): LeaseRepository {
  const now = () => s.clock().getTime();
  /** The lease while it lasts. */
  const live = (name: string): Lease | undefined => {
    const l = s.leases.get(name);
    return l && instant(l.until) > now() ? l : undefined;
  };
  const until = (ttlMs: number) => new Date(now() + ttlMs).toISOString();

  return {
    acquire: (name, holder, ttlMs) => run(() => {
      checkArgs(name, holder, ttlMs);
      const cur = live(name);
      if (cur && cur.holder !== holder) return undefined;
      if (cur) return s.leases.put({ ...cur, until: until(ttlMs) });
      const fence = (s.leases.get(name)?.fence ?? 0) + 1;
      return s.leases.put({ name, holder, until: until(ttlMs), fence });
    }),

    renew: (name, holder, ttlMs) => run(() => {
      checkArgs(name, holder, ttlMs);
      const cur = live(name);
      return cur && cur.holder === holder ? s.leases.put({ ...cur, until: until(ttlMs) }) : undefined;
    }),

    release: (name, holder) => run(() => {
      checkArgs(name, holder);
      const cur = live(name);
      if (!cur || cur.holder !== holder) return false;
      s.leases.put({ ...cur, until: new Date(now()).toISOString() });
      return true;
    }),

    get: (name) => run(() => live(name)),

    pruneEnded: (prefix, before, limit) => run(() => {
      if (!prefix) throw new AppError('bad_input', 'pruneEnded needs a name prefix.');
      checkLimit(limit);
      const t = instant(before, 'before');
      const ended = s.leases.scan().filter((l) => l.name.startsWith(prefix) && instant(l.until) < t).slice(0, limit);
      for (const l of ended) s.leases.delete(l.name);
      return ended.length;
    }),
  };
}
