import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Customer } from '../store/schema.js';
import type { Caller } from './caller.js';
import type { SupportContext } from './context.js';

/** True only for a staff caller that is on the allow-list right now. */
export function callerIsStaff(ctx: SupportContext, caller: Caller): boolean {
  return caller.kind === 'staff' && safeIsStaff(ctx, caller.staffId);
}

function safeIsStaff(ctx: SupportContext, staffId: string): boolean {
  try {
    return ctx.staff.isStaff(staffId) === true;
  } catch {
    return false; // an unreadable allow-list denies
  }
}

export function requireStaff(ctx: SupportContext, caller: Caller): Extract<Caller, { kind: 'staff' }> {
  if (caller.kind !== 'staff' || !callerIsStaff(ctx, caller)) {
    throw new AppError('forbidden', 'This operation is for support staff only.');
  }
  return caller;
}

/** The customer a customer caller acts for (pass `tx` inside a transaction); anyone else is refused. */
export async function requireCustomer(repos: Pick<Repositories, 'customers'>, caller: Caller): Promise<Customer> {
  if (caller.kind !== 'customer') {
    throw new AppError('forbidden', 'This operation needs a verified customer.');
  }
  const customer = await repos.customers.get(caller.customerId);
  if (!customer) throw new AppError('not_found', 'Your customer record was not found.');
  return customer;
}
