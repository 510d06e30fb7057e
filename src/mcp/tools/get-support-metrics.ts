import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';

const counts = z.record(z.string(), z.number());

export const getSupportMetrics = defineTool({
  name: 'get_support_metrics',
  audience: ['staff'],
  title: 'Support metrics',
  description:
    'Staff only. Support-desk figures: tickets by status, category and channel; median first-response and resolution times ' +
    '(minutes); open approvals; daily sentiment trend; tickets opened and resolved today.',
  inputSchema: z.strictObject({}),
  outputSchema: z.looseObject({
    ticketsByStatus: counts,
    ticketsByCategory: counts,
    ticketsByChannel: counts,
    medianFirstResponseMinutes: z.number().nullable(),
    medianResolutionMinutes: z.number().nullable(),
    openApprovals: z.number().int(),
    sentimentTrend: z.array(z.looseObject({ day: z.string(), average: z.number(), count: z.number().int() })),
    today: z.looseObject({ opened: z.number().int(), resolved: z.number().int() }),
  }),
  annotations: READ_ONLY,
  run: ({ support, caller }) => support.metrics.get(caller),
  summarize: (m) => {
    const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    const mins = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v)} min`);
    return [
      `By status: ${fmt(m.ticketsByStatus)}`,
      `By category: ${fmt(m.ticketsByCategory)}`,
      `By channel: ${fmt(m.ticketsByChannel)}`,
      `Median first response ${mins(m.medianFirstResponseMinutes)}, median resolution ${mins(m.medianResolutionMinutes)}`,
      `Open approvals: ${m.openApprovals}; today opened ${m.today.opened}, resolved ${m.today.resolved}`,
    ].join('\n');
  },
});
