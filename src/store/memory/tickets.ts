import { AppError } from '../../errors.js';
import type { Ticket } from '../schema.js';
import { checkLimit, instant } from '../repos/common.js';
import type { TicketChange, TicketFilter, TicketRepository } from '../repos/tickets.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';
import { decodeCursor, encodeCursor, pageOf } from './util.js';

const DAY_MS = 86_400_000;
const numberOf = (t: Ticket) => Number(t.id.slice(2));
/** Newest first: createdAt descending, then number descending. */
const newestFirst = (a: Ticket, b: Ticket) => instant(b.createdAt) - instant(a.createdAt) || numberOf(b) - numberOf(a);

function matches(t: Ticket, f: TicketFilter): boolean {
  return (f.customerId === undefined || t.customerId === f.customerId) && (!f.status || t.status === f.status)
    && (!f.priority || t.priority === f.priority) && (!f.category || t.category === f.category) && (!f.channel || t.channel === f.channel);
}

function applyChange(t: Ticket, c: TicketChange): Ticket {
  const next: Ticket = { ...t, messages: [...t.messages, ...(c.addMessages ?? [])], history: [...t.history, ...(c.addHistory ?? [])] };
  if (c.status !== undefined) next.status = c.status;
  if (c.updatedAt !== undefined) next.updatedAt = c.updatedAt;
  if (c.firstResponseAt !== undefined && !t.firstResponseAt) next.firstResponseAt = c.firstResponseAt;
  if (c.resolvedAt === null) delete next.resolvedAt;
  else if (c.resolvedAt !== undefined) next.resolvedAt = c.resolvedAt;
  if (c.closedAt === null) delete next.closedAt;
  else if (c.closedAt !== undefined) next.closedAt = c.closedAt;
  return next;
}

function dayNumber(day: string, what: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new AppError('bad_input', `${what} must be a day (YYYY-MM-DD).`);
  return Math.floor(instant(`${day}T00:00:00.000Z`, what) / DAY_MS);
}

export function memoryTickets(s: MemoryState, run: Run): TicketRepository {
  return {
    create: (input) => run(() => {
      const id = `T-${s.ticketSeq.next++}`;
      return s.tickets.insert({ ...input, id } as Ticket);
    }),

    get: (id) => run(() => s.tickets.get(id)),

    list: (filter, page) => run(() => {
      checkLimit(page.limit);
      const from = page.cursor === undefined ? undefined : decodeCursor(page.cursor, ['t', 'n'] as const);
      const candidates = filter.customerId !== undefined ? s.tickets.where('customer', filter.customerId)
        : filter.status ? s.tickets.where('status', filter.status) : s.tickets.scan();
      const rows = candidates
        .filter((t) => matches(t, filter))
        .filter((t) => !from || instant(t.createdAt) < from.t || (instant(t.createdAt) === from.t && numberOf(t) < from.n))
        .sort(newestFirst);
      return pageOf(rows, page.limit, (t) => encodeCursor({ t: instant(t.createdAt), n: numberOf(t) }));
    }),

    latestForThread: (threadKey) => run(() => s.tickets.where('thread', threadKey).sort(newestFirst)[0]),

    countCreatedSince: (creator, since) => run(() => {
      const from = instant(since, 'since');
      const rows = 'customerId' in creator ? s.tickets.where('customer', creator.customerId) : s.tickets.where('contact', creator.contact.trim().toLowerCase());
      return rows.filter((t) => instant(t.createdAt) >= from).length;
    }),

    update: (id, change, expect) => run(() => {
      const t = s.tickets.get(id);
      if (!t || (expect?.status !== undefined && t.status !== expect.status)) return { won: false as const, record: t };
      return { won: true as const, record: s.tickets.put(applyChange(t, change)) };
    }),

    setDelivery: (ticketId, messageId, delivery, expect) => run(() => {
      const t = s.tickets.get(ticketId);
      const m = t?.messages.find((x) => x.id === messageId);
      if (!t || !m) return { won: false as const, record: undefined };
      if (m.delivery?.status !== expect.status || (expect.at !== undefined && instant(m.delivery.at) !== instant(expect.at))) return { won: false as const, record: t };
      const messages = t.messages.map((x) => (x.id === messageId ? { ...x, delivery: { ...delivery } } : x));
      return { won: true as const, record: s.tickets.put({ ...t, messages }) };
    }),

    awaitingDelivery: (before, limit) => run(() => {
      checkLimit(limit);
      const until = instant(before, 'before');
      return s.tickets.scan()
        .flatMap((t) => t.messages.map((m) => ({ t, m })))
        .filter(({ m }) => (m.delivery?.status === 'pending' || m.delivery?.status === 'sending') && instant(m.delivery.at) < until)
        .sort((a, b) => instant(a.m.delivery?.at ?? '') - instant(b.m.delivery?.at ?? ''))
        .slice(0, limit)
        .map(({ t, m }) => ({ ticketId: t.id, messageId: m.id }));
    }),

    countBy: (field) => run(() => {
      const out: Record<string, number> = {};
      for (const t of s.tickets.scan()) out[t[field]] = (out[t[field]] ?? 0) + 1;
      return out;
    }),

    medianMinutesTo: (field) => run(() => {
      const values = s.tickets.scan().flatMap((t) => {
        const to = t[field];
        return to ? [(instant(to) - instant(t.createdAt)) / 60_000] : [];
      }).sort((a, b) => a - b);
      if (values.length === 0) return null;
      const mid = Math.floor(values.length / 2);
      return values.length % 2 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
    }),

    createdPerDay: (fromDay, toDay) => run(() => {
      const first = dayNumber(fromDay, 'fromDay');
      const last = dayNumber(toDay, 'toDay');
      if (last < first || last - first >= 366) throw new AppError('bad_input', 'The day range must run forwards over at most 366 days.');
      const days = Array.from({ length: last - first + 1 }, (_, i) => ({ day: new Date((first + i) * DAY_MS).toISOString().slice(0, 10), count: 0, sentimentSum: 0 }));
      for (const t of s.tickets.scan()) {
        const d = days[Math.floor(instant(t.createdAt) / DAY_MS) - first];
        if (!d) continue;
        d.count += 1;
        d.sentimentSum += t.sentiment;
      }
      return days;
    }),

    countResolvedBetween: (from, to) => run(() => {
      const a = instant(from, 'from');
      const b = instant(to, 'to');
      return s.tickets.scan().filter((t) => t.resolvedAt !== undefined && instant(t.resolvedAt) >= a && instant(t.resolvedAt) < b).length;
    }),
  };
}
