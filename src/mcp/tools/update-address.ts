import { z } from 'zod';
import { ADDITIVE, defineTool } from '../define-tool.js';
import { address } from '../outputs.js';
import { optText, text } from '../schemas.js';

export const updateAddress = defineTool({
  name: 'update_address',
  audience: ['customer'],
  title: 'Request a change of my postal address',
  description:
    "Requests a change of the signed-in customer's postal address. It does NOT change the address: it records a pending " +
    'change and returns `pending_confirmation` with a change id. The change takes effect only when the customer confirms it ' +
    'themselves, with the single-use link emailed to the address on file (with no mail server: put in the local dev mailbox, and `linkEmailed` is false) ' +
    'or, in the terminal chat, by typing `confirm <change id>`; ' +
    'nothing you can call confirms it. A newer request replaces a pending one. Needs `line1`, `city`, `postalCode` and `country` ' +
    '(ISO 3166-1 alpha-2, upper case, e.g. US, GB, DE); `line2` and `region` are optional. Confirm the full new address ' +
    'with the customer before calling, and tell them how to confirm (the result says how). Acts only on the customer of this conversation.',
  inputSchema: z.strictObject({
    line1: text(200),
    line2: optText(200),
    city: text(100),
    region: optText(100),
    postalCode: text(20),
    country: z.string().max(2).regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code in upper case, e.g. US'),
  }),
  outputSchema: z.object({
    status: z.literal('pending_confirmation'),
    changeId: z.string(),
    address,
    expiresAt: z.string(),
    linkEmailed: z.boolean(),
    message: z.string(),
  }),
  annotations: ADDITIVE,
  run: async ({ support, caller, context }, input) => support.accounts.updateAddress(caller, input, context),
  summarize: (r) =>
    `Address change ${r.changeId} requested, NOT applied: the address on file is unchanged until the customer confirms it ` +
    `(expires ${r.expiresAt}). ${r.message}`,
});
