import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../config/index.js';

/** A page written against node's request/response (the reset, address and dev mailbox pages). */
export type RawPage<P> = (req: IncomingMessage, res: ServerResponse, param: P) => Promise<void>;

/** `decodeURIComponent`, or undefined for a malformed escape (which would otherwise throw: a 500 for any caller). */
export function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The path parameter as the client sent it, still percent-encoded (the router's decoding is not used: see below). */
export function rawParam(request: FastifyRequest, prefix: string): string {
  const path = request.raw.url?.split('?')[0] ?? '';
  return path.slice(prefix.length).replace(/\/$/, '');
}

/**
 * The routes of the raw pages read their own bodies (a bounded urlencoded form), so Fastify must leave the body
 * unread: in this encapsulated context every content type is accepted and not consumed.
 */
export function leaveBodiesUnread(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
}

/**
 * Hands the request to a raw page: Fastify stops managing the reply (hijack). A failure is logged under the route
 * pattern, never the URL (it may carry a reset or confirmation token), and answered 500 when nothing was sent yet.
 */
export async function servePage<P>(log: Logger, request: FastifyRequest, reply: FastifyReply, page: RawPage<P>, param: P): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  try {
    await page(request.raw, res, param);
  } catch (err) {
    log.error({ err, route: request.routeOptions.url }, 'http request failed');
    if (!res.headersSent) {
      res.writeHead(500, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ error: 'internal error' }));
    } else res.end();
  }
}
