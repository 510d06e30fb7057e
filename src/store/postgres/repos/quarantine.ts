import { checkLimit } from '../../repos/common.js';
import type { QuarantineRepository } from '../../repos/quarantine.js';
import type { Session } from '../db.js';
import { quarantineOf } from '../records.js';
import { jsonParam, num } from '../rows.js';

export function pgQuarantine(s: Session): QuarantineRepository {
  return {
    add: (e) => s.run('write', async (q) => {
      await q.count('INSERT INTO quarantine (id, at, channel, ref, reason, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
        [e.id, e.at, e.channel, e.ref, e.reason, jsonParam(e.details)]);
    }),

    list: (limit) => s.run('read', async (q) => {
      checkLimit(limit);
      return (await q.rows('SELECT * FROM quarantine ORDER BY seq DESC LIMIT $1', [limit])).map(quarantineOf);
    }),

    count: () => s.run('read', async (q) => num((await q.rows('SELECT count(*) AS n FROM quarantine'))[0]?.['n'])),
  };
}
