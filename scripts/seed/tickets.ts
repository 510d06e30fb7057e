import Sentiment from 'sentiment';
import type { Actor, Ticket, TicketStatus } from '../../src/store/schema.js';
import type { TicketSpec } from './ticket-specs.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Slack user ids of the two demo staff members. */
export const staffId = (n: 1 | 2): string => (n === 1 ? 'U0STAFF0001' : 'U0STAFF0002');

const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();
const staff = (n: 1 | 2): Actor => ({ kind: 'staff', id: staffId(n) });

/** Build ticket `T-<number>` from its spec: messages, status history and the derived timestamps. */
export function makeTicket(spec: TicketSpec, number: number, ref: number, customerId: (n: number) => string): Ticket {
  const created = ref - spec.daysAgo * DAY;
  const customer: Actor = spec.customer === null ? { kind: 'anonymous', id: spec.contact ?? 'unknown' } : { kind: 'customer', id: customerId(spec.customer) };
  const s = new Sentiment().analyze(`${spec.subject}. ${spec.description}`);
  const ticket: Ticket = {
    id: `T-${number}`,
    customerId: spec.customer === null ? null : customerId(spec.customer),
    ...(spec.contact ? { contact: spec.contact } : {}),
    subject: spec.subject,
    description: spec.description,
    channel: spec.channel,
    priority: spec.priority,
    category: spec.category,
    sentiment: Math.round(s.comparative * 1000) / 1000,
    status: 'open',
    createdAt: iso(created),
    updatedAt: iso(created),
    messages: [],
    history: [{ at: iso(created), from: null, to: 'open', by: customer }],
  };
  let status = 'open' as TicketStatus;
  spec.events.forEach((ev, i) => {
    const at = created + ev.h * HOUR;
    if (at > ref) throw new Error(`T-${number}: event ${i} is after the reference date`);
    const when = iso(at);
    ticket.updatedAt = when;
    if (ev.kind === 'status') {
      const by: Actor = ev.by === 'customer' ? customer : ev.by === 'system' ? { kind: 'system', id: 'helpline' } : staff(ev.by === 'staff1' ? 1 : 2);
      ticket.history.push({ at: when, from: status, to: ev.to, by, ...(ev.note ? { note: ev.note } : {}) });
      status = ev.to;
      if (ev.to === 'resolved') ticket.resolvedAt = when;
      if (ev.to === 'closed') ticket.closedAt = when;
      if (ev.to === 'open' || ev.to === 'in_progress') delete ticket.closedAt;
      return;
    }
    const author = ev.kind === 'customer' ? customer : staff(ev.staff);
    ticket.messages.push({ id: `msg_${number}_${ticket.messages.length + 1}`, at: when, author, visibility: ev.kind === 'internal' ? 'internal' : 'public', body: ev.body });
    if (ev.kind === 'reply' && !ticket.firstResponseAt) ticket.firstResponseAt = when;
  });
  ticket.status = status;
  if (status !== 'resolved' && status !== 'closed') delete ticket.resolvedAt;
  return ticket;
}
