import { AppError } from '../errors.js';
import type { Actor, Ticket, TicketStatus } from '../store/schema.js';

/** The ticket status machine: open → in_progress → resolved → closed; reopen (→ open) from resolved/closed. */
const ALLOWED: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['resolved', 'closed'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws AppError('invalid_transition') with what is allowed instead. */
export function assertTransition(ticket: Pick<Ticket, 'id' | 'status'>, to: TicketStatus): void {
  if (ticket.status === to) throw new AppError('invalid_transition', `Ticket ${ticket.id} is already ${to}.`);
  if (!canTransition(ticket.status, to)) {
    throw new AppError('invalid_transition', `Ticket ${ticket.id} cannot go from ${ticket.status} to ${to}; allowed: ${ALLOWED[ticket.status].join(', ')}.`);
  }
}

/** Apply a checked transition: status, history, and the resolved/closed timestamps. Mutates `ticket`. */
export function applyTransition(ticket: Ticket, to: TicketStatus, by: Actor, at: Date, note?: string): void {
  const from = ticket.status;
  const iso = at.toISOString();
  ticket.status = to;
  ticket.updatedAt = iso;
  const entry: Ticket['history'][number] = { at: iso, from, to, by: { ...by } };
  if (note) entry.note = note;
  ticket.history.push(entry);
  if (to === 'resolved') ticket.resolvedAt = iso;
  if (to === 'closed') ticket.closedAt = iso;
  if (to === 'open') {
    delete ticket.resolvedAt;
    delete ticket.closedAt;
  }
}
