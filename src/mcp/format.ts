/** Short text renderings shared by the tools' `summarize` functions. */
import type { TicketView } from '../support/api.js';

const ZERO_DECIMALS: ReadonlySet<string> = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMALS: ReadonlySet<string> = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** `money(-123456, 'USD')` → `-1,234.56 USD`. Plain arithmetic (no Intl object per call: this runs on every tool result). */
export function money(minor: number, currency: string): string {
  const digits = ZERO_DECIMALS.has(currency) ? 0 : THREE_DECIMALS.has(currency) ? 3 : 2;
  const abs = Math.abs(Math.trunc(minor));
  const scale = 10 ** digits;
  const whole = String(Math.floor(abs / scale)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = digits ? `.${String(abs % scale).padStart(digits, '0')}` : '';
  return `${minor < 0 ? '-' : ''}${whole}${frac} ${currency}`;
}

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
