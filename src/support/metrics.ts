import type { TicketStatus } from '../store/schema.js';
import type { Metrics, Support } from './api.js';
import { requireStaff } from './authority.js';
import type { SupportContext } from './context.js';

const DAY = 86_400_000;
const TREND_DAYS = 14;

/** Minutes to one decimal; `null` stays. */
const tenth = (m: number | null) => (m === null ? null : Math.round(m * 10) / 10);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Support-desk figures from the repositories' aggregates (nothing loads a whole collection). */
export function createMetrics(ctx: SupportContext): Support['metrics'] {
  const { tickets, approvals } = ctx.repos;
  return {
    async get(caller): Promise<Metrics> {
      requireStaff(ctx, caller);
      const now = ctx.now();
      const todayStart = Date.parse(`${dayOf(now.getTime())}T00:00:00.000Z`);
      const [byStatus, byCategory, byChannel, firstResponse, resolution, perDay, resolvedToday, openApprovals] = await Promise.all([
        tickets.countBy('status'),
        tickets.countBy('category'),
        tickets.countBy('channel'),
        tickets.medianMinutesTo('firstResponseAt'),
        tickets.medianMinutesTo('resolvedAt'),
        tickets.createdPerDay(dayOf(now.getTime() - (TREND_DAYS - 1) * DAY), dayOf(now.getTime())),
        tickets.countResolvedBetween(new Date(todayStart).toISOString(), new Date(todayStart + DAY).toISOString()),
        approvals.countLivePending(now.toISOString()),
      ]);
      const ticketsByStatus: Record<TicketStatus, number> = { open: 0, in_progress: 0, resolved: 0, closed: 0 };
      for (const s of Object.keys(ticketsByStatus) as TicketStatus[]) ticketsByStatus[s] = byStatus[s] ?? 0;
      const sentimentTrend = perDay.map(({ day, count, sentimentSum }) => ({
        day, average: count ? Math.round((sentimentSum / count) * 1000) / 1000 : 0, count,
      }));
      return {
        ticketsByStatus,
        ticketsByCategory: byCategory,
        ticketsByChannel: byChannel,
        medianFirstResponseMinutes: tenth(firstResponse),
        medianResolutionMinutes: tenth(resolution),
        openApprovals,
        sentimentTrend,
        today: { opened: perDay.at(-1)?.count ?? 0, resolved: resolvedToday },
      };
    },
  };
}
