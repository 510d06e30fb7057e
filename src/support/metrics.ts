import type { Ticket, TicketStatus } from '../store/schema.js';
import type { Metrics, Support } from './api.js';
import { requireStaff } from './authority.js';
import type { SupportContext } from './context.js';

const DAY = 86_400_000;
const TREND_DAYS = 14;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(m * 10) / 10;
}

const minutesBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;
const dayOf = (iso: string) => new Date(iso).toISOString().slice(0, 10);

function countBy(tickets: Ticket[], key: (t: Ticket) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tickets) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

export function createMetrics(ctx: SupportContext): Support['metrics'] {
  return {
    get(caller): Metrics {
      requireStaff(ctx, caller);
      const db = ctx.store.read();
      const now = ctx.now();
      const tickets = db.tickets;
      const byStatus: Record<TicketStatus, number> = { open: 0, in_progress: 0, resolved: 0, closed: 0 };
      for (const t of tickets) byStatus[t.status] += 1;
      const today = dayOf(now.toISOString());
      const days = Array.from({ length: TREND_DAYS }, (_, i) => dayOf(new Date(now.getTime() - (TREND_DAYS - 1 - i) * DAY).toISOString()));
      const sentimentTrend = days.map((day) => {
        const of = tickets.filter((t) => dayOf(t.createdAt) === day);
        const average = of.length ? Math.round((of.reduce((s, t) => s + t.sentiment, 0) / of.length) * 1000) / 1000 : 0;
        return { day, average, count: of.length };
      });
      return {
        ticketsByStatus: byStatus,
        ticketsByCategory: countBy(tickets, (t) => t.category),
        ticketsByChannel: countBy(tickets, (t) => t.channel),
        medianFirstResponseMinutes: median(tickets.filter((t) => t.firstResponseAt).map((t) => minutesBetween(t.createdAt, t.firstResponseAt as string))),
        medianResolutionMinutes: median(tickets.filter((t) => t.resolvedAt).map((t) => minutesBetween(t.createdAt, t.resolvedAt as string))),
        openApprovals: db.approvals.filter((a) => a.status === 'pending' && Date.parse(a.expiresAt) > now.getTime()).length,
        sentimentTrend,
        today: {
          opened: tickets.filter((t) => dayOf(t.createdAt) === today).length,
          resolved: tickets.filter((t) => t.resolvedAt && dayOf(t.resolvedAt) === today).length,
        },
      };
    },
  };
}
