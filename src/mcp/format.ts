/** Short text renderings shared by the tools' `summarize` functions. */
import type { TicketView } from '../support/api.js';

/** Money in tool results: the one formatter of support (ISO 4217 minor digits). */
export { plainMoney as money } from '../support/money.js';

/** Joins lines, keeping at most `max` of them and saying how many were left out. */
export function lines(items: string[], max = 20): string {
  const shown = items.slice(0, max);
  if (items.length > max) shown.push(`… and ${items.length - max} more`);
  return shown.join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function ticketLine(t: Pick<TicketView, 'id' | 'status' | 'priority' | 'subject'> & { customerName?: string | undefined }): string {
  const who = t.customerName ? ` — ${t.customerName}` : '';
  return `${t.id} [${t.status}, ${t.priority}] ${t.subject}${who}`;
}

/** A ticket as its customer may see it: internal messages and staff status notes removed. */
export function publicTicket<T extends Pick<TicketView, 'messages' | 'history'>>(ticket: T): T {
  return {
    ...ticket,
    messages: ticket.messages.filter((m) => m.visibility === 'public').map(({ delivery: _delivery, ...m }) => m),
    history: ticket.history.map(({ note: _note, ...entry }) => entry),
  };
}
