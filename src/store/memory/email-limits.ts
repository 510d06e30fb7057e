import { AppError } from '../../errors.js';
import { checkLimit, instant } from '../repos/common.js';
import type { EmailLimitsRepository } from '../repos/email-limits.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memoryEmailLimits(s: MemoryState, run: Run): EmailLimitsRepository {
  return {
    undeliverable: (address, now) => run(() => {
      const u = s.undeliverable.get(address);
      return u && instant(u.until) > instant(now, 'now') ? u : undefined;
    }),

    markUndeliverable: (block) => run(() => { s.undeliverable.put(block); }),

    pruneUndeliverable: (now, limit) => run(() => {
      checkLimit(limit);
      const t = instant(now, 'now');
      const ended = s.undeliverable.scan().filter((u) => instant(u.until) <= t).slice(0, limit);
      for (const u of ended) s.undeliverable.delete(u.address);
      return ended.length;
    }),

    takeReplyBudget: (requests, windowStart, at) => run(() => {
      const from = instant(windowStart, 'windowStart');
      instant(at, 'at');
      for (const r of requests) {
        if (!Number.isInteger(r.limit) || r.limit < 0) throw new AppError('bad_input', 'A budget limit must be a whole number.');
      }
      const recent = (key: string) => (s.budget.get(key)?.times ?? []).filter((x) => instant(x) > from);
      const spent = requests.find((r) => recent(r.key).length >= r.limit);
      if (spent) return { ok: false as const, key: spent.key };
      for (const key of new Set(requests.map((r) => r.key))) s.budget.put({ key, times: [...recent(key), at] });
      return { ok: true as const };
    }),

    claimBudgetAlert: (key, until, now) => run(() => {
      const cur = s.budgetAlerts.get(key);
      if (cur && instant(cur.until) > instant(now, 'now')) return false;
      s.budgetAlerts.put({ key, until });
      return true;
    }),

    pruneBudget: (before, limit) => run(() => {
      checkLimit(limit);
      const t = instant(before, 'before');
      let n = 0;
      for (const b of s.budget.scan()) {
        if (n >= limit) break;
        const kept = b.times.filter((x) => instant(x) >= t);
        if (kept.length === b.times.length) continue;
        n += b.times.length - kept.length;
        if (kept.length === 0) s.budget.delete(b.key);
        else s.budget.put({ ...b, times: kept });
      }
      for (const a of s.budgetAlerts.scan()) {
        if (n >= limit) break;
        if (instant(a.until) > t) continue;
        s.budgetAlerts.delete(a.key);
        n++;
      }
      return n;
    }),
  };
}
