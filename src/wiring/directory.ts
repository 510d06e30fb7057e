/** The customer directory channels use for identity, read from support's accounts. */
import type { CustomerDirectory, CustomerRef } from '../conversations/types.js';
import type { Customer } from '../store/schema.js';
import type { Support } from '../support/api.js';

function ref(c: Customer | undefined): CustomerRef | undefined {
  return c ? { id: c.id, name: c.name, email: c.email, slackUserId: c.slackUserId } : undefined;
}

export function createDirectory(accounts: Pick<Support['accounts'], 'customer' | 'customerByEmail' | 'customerBySlackUserId'>): CustomerDirectory {
  return {
    byId: async (id) => ref(await accounts.customer(id)),
    byEmail: async (email) => ref(await accounts.customerByEmail(email)),
    bySlackUserId: async (id) => ref(await accounts.customerBySlackUserId(id)),
  };
}
