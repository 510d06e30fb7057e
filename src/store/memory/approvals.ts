import { type Approval, MAX_LINK_SECRETS } from '../schema.js';
import type { ApprovalRepository, ApprovalStatus, ResetTokenRepository } from '../repos/approvals.js';
import { checkLimit, instant } from '../repos/common.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'denied', 'expired'];
const byRequest = (a: Approval, b: Approval) => instant(a.requestedAt) - instant(b.requestedAt);

export function memoryApprovals(s: MemoryState, run: Run): ApprovalRepository {
  const livePending = (now: string) => {
    const t = instant(now, 'now');
    return s.approvals.where('status', 'pending').filter((a) => instant(a.expiresAt) > t);
  };

  return {
    create: (approval) => run(() => { s.approvals.insert(approval); }),
    get: (id) => run(() => s.approvals.get(id)),

    findLivePending: (q) => run(() => {
      const t = instant(q.now, 'now');
      return s.approvals.where('customer', q.customerId)
        .filter((a) => a.status === 'pending' && a.action === q.action && a.cardId === q.cardId && instant(a.expiresAt) > t)
        .sort(byRequest)[0];
    }),

    listPending: (now, limit) => run(() => {
      checkLimit(limit);
      return livePending(now).sort(byRequest).slice(0, limit);
    }),

    decide: (id, expectStatus, decision, opts) => run(() => {
      const a = s.approvals.get(id);
      if (!a || a.status !== expectStatus) return { won: false as const, record: a };
      if (opts?.unexpiredAt !== undefined && instant(a.expiresAt) <= instant(opts.unexpiredAt, 'unexpiredAt')) return { won: false as const, record: a };
      const next: Approval = { ...a, status: decision.status };
      if (decision.decidedBy !== undefined) next.decidedBy = decision.decidedBy;
      if (decision.decidedAt !== undefined) next.decidedAt = decision.decidedAt;
      if (decision.decisionNote !== undefined) next.decisionNote = decision.decisionNote;
      if (decision.executedAt !== undefined) next.executedAt = decision.executedAt;
      if (decision.outcome !== undefined) next.outcome = decision.outcome;
      return { won: true as const, record: s.approvals.put(next) };
    }),

    expireDue: (now, limit) => run(() => {
      checkLimit(limit);
      const t = instant(now, 'now');
      const due = s.approvals.where('status', 'pending')
        .filter((a) => instant(a.expiresAt) <= t)
        .sort((a, b) => instant(a.expiresAt) - instant(b.expiresAt))
        .slice(0, limit);
      return due.map((a) => s.approvals.put({ ...a, status: 'expired' }));
    }),

    setStaffMessage: (id, ref) => run(() => {
      const a = s.approvals.get(id);
      if (!a) return false;
      s.approvals.put({ ...a, staffMessage: { channel: ref.channel, ts: ref.ts } });
      return true;
    }),

    countByStatus: () => run(() => {
      const out = {} as Record<ApprovalStatus, number>;
      for (const st of STATUSES) out[st] = s.approvals.countWhere('status', st);
      return out;
    }),

    countLivePending: (now) => run(() => livePending(now).length),
  };
}

export function memoryResetTokens(s: MemoryState, run: Run): ResetTokenRepository {
  return {
    add: (token) => run(() => { s.resetTokens.insert(token); }),
    get: (id) => run(() => s.resetTokens.get(id)),
    findByApproval: (approvalId) => run(() => s.resetTokens.where('approval', approvalId).sort((a, b) => instant(a.createdAt) - instant(b.createdAt))[0]),

    addSecret: (id, tokenHash, { unexpiredAt }) => run(() => {
      const t = s.resetTokens.get(id);
      if (!t || t.usedAt !== undefined || instant(t.expiresAt) <= instant(unexpiredAt, 'unexpiredAt') || t.tokenHashes.length >= MAX_LINK_SECRETS) return undefined;
      s.resetTokens.put({ ...t, tokenHashes: [...t.tokenHashes, tokenHash] });
      return t.tokenHashes.length;
    }),

    markUsed: (id, usedAt) => run(() => {
      const t = s.resetTokens.get(id);
      if (!t || t.usedAt !== undefined || instant(t.expiresAt) <= instant(usedAt, 'usedAt')) return { won: false as const, record: t };
      return { won: true as const, record: s.resetTokens.put({ ...t, usedAt }) };
    }),

    deleteExpired: (before, limit) => run(() => {
      checkLimit(limit);
      const t = instant(before, 'before');
      const old = s.resetTokens.scan().filter((x) => instant(x.expiresAt) < t).slice(0, limit);
      for (const x of old) s.resetTokens.delete(x.id);
      return old.length;
    }),
  };
}
