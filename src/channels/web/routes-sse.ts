import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { WebError } from './errors.js';
import { clientEvent, eventIdSchema, eventsQuery } from './live-frames.js';
import type { LiveDeps } from './live-deps.js';
import { threadParams } from './schemas.js';
import { chatterOf, endAtExpiry, readableThread, tokenPrincipal } from './thread-access.js';
import { parse } from './validate.js';

const MAX_BUFFERED = 1024 * 1024;

/**
 * GET /api/v1/threads/:threadId/events: the thread's events as server-sent events, for clients without WebSockets.
 * Credentials as for REST, or `?access_token=<customer token>` (EventSource cannot send headers; never an API key).
 * Resumes after `Last-Event-ID` or `?after=`; every event's `id:` is its cursor; a comment every 15 s keeps proxies open.
 */
export function sseRoutes(app: FastifyInstance, deps: LiveDeps): void {
  const open = new Set<ServerResponse>();
  // Long-lived responses would hold the server's close: end them first (clients reconnect with Last-Event-ID).
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get('/threads/:threadId/events', async (request, reply) => {
    const { threadId } = parse(threadParams, request.params, 'path');
    const query = parse(eventsQuery, request.query, 'query');
    if (query.access_token !== undefined && request.headers.authorization !== undefined) throw new WebError('bad_request', 'Send credentials once: a header or access_token, not both.');
    const p = query.access_token !== undefined ? await tokenPrincipal(deps.auth, query.access_token) : await chatterOf(deps.auth, request.headers);
    const { threadKey } = await readableThread(p, threadId, deps.store);
    await deps.events.watching(threadKey); // other instances relay its events before the stream starts
    const lastId = request.headers['last-event-id'];
    const after = query.after ?? (lastId === undefined ? undefined : parse(eventIdSchema, String(lastId), 'Last-Event-ID'));

    reply.hijack();
    const res = reply.raw;
    if (res.destroyed || request.raw.socket.destroyed) return; // gone while we authenticated: nothing to follow
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive',
    });
    open.add(res);
    deps.meter.opened('sse');
    const write = (chunk: string) => {
      if (res.writableLength > MAX_BUFFERED) return res.end();
      res.write(chunk);
      deps.meter.sent('sse', Buffer.byteLength(chunk));
    };
    write(`retry: 3000\n: cursor ${deps.events.cursor(threadKey)}\n\n`);
    const unsubscribe = deps.events.subscribe(threadKey, (e) => {
      const data = JSON.stringify(clientEvent(e));
      // A resync has no id: the client keeps its last one and reloads the history.
      write(`${e.type === 'resync' ? '' : `id: ${e.id}\n`}data: ${data}\n\n`);
    }, { after });
    const heartbeat = setInterval(() => write(': keepalive\n\n'), deps.heartbeatMs);
    // A stream ends with its token; the client comes back with a fresh one (and Last-Event-ID).
    const token = query.access_token ?? /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const stopExpiry = endAtExpiry(token, deps.clock(), () => res.end());
    res.on('close', () => {
      clearInterval(heartbeat);
      stopExpiry();
      unsubscribe();
      open.delete(res);
      deps.meter.closed('sse');
    });
  });
}
