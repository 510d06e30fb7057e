import type { App } from '@slack/bolt';
import { asView } from './slack-client.js';
import { actionLabel } from './approval-card.js';
import { escapeSlack, excerpt, slackDate } from './format.js';
import type { SlackHandlerDeps } from './handler-deps.js';
import { clipLines, PRIORITY_ORDER, ticketLine, type TicketLike } from './ticket-render.js';
import { withTools } from './tool-call.js';

type Block = Record<string, unknown>;
/** The approval kind in staff words (an unknown kind from a newer instance shows as it is). */
const labelOf = (action: string): string => actionLabel(action as Parameters<typeof actionLabel>[0]) ?? action;
interface PendingApproval { id: string; customerId: string; action: string; reason: string; expiresAt: string }
interface MetricsLike {
  today?: { opened?: number; resolved?: number };
  medianFirstResponseMinutes?: number | null;
  openApprovals?: number;
  sentimentTrend?: Array<{ day: string; average: number; count: number }>;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clipLines(text, 2900) } });
const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text } });

function sentimentWord(avg: number): string {
  if (avg > 0.5) return 'positive';
  if (avg < -0.5) return 'negative';
  return 'neutral';
}

export function staffHomeBlocks(tickets: TicketLike[], approvals: PendingApproval[], metrics: MetricsLike, now: Date): Block[] {
  const today = now.toISOString().slice(0, 10);
  const trend = metrics.sentimentTrend?.find((d) => d.day === today) ?? metrics.sentimentTrend?.at(-1);
  const median = metrics.medianFirstResponseMinutes;
  const blocks: Block[] = [
    header('Helpline — support desk'),
    section([
      `*Today* · opened: *${metrics.today?.opened ?? 0}* · resolved: *${metrics.today?.resolved ?? 0}*`,
      `Median first response: *${median === null || median === undefined ? 'n/a' : `${Math.round(median)} min`}*`,
      `Sentiment: *${trend ? `${sentimentWord(trend.average)} (${trend.average.toFixed(2)}, ${trend.count} tickets, ${escapeSlack(trend.day)})` : 'no data'}*`,
    ].join('\n')),
    { type: 'divider' },
    header(`Pending approvals (${approvals.length})`),
    section(approvals.length
      ? approvals.slice(0, 20).map((a) => `• \`${escapeSlack(a.id)}\` *${escapeSlack(labelOf(a.action))}* for \`${escapeSlack(a.customerId)}\` — “${excerpt(a.reason, 120)}” · expires ${slackDate(a.expiresAt)}`).join('\n')
      : 'Nothing waiting for a decision.'),
    { type: 'divider' },
    header(`Open tickets (${tickets.length})`),
  ];
  if (tickets.length === 0) blocks.push(section('No open tickets.'));
  for (const p of PRIORITY_ORDER) {
    const group = tickets.filter((t) => t.priority === p);
    if (group.length) blocks.push(section(`*${p}* (${group.length})\n${group.slice(0, 15).map((t) => ticketLine(t, { showCustomer: true })).join('\n')}`));
  }
  return blocks;
}

export function customerHomeBlocks(name: string, tickets: TicketLike[]): Block[] {
  return [
    header('Helpline'),
    section(`Hi ${escapeSlack(name)}! Send me a direct message any time, or type \`/ticket\` to open a ticket.`),
    { type: 'divider' },
    header(`Your open tickets (${tickets.length})`),
    section(tickets.length ? tickets.slice(0, 30).map((t) => ticketLine(t)).join('\n') : 'You have no open tickets.'),
  ];
}

export function unknownHomeBlocks(): Block[] {
  return [
    header('Helpline'),
    section('I can answer general questions and open support tickets for you: send me a direct message or type `/ticket`.\n'
      + 'I could not link your Slack account to a customer record, so I cannot show account details or tickets here. '
      + 'If you are a customer, ask us to link your Slack account (or make sure your Slack email is the one on file).'),
  ];
}

const OPEN = ['open', 'in_progress'] as const;

export function registerHome(app: App, deps: SlackHandlerDeps & { track: (p: Promise<unknown>) => void; now: () => Date }): void {
  async function build(user: string): Promise<Block[]> {
    const caller = await deps.identity.callerFor(user, { allowStaff: true });
    if (caller.kind === 'anonymous') return unknownHomeBlocks();
    return withTools(deps.connectTools, caller, {}, async (tools) => {
      if (tools.audience === 'staff') {
        const lists = await Promise.all(OPEN.map((status) => tools.call('list_tickets', { status, limit: 100 })));
        const { approvals } = await tools.call('list_pending_approvals', {});
        const metrics = await tools.call('get_support_metrics', {});
        return staffHomeBlocks(lists.flatMap((l) => l.tickets), approvals, metrics, deps.now());
      }
      const lists = await Promise.all(OPEN.map((status) => tools.call('list_my_tickets', { status })));
      const name = (await deps.identity.customerFor(user))?.name ?? 'there';
      return customerHomeBlocks(name, lists.flatMap((l) => l.tickets));
    });
  }

  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home' || !deps.teamOk(body.team_id)) return;
    const user = event.user;
    deps.track((async () => {
      const blocks = await build(user).catch((err: Error) => {
        deps.log.error({ err: err.message }, 'app home build failed');
        return [section('Helpline could not load this page right now. Please try again in a minute.')];
      });
      await deps.lanes.run('views.publish', () => deps.client.views.publish({ user_id: user, view: asView({ type: 'home', blocks: blocks.slice(0, 100) }) }));
    })().catch((err: Error) => deps.log.error({ err: err.message }, 'views.publish failed')));
  });
}
