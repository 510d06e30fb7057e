/**
 * /api/v1/openapi.json, generated from the zod schemas that validate the requests (z.toJSONSchema, OpenAPI 3.1 =
 * JSON Schema 2020-12). Every registered route must have its entry here: building the document fails otherwise.
 */
import { z } from 'zod';
import { eventsQuery } from './live-frames.js';
import * as s from './schemas.js';

interface RouteDoc {
  summary: string;
  /** Who may call: `any` (anonymous too), `customer`, `key` (an API key alone). */
  auth: 'any' | 'customer' | 'key';
  params?: z.ZodObject | undefined;
  query?: z.ZodObject | undefined;
  body?: z.ZodType | undefined;
  ok: { status: number; schema: z.ZodType };
  /** Error statuses the route answers besides 400/401/429/500 (always possible). */
  errors?: number[] | undefined;
}

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /api/v1/tokens': { summary: 'Mint a short-lived customer token (API key with tokens:mint).', auth: 'key', body: s.mintTokenBody, ok: { status: 201, schema: s.mintTokenReply }, errors: [403, 404, 413, 415, 503] },
  'GET /api/v1/me': { summary: 'Who the API takes the caller for.', auth: 'any', ok: { status: 200, schema: s.meReply }, errors: [403, 404] },
  'POST /api/v1/threads': { summary: 'Start a new web thread (also: reset, by starting a new one).', auth: 'any', ok: { status: 201, schema: s.startThreadReply } },
  'GET /api/v1/threads': { summary: "The customer's threads on every channel, most recent first.", auth: 'customer', query: s.listThreadsQuery, ok: { status: 200, schema: s.listThreadsReply } },
  'GET /api/v1/threads/:threadId/messages': { summary: "A thread's history (customer, assistant and notice messages).", auth: 'any', params: s.threadParams, ok: { status: 200, schema: s.historyReply }, errors: [404] },
  'POST /api/v1/threads/:threadId/messages': {
    summary: 'Send a message; answered with the reply when the turn finishes (202 pending after the wait). Idempotent per clientMessageId.',
    auth: 'any', params: s.threadParams, body: s.sendMessageBody, ok: { status: 200, schema: s.sendMessageReply }, errors: [403, 404, 413, 415, 503],
  },
  'GET /api/v1/threads/:threadId/events': {
    summary: "The thread's live events as server-sent events (`id:` = the event id; resume with Last-Event-ID or ?after=; `: keepalive` every 15 s). "
      + 'Credentials as for REST, or ?access_token=<customer token> (never an API key). Each `data:` is one event (JSON); `{"type":"resync"}`: reload the history.',
    auth: 'any', params: s.threadParams, query: eventsQuery, ok: { status: 200, schema: z.string().describe('text/event-stream') }, errors: [404],
  },
  'GET /api/v1/ws': {
    summary: 'WebSocket (upgrade). First frame {"type":"auth","token"?}; then subscribe {threadId, after?}, unsubscribe {threadId}, message {threadId, clientMessageId, text}. '
      + 'The server sends ready, subscribed {cursor}, event {threadId, event}, accepted, error {code}. Frames up to 16 KiB; API keys are not accepted.',
    auth: 'any', ok: { status: 101, schema: z.string().describe('Switching Protocols') },
  },
  'GET /api/v1/openapi.json': { summary: 'This document.', auth: 'any', ok: { status: 200, schema: z.record(z.string(), z.unknown()) } },
};

const REF = (id: string) => `#/components/schemas/${id}`;
const json = (schema: z.ZodType, io: 'input' | 'output') => {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: REF(id) };
  // `uri` turns schemas registered with an id into references to the components instead of inlined copies.
  const toJson = z.toJSONSchema as (schema: z.ZodType, opts: Record<string, unknown>) => Record<string, unknown>;
  const { $schema: _drop, ...rest } = toJson(schema, { io, uri: REF, unrepresentable: 'any' });
  return rest;
};
const params = (o: z.ZodObject | undefined, where: 'path' | 'query') => Object.entries(o?.shape ?? {}).map(([name, schema]) => ({
  name, in: where, required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success, schema: json(schema as z.ZodType, 'input'),
}));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request', 401: 'No or invalid credentials', 403: 'Not allowed for this caller', 404: 'Not found', 413: 'Body too large',
  415: 'Not JSON', 429: 'Rate limited', 500: 'Internal error', 503: 'Unavailable (busy, shutting down, or not configured)',
};

/** The OpenAPI document of the routes registered (`METHOD url`); throws when one has no entry in ROUTE_DOCS. */
export function buildOpenApi(routes: readonly string[]): Record<string, unknown> {
  const missing = routes.filter((r) => !ROUTE_DOCS[r]);
  if (missing.length) throw new Error(`OpenAPI: no documentation for ${missing.join(', ')}`);
  const { schemas } = z.toJSONSchema(z.globalRegistry, { uri: REF, io: 'output' }) as { schemas: Record<string, Record<string, unknown>> };
  for (const sc of Object.values(schemas)) delete sc['$schema'];
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...new Set(routes)].sort()) {
    const doc = ROUTE_DOCS[route] as RouteDoc;
    const [method = '', url = ''] = route.split(' ');
    const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, unknown> = { [doc.ok.status]: { description: 'OK', content: { 'application/json': { schema: json(doc.ok.schema, 'output') } } } };
    for (const code of [400, 401, 429, 500, ...(doc.errors ?? [])]) responses[code] = { description: ERROR_TEXT[code] ?? 'Error', content: { 'application/json': { schema: { $ref: REF('Error') } } } };
    paths[path] = {
      ...paths[path],
      [method.toLowerCase()]: {
        summary: doc.summary,
        operationId: `${method.toLowerCase()}${path.replace(/[{}]/g, '').split('/').filter(Boolean).map((p) => p[0]?.toUpperCase() + p.slice(1).replace(/[^A-Za-z0-9]/g, '')).join('')}`,
        security: doc.auth === 'key' ? [{ apiKey: [] }] : doc.auth === 'customer' ? [{ customerToken: [] }, { apiKey: [], customerHeader: [] }] : [{}, { customerToken: [] }, { apiKey: [], customerHeader: [] }],
        parameters: [...params(doc.params, 'path'), ...params(doc.query, 'query')],
        ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(doc.body, 'input') } } } } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Helpline web API', version: '1', description: 'Customer support chat for a company\'s web and mobile apps. Errors are { error: { code, message } }.' },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (hlk_…) of the company\'s backend: npm run apikey -- create.' },
        customerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A customer token from POST /api/v1/tokens.' },
        customerHeader: { type: 'apiKey', in: 'header', name: 'X-Helpline-Customer', description: 'The customer an API key with chat:act-as-customer acts for.' },
      },
    },
  };
}
