/** The web API's request and response shapes (zod): they validate every request and generate /api/v1/openapi.json. */
import { z } from 'zod';
import { WEB_ERRORS } from './errors.js';

export const customerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).describe('A customer id of the company (e.g. cus_001).');

export const errorSchema = z.strictObject({
  error: z.strictObject({ code: z.enum(Object.keys(WEB_ERRORS) as [keyof typeof WEB_ERRORS, ...Array<keyof typeof WEB_ERRORS>]), message: z.string() }),
}).meta({ id: 'Error' });

export const mintTokenBody = z.strictObject({ customerId: customerIdSchema }).meta({ id: 'MintTokenRequest' });
export const mintTokenReply = z.strictObject({
  token: z.string().describe('A JWT (HS256) for Authorization: Bearer <token>; short-lived.'),
  tokenType: z.literal('Bearer'),
  customerId: customerIdSchema,
  expiresAt: z.string().describe('ISO-8601 instant'),
}).meta({ id: 'MintTokenResponse' });

export const meReply = z.strictObject({
  caller: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('anonymous') }),
    z.strictObject({ kind: z.literal('backend'), keyId: z.string(), scopes: z.array(z.string()) }),
    z.strictObject({ kind: z.literal('customer'), customerId: customerIdSchema, via: z.enum(['api_key', 'token']) }),
  ]),
}).meta({ id: 'MeResponse' });
