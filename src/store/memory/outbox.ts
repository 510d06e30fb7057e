import { AppError } from '../../errors.js';
import { checkLimit, instant } from '../repos/common.js';
import { SCRUBBED_SYSTEM_TEXT, type OutboxRecord, type OutboxRepository } from '../repos/outbox.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

const replyKey = (threadKey: string, sourceId: string, kind: string) => `${threadKey}\u0000${sourceId}\u0000${kind}`;

/** The record with its claim removed (and, for a final outcome of system mail, its body scrubbed). */
function settle(o: OutboxRecord, outcome?: 'sent' | 'failed' | 'used'): OutboxRecord {
  const { claimedBy: _by, claimedUntil: _until, ...rest } = o;
  if (!outcome || rest.payload.kind !== 'system') return rest;
  const { html: _html, ...payload } = rest.payload;
  return { ...rest, payload: { ...payload, text: SCRUBBED_SYSTEM_TEXT[outcome] } };
}

export function memoryOutbox(s: MemoryState, run: Run): OutboxRepository {
  /** The item when it is pending and `holder` holds its claim. */
  const held = (id: string, holder: string): OutboxRecord | undefined => {
    const o = s.outbox.get(id);
    return o && o.status === 'pending' && o.claimedBy === holder ? o : undefined;
  };
  const headOfThread = (o: OutboxRecord): boolean => {
    const first = s.outbox.where('pendingThread', o.threadKey)
      .sort((a, b) => instant(a.createdAt) - instant(b.createdAt) || s.outbox.seqOf(a.id) - s.outbox.seqOf(b.id))[0];
    return first?.id === o.id;
  };

  return {
    enqueue: (item) => run(() => {
      const p = item.payload;
      const dup = p.sourceId && p.replyKind ? s.outbox.where('reply', replyKey(item.threadKey, p.sourceId, p.replyKind))[0] : undefined;
      if (dup) return { queued: false, item: dup };
      const stored = s.outbox.insert({ ...item, status: 'pending', attempts: 0 });
      return { queued: true, item: stored };
    }),

    get: (id) => run(() => s.outbox.get(id)),
    findReply: (threadKey, sourceId, replyKind) => run(() => s.outbox.where('reply', replyKey(threadKey, sourceId, replyKind))[0]),

    claimDue: (r) => run(() => {
      checkLimit(r.limit);
      if (!r.holder) throw new AppError('bad_input', 'A claim needs a holder.');
      if (!Number.isInteger(r.leaseMs) || r.leaseMs <= 0) throw new AppError('bad_input', 'leaseMs must be a positive whole number.');
      const now = instant(r.now, 'now');
      const until = new Date(now + r.leaseMs).toISOString();
      const due = s.outbox.where('pending', 'pending')
        .filter((o) => instant(o.nextAttemptAt) <= now && (o.claimedUntil === undefined || instant(o.claimedUntil) <= now) && headOfThread(o))
        .sort((a, b) => instant(a.nextAttemptAt) - instant(b.nextAttemptAt) || s.outbox.seqOf(a.id) - s.outbox.seqOf(b.id))
        .slice(0, r.limit);
      return due.map((o) => s.outbox.put({ ...o, claimedBy: r.holder, claimedUntil: until }));
    }),

    setMessageId: (id, messageId) => run(() => {
      const o = s.outbox.get(id);
      if (!o) return undefined;
      if (o.payload.messageId) return o.payload.messageId;
      s.outbox.put({ ...o, payload: { ...o.payload, messageId } });
      return messageId;
    }),

    markSent: (id, holder, at) => run(() => {
      const o = held(id, holder);
      if (!o) return false;
      const { lastError: _e, ...rest } = settle(o, 'sent');
      s.outbox.put({ ...rest, status: 'sent', attempts: o.attempts + 1, sentAt: at });
      return true;
    }),

    markFailed: (id, holder, f) => run(() => {
      const o = held(id, holder);
      if (!o) return false;
      s.outbox.put({ ...settle(o, 'failed'), status: 'failed', lastError: f.error.slice(0, 2000), ...(f.attempts !== undefined ? { attempts: f.attempts } : {}) });
      return true;
    }),

    markDev: (id, holder, at) => run(() => {
      const o = held(id, holder);
      if (!o) return false;
      instant(at, 'at');
      const { lastError: _e, ...rest } = settle(o);
      s.outbox.put({ ...rest, status: 'dev', attempts: o.attempts + 1, sentAt: at });
      return true;
    }),

    listDev: (limit) => run(() => {
      checkLimit(limit);
      return s.outbox.scan().filter((o) => o.status === 'dev')
        .sort((a, b) => instant(b.sentAt ?? b.createdAt) - instant(a.sentAt ?? a.createdAt) || s.outbox.seqOf(b.id) - s.outbox.seqOf(a.id))
        .slice(0, limit);
    }),

    scrubDev: (threadKey) => run(() => {
      const found = s.outbox.where('dev', threadKey).filter((o) => o.payload.kind === 'system' && o.payload.text !== SCRUBBED_SYSTEM_TEXT.used);
      for (const o of found) s.outbox.put(settle(o, 'used'));
      return found.length;
    }),

    retryLater: (id, holder, r) => run(() => {
      const o = held(id, holder);
      if (!o) return false;
      s.outbox.put({ ...settle(o), attempts: r.attempts, lastError: r.error.slice(0, 2000), nextAttemptAt: r.nextAttemptAt });
      return true;
    }),

    release: (id, holder) => run(() => {
      const o = held(id, holder);
      if (!o) return false;
      s.outbox.put(settle(o));
      return true;
    }),

    recipientsOf: (messageIds) => run(() => {
      if (messageIds.length > 100) throw new AppError('bad_input', 'At most 100 Message-IDs at once.');
      const ids = new Set(messageIds.map((m) => m.trim().toLowerCase()).filter(Boolean));
      return [...new Set([...ids].flatMap((m) => s.outbox.where('messageId', m)).map((o) => o.payload.to.toLowerCase()))];
    }),

    countPending: () => run(() => s.outbox.countWhere('pending', 'pending')),

    nextDueAt: () => run(() => {
      let best: string | undefined;
      for (const o of s.outbox.where('pending', 'pending')) if (best === undefined || instant(o.nextAttemptAt) < instant(best)) best = o.nextAttemptAt;
      return best;
    }),

    prune: (before, limit) => run(() => {
      checkLimit(limit);
      const t = instant(before, 'before');
      const waiting = (source: string | undefined) => {
        const e = source === undefined ? undefined : s.ledger.get(source);
        return e !== undefined && (e.status === 'queued' || e.status === 'received');
      };
      const old = s.outbox.scan()
        .filter((o) => o.status !== 'pending' && instant(o.sentAt ?? o.createdAt) < t && !waiting(o.payload.sourceId))
        .slice(0, limit);
      for (const o of old) s.outbox.delete(o.id);
      return old.length;
    }),
  };
}
