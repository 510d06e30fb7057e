import { z } from 'zod';
import { defineTool, OVERWRITE } from '../define-tool.js';
import { address } from '../outputs.js';
import { optText, text } from '../schemas.js';

export const updateAddress = defineTool({
  name: 'update_address',
  audience: ['customer'],
  title: 'Update my postal address',
  description:
    "Replaces the signed-in customer's postal address on file. Needs `line1`, `city`, `postalCode` and `country` " +
    '(ISO 3166-1 alpha-2, upper case, e.g. US, GB, DE); `line2` and `region` are optional. Confirm the full new address ' +
    'with the customer before calling. Acts only on the customer of this conversation.',
  inputSchema: z.strictObject({
    line1: text(200),
    line2: optText(200),
    city: text(100),
    region: optText(100),
    postalCode: text(20),
    country: z.string().max(2).regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code in upper case, e.g. US'),
  }),
  outputSchema: z.object({ address }),
  annotations: OVERWRITE,
  run: async ({ support, caller }, input) => ({ address: await support.accounts.updateAddress(caller, input) }),
  summarize: ({ address: a }) =>
    `Address updated to: ${[a.line1, a.line2, a.city, a.region, a.postalCode, a.country].filter(Boolean).join(', ')}`,
});
