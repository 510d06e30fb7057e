import { checkLimit } from '../repos/common.js';
import type { AuditRepository } from '../repos/audit.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';
import { decodeCursor, encodeCursor, pageOf } from './util.js';

export function memoryAudit(s: MemoryState, run: Run): AuditRepository {
  const seq = (id: string) => s.audit.seqOf(id);
  return {
    append: (entry) => run(() => { s.audit.insert(entry); }),

    list: (page) => run(() => {
      checkLimit(page.limit);
      const before = page.cursor === undefined ? Infinity : decodeCursor(page.cursor, ['s'] as const).s;
      const rows = s.audit.scan().filter((e) => seq(e.id) < before).reverse();
      return pageOf(rows, page.limit, (e) => encodeCursor({ s: seq(e.id) }));
    }),

    listForTarget: (target, limit) => run(() => {
      checkLimit(limit);
      return s.audit.where('target', target).reverse().slice(0, limit);
    }),
  };
}
