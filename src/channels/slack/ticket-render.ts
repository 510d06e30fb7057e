import type { TicketDelivery } from '../../store/schema.js';
import { deliveryShort } from '../../support/reply-route.js';
import { escapeSlack, excerpt, slackDate } from './format.js';

/** The ticket fields the views read (TicketView from support, over MCP). */
export interface TicketLike {
  id: string;
  subject: string;
  status: string;
  priority: string;
  category?: string;
  customerId?: string | null;
  customerName?: string;
  contact?: string;
  createdAt: string;
  updatedAt?: string;
  messages?: Array<{ at: string; author: { kind: string; id: string }; visibility: string; body: string; delivery?: TicketDelivery }>;
  history?: Array<{ at: string; from: string | null; to: string; by: { kind: string; id: string }; note?: string }>;
}

export const PRIORITY_ORDER = ['urgent', 'high', 'normal', 'low'] as const;
const PRIORITY_ICON: Record<string, string> = { urgent: ':red_circle:', high: ':large_orange_circle:', normal: ':large_blue_circle:', low: ':white_circle:' };

export function ticketLine(t: TicketLike, opts: { showCustomer?: boolean } = {}): string {
  const who = opts.showCustomer ? ` · ${escapeSlack(t.customerName ?? t.customerId ?? t.contact ?? 'no customer')}` : '';
  return `${PRIORITY_ICON[t.priority] ?? ''} *${escapeSlack(t.id)}* ${excerpt(t.subject, 120)} — _${escapeSlack(t.status)}_, ${escapeSlack(t.priority)}${who}`;
}

function actor(a: { kind: string; id: string }): string {
  if (a.kind === 'staff') return `staff ${escapeSlack(a.id)}`;
  if (a.kind === 'system') return 'Helpline';
  return escapeSlack(a.kind);
}

/** A ticket with its status history and messages, as mrkdwn sections (each under Slack's 3,000-char limit). */
export function ticketDetail(t: TicketLike, opts: { staff: boolean; extra?: string[] }): string[] {
  const head = [
    `*${escapeSlack(t.id)}* — ${excerpt(t.subject, 200)}`,
    `Status: *${escapeSlack(t.status)}* · Priority: ${escapeSlack(t.priority)}${t.category ? ` · Category: ${escapeSlack(t.category)}` : ''}`,
    opts.staff ? `Customer: ${escapeSlack(t.customerName ?? t.customerId ?? t.contact ?? 'none')}` : '',
    `Opened ${slackDate(t.createdAt)}${t.updatedAt ? ` · updated ${slackDate(t.updatedAt)}` : ''}`,
  ].filter(Boolean).join('\n');
  const history = (t.history ?? []).slice(-15).map((h) =>
    `• ${slackDate(h.at)} ${escapeSlack(h.from ?? 'new')} → *${escapeSlack(h.to)}* by ${actor(h.by)}${h.note ? ` — ${excerpt(h.note, 200)}` : ''}`);
  const messages = (t.messages ?? []).filter((m) => opts.staff || m.visibility === 'public').slice(-10).map((m) =>
    `• ${slackDate(m.at)} ${actor(m.author)}${m.visibility === 'internal' ? ' (internal)' : ''}: ${excerpt(m.body, 300)}${opts.staff && m.delivery ? ` — _${escapeSlack(deliveryShort(m.delivery))}, ${slackDate(m.delivery.at)}_` : ''}`);
  const sections = [head];
  if (history.length) sections.push(`*History*\n${history.join('\n')}`);
  if (messages.length) sections.push(`*Messages*\n${messages.join('\n')}`);
  for (const extra of opts.extra ?? []) sections.push(extra);
  return sections.map((s) => clipLines(s, 2900));
}

/** Cut mrkdwn to whole lines under `max` characters (never inside an entity or a `<!date>` token). */
export function clipLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > max - 2) break;
    kept.push(line);
    size += line.length + 1;
  }
  return `${kept.join('\n')}\n…`;
}

export function sectionBlocks(texts: string[]): Array<Record<string, unknown>> {
  return texts.filter(Boolean).slice(0, 45).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}
