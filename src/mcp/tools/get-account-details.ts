import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { customerDetails, maskedCard } from '../outputs.js';
import { lines, money } from '../format.js';

export const getAccountDetails = defineTool({
  name: 'get_account_details',
  audience: ['customer'],
  title: 'Get my account details',
  description:
    "Shows the signed-in customer's profile (name, email, phone, postal address), their accounts (type, currency, balance, status) " +
    'and their cards (brand, last 4 digits, status, expiry). Use it when the customer asks what is on file or which cards they have, ' +
    'or to find the right card before a freeze, unfreeze or deactivation request. A card\'s status is active, frozen (paused by the customer: no payments) or deactivated. Takes no arguments: it always acts on the customer of this conversation. ' +
    'Full card numbers are never stored or shown.',
  inputSchema: z.strictObject({}),
  outputSchema: z.looseObject({
    customer: customerDetails,
    accounts: z.array(z.looseObject({ id: z.string(), type: z.string(), currency: z.string(), balanceMinor: z.number().int(), status: z.string() })),
    cards: z.array(maskedCard),
  }),
  annotations: READ_ONLY,
  run: ({ support, caller }) => support.accounts.details(caller),
  summarize: ({ customer, accounts, cards }) => {
    const a = customer.address;
    return lines([
      `${customer.name} <${customer.email}>${customer.phone ? `, ${customer.phone}` : ''}`,
      `Address: ${[a.line1, a.line2, a.city, a.region, a.postalCode, a.country].filter(Boolean).join(', ')}`,
      ...accounts.map((acc) => `Account ${acc.id} (${acc.type}, ${acc.status}): ${money(acc.balanceMinor, acc.currency)}`),
      ...cards.map((c) => `Card ${c.id}: ${c.brand} •••• ${c.last4}, ${c.status}, expires ${String(c.expMonth).padStart(2, '0')}/${c.expYear}`),
    ], 40);
  },
});
