import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { TicketPriority } from '../store/schema.js';
import type { Caller } from './caller.js';

/**
 * Bounds on ticket creation by the people (and models) outside the staff: per customer and per contact address
 * over a rolling hour, and how high a priority they may choose. One mail or one model response can no longer open
 * hundreds of urgent tickets; staff are not limited.
 */
export const TICKET_LIMITS = { perCustomerHour: 5, perContactHour: 3, windowMs: 3_600_000 } as const;

/** The highest priority a non-staff caller may ask for; the text's own analysis may still find a ticket urgent. */
export const MAX_REQUESTED_PRIORITY: TicketPriority = 'high';

/**
 * Throws `rate_limited` when this caller (or contact address) already opened its allowance of tickets this hour.
 * Call it with `tx`, in the transaction that creates the ticket, so concurrent creations count each other.
 */
export async function checkTicketAllowance(tx: Pick<Repositories, 'tickets'>, caller: Caller, who: { customerId: string | null; contact?: string | undefined }, now: Date): Promise<void> {
  if (caller.kind === 'staff') return;
  const since = new Date(now.getTime() - TICKET_LIMITS.windowMs).toISOString();
  const contact = who.contact?.trim().toLowerCase();
  if (who.customerId) {
    const byCustomer = await tx.tickets.countCreatedSince({ customerId: who.customerId }, since);
    if (byCustomer >= TICKET_LIMITS.perCustomerHour) {
      throw new AppError('rate_limited', `You have opened ${byCustomer} tickets in the last hour; please wait before opening another, or add to an open one. A person is already looking at them.`, { limit: 'ticket_per_customer' });
    }
    return;
  }
  if (!contact) return;
  const byContact = await tx.tickets.countCreatedSince({ contact }, since);
  if (byContact >= TICKET_LIMITS.perContactHour) {
    throw new AppError('rate_limited', `${byContact} tickets were opened for this contact address in the last hour; please wait before opening another.`, { limit: 'ticket_per_contact' });
  }
}
