import type { Db, Ticket } from '../store/schema.js';
import type { TicketView } from './api.js';

/** The full ticket as staff see it, plus the customer's name. */
export function staffView(db: Readonly<Db>, ticket: Ticket): TicketView {
  const view: TicketView = structuredClone(ticket);
  const name = ticket.customerId ? db.customers.find((c) => c.id === ticket.customerId)?.name : undefined;
  if (name) view.customerName = name;
  return view;
}

/** What a customer may see of their own ticket: public messages only, no internal history notes. */
export function customerView(db: Readonly<Db>, ticket: Ticket): TicketView {
  const view = staffView(db, ticket);
  view.messages = view.messages.filter((m) => m.visibility === 'public');
  view.history = view.history.map(({ note: _note, ...rest }) => rest);
  return view;
}

/** The next free `T-<n>` number: the stored counter, never below an existing ticket, starting at 1001. */
export function nextTicketNumber(db: Readonly<Db>): number {
  const counter = db.state['tickets.nextNumber'];
  const stored = typeof counter === 'number' && Number.isInteger(counter) ? counter : 1001;
  const highest = db.tickets.reduce((max, t) => Math.max(max, Number(t.id.slice(2)) || 0), 0);
  return Math.max(stored, highest + 1, 1001);
}
