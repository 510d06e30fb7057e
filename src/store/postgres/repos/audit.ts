import type { AuditRepository } from '../../repos/audit.js';
import { checkLimit } from '../../repos/common.js';
import type { Session } from '../db.js';
import { auditOf } from '../records.js';
import { decodeCursor, encodeCursor, jsonParam, pageOf, str } from '../rows.js';

/** Newest first is append order descending: the identity column `seq`. */
export function pgAudit(s: Session): AuditRepository {
  return {
    append: (e) => s.run('write', async (q) => {
      await q.count('INSERT INTO audit_log (id, at, actor_kind, actor_id, action, target, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)',
        [e.id, e.at, e.actor.kind, e.actor.id, e.action, e.target, jsonParam(e.details)]);
    }),

    list: (page) => s.run('read', async (q) => {
      checkLimit(page.limit);
      const before = page.cursor === undefined ? null : decodeCursor(page.cursor, ['s'] as const).s;
      const rows = await q.rows('SELECT * FROM audit_log WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2', [before, page.limit + 1]);
      const page1 = pageOf(rows, page.limit, (r) => encodeCursor({ s: str(r['seq']) }));
      return { ...page1, items: page1.items.map(auditOf) };
    }),

    listForTarget: (target, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      return (await q.rows('SELECT * FROM audit_log WHERE target = $1 ORDER BY seq DESC LIMIT $2', [target, limit])).map(auditOf);
    }),
  };
}
