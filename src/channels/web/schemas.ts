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

export const threadIdSchema = z.string().min(1).max(710).describe('th_… (a web thread) or x.… (one of the customer\'s threads on another channel).');
export const threadParams = z.strictObject({ threadId: threadIdSchema });

export const startThreadReply = z.strictObject({ threadId: z.string() }).meta({ id: 'StartThreadResponse' });

export const threadSummarySchema = z.strictObject({
  threadId: z.string(),
  channel: z.enum(['slack', 'email', 'terminal', 'web', 'phone']),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'ThreadSummary' });
export const listThreadsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export const listThreadsReply = z.strictObject({ threads: z.array(threadSummarySchema) }).meta({ id: 'ListThreadsResponse' });

export const historyReply = z.strictObject({
  threadId: z.string(),
  channel: z.enum(['slack', 'email', 'terminal', 'web', 'phone']).optional(),
  summary: z.string().optional().describe('A summary of older messages that were compacted away.'),
  messages: z.array(z.strictObject({ role: z.enum(['customer', 'assistant', 'notice']), text: z.string() })),
}).meta({ id: 'ThreadHistoryResponse' });

export const sendMessageBody = z.strictObject({
  clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/).describe('Chosen by the client, unique per message: a retried POST with the same id is answered once.'),
  text: z.string().trim().min(1).max(4000),
}).meta({ id: 'SendMessageRequest' });
export const sendMessageReply = z.strictObject({
  threadId: z.string(),
  clientMessageId: z.string(),
  status: z.enum(['answered', 'pending']).describe('pending: the turn is still running; read the thread history later.'),
  reply: z.strictObject({ text: z.string(), kind: z.enum(['reply', 'holding', 'busy', 'notice']) }).optional(),
}).meta({ id: 'SendMessageResponse' });
