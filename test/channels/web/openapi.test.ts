/** /api/v1/openapi.json: served over HTTP, a valid OpenAPI 3.1 document (checked by swagger-parser), every route in it, refs resolving. */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi, ROUTE_DOCS } from '../../../src/channels/web/openapi.js';
import { call, startWeb, type WebHarness } from './harness.js';

let h: WebHarness;
beforeAll(async () => {
  h = await startWeb();
});
afterAll(async () => h.close());

describe('OpenAPI document', () => {
  it('is served, validates as OpenAPI 3.1 with every $ref resolved, and lists exactly the routes the API answers', async () => {
    const r = await call(h.base, 'GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toBe('3.1.0');
    // validate() checks the document against the OpenAPI 3.1 schema and dereferences every $ref (it throws on a dangling one).
    const api = (await SwaggerParser.validate(structuredClone(doc) as never)) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(ops.sort()).toEqual(Object.keys(ROUTE_DOCS).sort());
    expect(JSON.stringify(api)).not.toContain('$ref');
    // Each documented route is really answered (not the API's 404 for unknown endpoints).
    for (const op of ops) {
      const [method = '', path = ''] = op.split(' ');
      if (path.endsWith('/events')) {
        // A stream that stays open: its status and type are the answer.
        const stream = await fetch(`${h.base}${path.replace(':threadId', 'th_00000000000000000000000000000000')}`);
        expect([stream.status, stream.headers.get('content-type')], op).toEqual([200, 'text/event-stream; charset=utf-8']);
        await stream.body?.cancel();
        continue;
      }
      const res = await call(h.base, method, path.replace(':threadId', 'th_00000000000000000000000000000000'), method === 'POST' ? { body: {} } : {});
      expect(res.json?.error?.message ?? '', op).not.toBe('No such endpoint.');
    }
  });

  it('describes requests with the same rules that validate them, and refuses to build without an entry for a route', async () => {
    const doc = buildOpenApi(Object.keys(ROUTE_DOCS)) as { components: { schemas: Record<string, { required?: string[]; properties?: Record<string, { pattern?: string; maxLength?: number }>; additionalProperties?: boolean }> } };
    const send = doc.components.schemas['SendMessageRequest']!;
    expect(send.required?.sort()).toEqual(['clientMessageId', 'text']);
    expect(send.additionalProperties).toBe(false);
    expect(send.properties?.['text']?.maxLength).toBe(4000);
    expect(send.properties?.['clientMessageId']?.pattern).toBe('^[A-Za-z0-9_-]{8,100}$');
    expect(doc.components.schemas['Error']?.required).toEqual(['error']);
    expect(() => buildOpenApi([...Object.keys(ROUTE_DOCS), 'DELETE /api/v1/threads'])).toThrow(/no documentation for DELETE \/api\/v1\/threads/);
  });
});
