import { AppError } from '../../errors.js';
import type { Processed } from '../schema.js';
import { checkLimit, instant } from '../repos/common.js';
import type { InboundLedgerRepository } from '../repos/ledger.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

const unfinished = (p: Processed) => p.status === 'received' || p.status === 'queued';

/** A finished entry keeps no message. */
function settled(p: Processed): Processed {
  if (unfinished(p) || p.message === undefined) return p;
  const { message: _message, ...rest } = p;
  return rest;
}

export function memoryLedger(s: MemoryState, run: Run): InboundLedgerRepository {
  return {
    claim: (entry) => run(() => {
      if (s.ledger.has(entry.id)) return false;
      s.ledger.insert(settled(entry));
      return true;
    }),

    get: (id) => run(() => s.ledger.get(id)),

    update: (id, change, at) => run(() => {
      const e = s.ledger.get(id);
      if (!e) return false;
      const next: Processed = { ...e, updatedAt: at };
      if (change.status !== undefined) next.status = change.status;
      if (change.reason === null) delete next.reason;
      else if (change.reason !== undefined) next.reason = change.reason.slice(0, 500);
      if (change.message !== undefined) next.message = change.message;
      s.ledger.put(settled(next));
      return true;
    }),

    listUnfinished: (limit, afterId) => run(() => {
      checkLimit(limit);
      const after = afterId === undefined ? -1 : s.ledger.seqOf(afterId);
      if (afterId !== undefined && after < 0) throw new AppError('bad_input', `No ledger entry ${afterId} to continue after.`);
      return s.ledger.where('unfinished', 'unfinished').filter((e) => s.ledger.seqOf(e.id) > after).slice(0, limit);
    }),

    unfinishedInThread: (threadKey, limit) => run(() => {
      checkLimit(limit);
      return s.ledger.where('unfinishedThread', threadKey).sort((a, b) => s.ledger.seqOf(a.id) - s.ledger.seqOf(b.id)).slice(0, limit);
    }),

    threadsWithUnfinished: (threadKeys) => run(() => {
      if (threadKeys.length > 1000) throw new AppError('bad_input', 'At most 1000 thread keys at once.');
      return [...new Set(threadKeys)].filter((k) => s.ledger.countWhere('unfinishedThread', k) > 0);
    }),

    pruneFinished: (before, limit) => run(() => {
      checkLimit(limit);
      const t = instant(before, 'before');
      const old = s.ledger.scan().filter((e) => !unfinished(e) && instant(e.updatedAt) < t).slice(0, limit);
      for (const e of old) s.ledger.delete(e.id);
      return old.length;
    }),

    trimFinished: (maxEntries, notBefore, limit) => run(() => {
      checkLimit(limit);
      let excess = Math.min(limit, s.ledger.size() - Math.max(0, maxEntries));
      const t = instant(notBefore, 'notBefore');
      let n = 0;
      for (const e of s.ledger.scan()) {
        if (excess <= 0) break;
        if (unfinished(e) || instant(e.updatedAt) >= t) continue;
        s.ledger.delete(e.id);
        excess--;
        n++;
      }
      return n;
    }),

    count: () => run(() => s.ledger.size()),
  };
}
