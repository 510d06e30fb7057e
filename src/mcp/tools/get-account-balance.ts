import { z } from 'zod';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { balance } from '../outputs.js';
import { lines } from '../format.js';

export const getAccountBalance = defineTool({
  name: 'get_account_balance',
  audience: ['customer'],
  title: 'Get my balances',
  description:
    "Returns the current balance of each of the signed-in customer's accounts (amounts in integer minor units plus a formatted string). " +
    'Use it whenever the customer asks how much money they have. Takes no arguments: it always acts on the customer of this conversation.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({ balances: z.array(balance) }),
  annotations: READ_ONLY,
  run: async ({ support, caller }) => ({ balances: await support.accounts.balance(caller) }),
  summarize: ({ balances }) =>
    balances.length ? lines(balances.map((b) => `${b.type} account ${b.accountId}: ${b.formatted}`)) : 'No accounts found.',
});
