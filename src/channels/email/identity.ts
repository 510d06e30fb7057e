/**
 * Who an email sender is for the MCP tools: a customer only when the analysis verified the address
 * (DMARC / aligned DKIM from the trusted server) AND the address is a customer's email on file;
 * anyone else is anonymous with the address as contact (general help and tickets, no account data).
 */
import type { CustomerDirectory, IdentityResolver } from '../../conversations/types.js';

export function createEmailIdentity(directory: CustomerDirectory): IdentityResolver {
  return {
    async resolve(sender) {
      const address = (sender.email ?? sender.id).trim().toLowerCase();
      if (sender.verified && address) {
        const customer = await directory.byEmail(address);
        if (customer) return { kind: 'customer', customerId: customer.id };
      }
      return address ? { kind: 'anonymous', contact: address } : { kind: 'anonymous' };
    },
  };
}
