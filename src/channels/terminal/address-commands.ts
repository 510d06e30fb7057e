import type { CustomerRef } from '../../conversations/types.js';
import type { Caller } from '../../support/caller.js';
import { errorText } from './error-text.js';

interface PostalAddress { line1: string; line2?: string | undefined; city: string; region?: string | undefined; postalCode: string; country: string }

/** What `confirm` needs (wired from support.accounts). Code only: no model has a tool that confirms an address change. */
export interface AddressConfirmByIdPort {
  confirmAddressChangeById(caller: Caller, changeId: string): Promise<{ changeId: string; address: PostalAddress }>;
}

export interface AddressCommandDeps {
  /** Absent when the app did not wire it: `confirm` then says so. */
  addressChanges?: AddressConfirmByIdPort | undefined;
  /** The customer the person at the terminal is chatting as (undefined: a guest). */
  currentUser(): CustomerRef | undefined;
  print(line: string): void;
}

const oneLine = (a: PostalAddress) => [a.line1, a.line2, a.city, [a.region, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');

/**
 * The terminal's `confirm <change id>`: the person at the keyboard confirms a pending address change of the customer
 * they are chatting as (never another customer's: support looks the change up among that customer's own).
 */
export function createAddressCommands(deps: AddressCommandDeps) {
  return {
    async confirm(changeId: string): Promise<void> {
      const user = deps.currentUser();
      if (!deps.addressChanges) return deps.print('Address changes cannot be confirmed from this terminal.');
      if (!user) return deps.print('Pick a customer first ("user <id or email>"): confirm acts for the customer you are chatting as.');
      try {
        const done = await deps.addressChanges.confirmAddressChangeById({ kind: 'customer', customerId: user.id }, changeId);
        deps.print(`Address change ${done.changeId} confirmed. The address on file for ${user.name} is now: ${oneLine(done.address)}.`);
      } catch (err) {
        deps.print(`Could not confirm ${changeId}: ${errorText(err)}`);
      }
    },
  };
}
