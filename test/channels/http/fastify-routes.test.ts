/** The routes moved onto Fastify keep the old server's answers at the edges: unknown paths, malformed escapes, the mailbox's paths, a failing page. */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/index.js';
import { startHttpServer, type HttpServer } from '../../../src/channels/http/index.js';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start() {
  const seen: Array<string | undefined> = [];
  const bodies: string[] = [];
  server = await startHttpServer({
    host: '127.0.0.1', port: 0, log: silentLogger(), checks: {},
    resetPage: async (req, res, token) => {
      if (token === 'boom') throw new Error('page failed');
      let body = '';
      for await (const chunk of req) body += String(chunk);
      bodies.push(body);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`token=${token}`);
    },
    devMailbox: async (_req, res, id) => {
      seen.push(id);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('mailbox');
    },
  });
  return { url: server.url, seen, bodies };
}

describe('http server on Fastify', () => {
  it('answers unknown paths and methods 404 with the same JSON body, never cached', async () => {
    const { url } = await start();
    for (const [method, path] of [['GET', '/nope'], ['POST', '/healthz'], ['GET', '/readyz/x']] as const) {
      const res = await fetch(`${url}${path}`, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ error: 'not found' });
    }
  });

  it('a malformed escape in a token is 404, not 400; a good one reaches the page decoded, with its body unread', async () => {
    const { url, bodies } = await start();
    const bad = await fetch(`${url}/reset/%E0%A4%A`);
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual({ error: 'not found' });
    const ok = await fetch(`${url}/reset/a%2Eb`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x&password=y' });
    expect(await ok.text()).toBe('token=a.b');
    expect(bodies).toEqual(['csrf=x&password=y']);
  });

  it('a page that throws answers 500 with the generic body', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/reset/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
  });

  it('serves the mailbox list with and without a trailing slash, and one message by id', async () => {
    const { url, seen } = await start();
    for (const path of ['/dev/mailbox', '/dev/mailbox/', '/dev/mailbox/m_1', '/dev/mailbox/m_2/']) expect((await fetch(`${url}${path}`)).status).toBe(200);
    expect(seen).toEqual([undefined, undefined, 'm_1', 'm_2']);
    expect((await fetch(`${url}/static/reset.css`)).headers.get('content-type')).toContain('text/css');
  });
});
