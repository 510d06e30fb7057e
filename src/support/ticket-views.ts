import type { Repositories } from '../store/repos/index.js';
import type { Ticket } from '../store/schema.js';
import type { TicketView } from './api.js';

/** The full ticket as staff see it, plus the customer's name when known. */
export function staffView(ticket: Ticket, customerName?: string): TicketView {
  const view: TicketView = structuredClone(ticket);
  if (customerName) view.customerName = customerName;
  return view;
}

/** What a customer may see of their own ticket: public messages only, no internal history notes. */
export function customerView(ticket: Ticket, customerName?: string): TicketView {
  const view = staffView(ticket, customerName);
  view.messages = view.messages.filter((m) => m.visibility === 'public').map(({ delivery: _delivery, ...m }) => m);
  view.history = view.history.map(({ note: _note, ...rest }) => rest);
  return view;
}

/** The names of the tickets' customers (one lookup for a whole list). */
export async function customerNames(repos: Pick<Repositories, 'customers'>, tickets: readonly Ticket[]): Promise<Map<string, string>> {
  const ids = [...new Set(tickets.map((t) => t.customerId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  return new Map((await repos.customers.getMany(ids)).map((c) => [c.id, c.name]));
}

/** The name of one ticket's customer, if it has one. */
export async function customerName(repos: Pick<Repositories, 'customers'>, ticket: Ticket): Promise<string | undefined> {
  return ticket.customerId ? (await repos.customers.get(ticket.customerId))?.name : undefined;
}
