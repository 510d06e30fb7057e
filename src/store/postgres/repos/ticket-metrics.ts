/** The ticket metrics (aggregates over all tickets: the metrics page, not a request path). */
import { AppError } from '../../../errors.js';
import { instant } from '../../repos/common.js';
import type { TicketRepository } from '../../repos/tickets.js';
import type { Session } from '../db.js';
import { num } from '../rows.js';

const DAY_MS = 86_400_000;
/** A timestamp (or interval) column as epoch milliseconds. */
export const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

const COUNT_BY: Record<'status' | 'category' | 'channel', string> = {
  status: 'SELECT status AS k, count(*) AS n FROM tickets GROUP BY status',
  category: 'SELECT category AS k, count(*) AS n FROM tickets GROUP BY category',
  channel: 'SELECT channel AS k, count(*) AS n FROM tickets GROUP BY channel',
};

/** The middle value(s) in milliseconds: lower and upper median (equal for an odd count). */
const medianSql = (col: string) => `
SELECT count(*) AS n,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY ${MS(`${col} - created_at`)}) AS lo,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY ${MS(`${col} - created_at`)} DESC) AS hi
FROM tickets WHERE ${col} IS NOT NULL`;
const MEDIAN = { firstResponseAt: medianSql('first_response_at'), resolvedAt: medianSql('resolved_at') };

const PER_DAY = `
SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n, sum(sentiment) AS s
FROM tickets WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz GROUP BY 1`;

function dayNumber(day: string, what: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new AppError('bad_input', `${what} must be a day (YYYY-MM-DD).`);
  return Math.floor(instant(`${day}T00:00:00.000Z`, what) / DAY_MS);
}

type Metrics = Pick<TicketRepository, 'countBy' | 'medianMinutesTo' | 'createdPerDay' | 'countResolvedBetween'>;

export function pgTicketMetrics(s: Session): Metrics {
  return {
    countBy: (field) => s.run('read', async (q) => {
      const out: Record<string, number> = {};
      for (const r of await q.rows(COUNT_BY[field])) out[String(r['k'])] = num(r['n']);
      return out;
    }),

    medianMinutesTo: (field) => s.run('read', async (q) => {
      const [r] = await q.rows(MEDIAN[field]);
      const n = num(r?.['n']);
      if (!r || n === 0) return null;
      const lo = num(r['lo']) / 60_000;
      return n % 2 ? lo : (lo + num(r['hi']) / 60_000) / 2;
    }),

    createdPerDay: (fromDay, toDay) => s.run('read', async (q) => {
      const first = dayNumber(fromDay, 'fromDay');
      const last = dayNumber(toDay, 'toDay');
      if (last < first || last - first >= 366) throw new AppError('bad_input', 'The day range must run forwards over at most 366 days.');
      const dayOf = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
      const rows = await q.rows(PER_DAY, [new Date(first * DAY_MS).toISOString(), new Date((last + 1) * DAY_MS).toISOString()]);
      const by = new Map(rows.map((r) => [String(r['day']), r]));
      return Array.from({ length: last - first + 1 }, (_, i) => {
        const day = dayOf(first + i);
        const r = by.get(day);
        return { day, count: r ? num(r['n']) : 0, sentimentSum: r ? num(r['s']) : 0 };
      });
    }),

    countResolvedBetween: (from, to) => s.run('read', async (q) => {
      instant(from, 'from');
      instant(to, 'to');
      const [r] = await q.rows('SELECT count(*) AS n FROM tickets WHERE resolved_at >= $1 AND resolved_at < $2', [from, to]);
      return num(r?.['n']);
    }),
  };
}
