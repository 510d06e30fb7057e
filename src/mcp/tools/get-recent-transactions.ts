import { z } from 'zod';
import { AppError } from '../../errors.js';
import { defineTool, READ_ONLY } from '../define-tool.js';
import { transaction } from '../outputs.js';
import { isoDate, limit, recordId } from '../schemas.js';
import { lines, money } from '../format.js';

export const getRecentTransactions = defineTool({
  name: 'get_recent_transactions',
  audience: ['customer'],
  title: 'Get my recent transactions',
  description:
    "Lists the signed-in customer's transactions, newest first. Optional: `limit` (1-100, default 10), `since` / `until` " +
    '(ISO dates, inclusive), `accountId` (one of their own accounts, from get_account_details). Use it for questions about ' +
    'payments, charges, deposits or a specific merchant. Amounts are integer minor units; negative means money out.',
  inputSchema: z.strictObject({
    limit: limit(100).optional().describe('How many transactions (1-100, default 10)'),
    since: isoDate.optional().describe('Only transactions on or after this date'),
    until: isoDate.optional().describe('Only transactions on or before this date'),
    accountId: recordId('account').optional().describe("One of the customer's own account ids"),
  }),
  outputSchema: z.object({ transactions: z.array(transaction) }),
  annotations: READ_ONLY,
  run: async ({ support, caller }, input) => {
    if (input.since && input.until && Date.parse(input.since) > Date.parse(input.until)) {
      throw new AppError('bad_input', '`since` must not be after `until`');
    }
    return { transactions: await support.accounts.transactions(caller, { ...input, limit: input.limit ?? 10 }) };
  },
  summarize: ({ transactions }) =>
    transactions.length
      ? lines(transactions.map((t) => `${t.postedAt.slice(0, 10)} ${t.merchant} ${money(t.amountMinor, t.currency)} (${t.category}${t.status === 'pending' ? ', pending' : ''})`))
      : 'No transactions match.',
});
