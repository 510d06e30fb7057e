import { AppError } from '../../errors.js';
import { checkLimit, instant } from '../repos/common.js';
import type { EmailStateRepository, MailboxState, MessageIdEntry } from '../repos/email.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';
import { decodeCursor, encodeCursor, pageOf } from './util.js';

export function memoryEmailState(s: MemoryState, run: Run): EmailStateRepository {
  /** Delete up to `limit` rows of `table` that `old` says are past retention. */
  function prune<T>(table: { scan(): T[]; delete(k: string): boolean }, key: (r: T) => string, old: (r: T) => boolean, limit: number): number {
    checkLimit(limit);
    const rows = table.scan().filter(old).slice(0, limit);
    for (const r of rows) table.delete(key(r));
    return rows.length;
  }

  return {
    mailbox: (name) => run(() => s.mailboxes.get(name)),

    advanceMailbox: (name, p) => run(() => {
      const cur = s.mailboxes.get(name);
      if (cur && (cur.uidValidity !== p.uidValidity || cur.lastUid >= p.lastUid)) return false;
      s.mailboxes.put({ ...cur, mailbox: name, uidValidity: p.uidValidity, lastUid: p.lastUid, updatedAt: p.at });
      return true;
    }),

    resetMailbox: (name, p) => run(() => {
      const cur = s.mailboxes.get(name);
      const next: MailboxState = { mailbox: name, uidValidity: p.uidValidity, lastUid: p.lastUid, updatedAt: p.at };
      if (cur && cur.uidValidity !== p.uidValidity) next.previousUidValidity = cur.uidValidity;
      else if (cur?.previousUidValidity !== undefined) next.previousUidValidity = cur.previousUidValidity;
      return s.mailboxes.put(next);
    }),

    decision: (messageId) => run(() => s.decisions.get(messageId)),
    recordDecision: (d) => run(() => { s.decisions.put(d); }),

    recentDecisions: (limit, cursor) => run(() => {
      checkLimit(limit);
      const from = cursor === undefined ? undefined : decodeCursor(cursor, ['t', 's'] as const);
      const seq = (id: string) => s.decisions.seqOf(id);
      const rows = s.decisions.scan()
        .map((d) => ({ d, t: instant(d.at), q: seq(d.messageId) }))
        .filter(({ t, q }) => !from || t < from.t || (t === from.t && q < from.s))
        .sort((a, b) => b.t - a.t || b.q - a.q);
      const page = pageOf(rows, limit, ({ t, q }) => encodeCursor({ t, s: q }));
      return { items: page.items.map(({ d }) => d), ...(page.next ? { next: page.next } : {}) };
    }),

    pruneDecisions: (before, limit) => run(() => {
      const t = instant(before, 'before');
      return prune(s.decisions, (d) => d.messageId, (d) => d.decision !== 'pending' && instant(d.at) < t, limit);
    }),

    thread: (threadKey) => run(() => s.emailThreads.get(threadKey)),
    putThread: (thread) => run(() => { s.emailThreads.put(thread); }),
    pruneThreads: (before, limit) => run(() => {
      const t = instant(before, 'before');
      return prune(s.emailThreads, (x) => x.threadKey, (x) => instant(x.updatedAt) < t, limit);
    }),

    indexMessageId: (entry) => run(() => {
      if (!entry.messageId) throw new AppError('bad_input', 'An empty Message-ID cannot be indexed.');
      s.messageIds.put(entry);
    }),

    lookupMessageIds: (ids) => run(() => {
      if (ids.length > 100) throw new AppError('bad_input', 'At most 100 Message-IDs at once.');
      return ids.map((id) => s.messageIds.get(id)).filter((e): e is MessageIdEntry => e !== undefined);
    }),

    pruneMessageIds: (before, limit) => run(() => {
      const t = instant(before, 'before');
      return prune(s.messageIds, (m) => m.messageId, (m) => instant(m.at) < t, limit);
    }),
  };
}
