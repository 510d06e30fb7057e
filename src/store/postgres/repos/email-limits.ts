import { AppError } from '../../../errors.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { EmailLimitsRepository } from '../../repos/email-limits.js';
import type { Session } from '../db.js';
import { undeliverableOf } from '../records.js';
import { num } from '../rows.js';

/** Takes (or creates) the key's lock row and holds it to commit: an upsert locks the row it finds. */
const LOCK_KEY = 'INSERT INTO email_budget_keys AS k (key) VALUES ($1) ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key';
const RECENT = 'SELECT key, count(*) AS n FROM email_reply_budget WHERE key = ANY($1::text[]) AND sent_at > $2 GROUP BY key';

const CLAIM_ALERT = `
INSERT INTO email_budget_alerts AS a (key, alerted_until) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET alerted_until = EXCLUDED.alerted_until WHERE a.alerted_until <= $3`;

export function pgEmailLimits(s: Session): EmailLimitsRepository {
  return {
    undeliverable: (address, now) => s.run('read', async (q) => {
      instant(now, 'now');
      return (await q.rows('SELECT * FROM email_undeliverable WHERE address = $1 AND blocked_until > $2', [address, now])).map(undeliverableOf)[0];
    }),

    markUndeliverable: (b) => s.run('write', async (q) => {
      await q.count(`INSERT INTO email_undeliverable (address, blocked_until, reason) VALUES ($1, $2, $3)
        ON CONFLICT (address) DO UPDATE SET blocked_until = EXCLUDED.blocked_until, reason = EXCLUDED.reason`, [b.address, b.until, b.reason]);
    }),

    pruneUndeliverable: (now, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(now, 'now');
      return q.count(`DELETE FROM email_undeliverable WHERE address IN (
        SELECT address FROM email_undeliverable WHERE blocked_until <= $1 ORDER BY blocked_until LIMIT $2 FOR UPDATE SKIP LOCKED)`, [now, limit]);
    }),

    /**
     * Lock every key's row in key order (concurrent takers of overlapping keys queue instead of deadlocking), count
     * the window, then record one reply per key, or nothing when a key is spent. Replies at or before the window
     * start are dropped on the way, as the memory engine does.
     */
    takeReplyBudget: (requests, windowStart, at) => s.run('atomic', async (q) => {
      instant(windowStart, 'windowStart');
      instant(at, 'at');
      for (const r of requests) {
        if (!Number.isInteger(r.limit) || r.limit < 0) throw new AppError('bad_input', 'A budget limit must be a whole number.');
      }
      const keys = [...new Set(requests.map((r) => r.key))];
      for (const key of [...keys].sort()) await q.count(LOCK_KEY, [key]);
      const counts = new Map((await q.rows(RECENT, [keys, windowStart])).map((r) => [String(r['key']), num(r['n'])]));
      const spent = requests.find((r) => (counts.get(r.key) ?? 0) >= r.limit);
      if (spent) return { ok: false as const, key: spent.key };
      await q.count('DELETE FROM email_reply_budget WHERE key = ANY($1::text[]) AND sent_at <= $2', [keys, windowStart]);
      await q.count('INSERT INTO email_reply_budget (key, sent_at) SELECT k, $2 FROM unnest($1::text[]) AS k', [keys, at]);
      return { ok: true as const };
    }),

    claimBudgetAlert: (key, until, now) => s.run('write', async (q) => {
      instant(now, 'now');
      return (await q.count(CLAIM_ALERT, [key, until, now])) > 0;
    }),

    pruneBudget: (before, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(before, 'before');
      const replies = await q.count(`DELETE FROM email_reply_budget WHERE id IN (
        SELECT id FROM email_reply_budget WHERE sent_at < $1 ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [before, limit]);
      const alerts = replies >= limit ? 0 : await q.count(`DELETE FROM email_budget_alerts WHERE key IN (
        SELECT key FROM email_budget_alerts WHERE alerted_until <= $1 ORDER BY alerted_until LIMIT $2 FOR UPDATE SKIP LOCKED)`, [before, limit - replies]);
      // Lock rows of keys with no replies left (not counted: they hold no data). Rows a taker holds are skipped.
      await q.count(`DELETE FROM email_budget_keys WHERE key IN (
        SELECT k.key FROM email_budget_keys k WHERE NOT EXISTS (SELECT 1 FROM email_reply_budget r WHERE r.key = k.key)
        LIMIT $1 FOR UPDATE SKIP LOCKED)`, [limit]);
      return replies + alerts;
    }),
  };
}
