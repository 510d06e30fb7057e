import { AppError } from '../errors.js';
import type { TicketChange } from '../store/repos/index.js';
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

/** The change a checked transition makes: status, history, and the resolved/closed timestamps (a reopen clears them). */
export function transitionChange(ticket: Pick<Ticket, 'status'>, to: TicketStatus, by: Actor, at: Date, note?: string): TicketChange {
  const iso = at.toISOString();
  const entry: Ticket['history'][number] = { at: iso, from: ticket.status, to, by: { ...by } };
  if (note) entry.note = note;
  const change: TicketChange = { status: to, updatedAt: iso, addHistory: [entry] };
  if (to === 'resolved') change.resolvedAt = iso;
  if (to === 'closed') change.closedAt = iso;
  if (to === 'open') {
    change.resolvedAt = null;
    change.closedAt = null;
  }
  return change;
}

/** A ticket's status changed under a compare-and-set: someone else moved it first. */
export function movedMeanwhile(ticket: Pick<Ticket, 'id' | 'status'> | undefined, id: string): AppError {
  if (!ticket) return new AppError('not_found', `No ticket ${id} was found.`);
  return new AppError('invalid_transition', `Ticket ${id} changed meanwhile and is now ${ticket.status}; look at it again.`);
}
