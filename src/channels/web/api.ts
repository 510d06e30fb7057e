import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../config/index.js';
import { isAppError } from '../../errors.js';
import type { WebAuth } from './auth.js';
import { sendError, WebError, webCodeOf } from './errors.js';
import { registerLimits, type WebLimitsConfig } from './limits.js';
import { buildOpenApi } from './openapi.js';
import { identityRoutes } from './routes-identity.js';
import type { LiveDeps } from './live-deps.js';
import { sseRoutes } from './routes-sse.js';
import { threadRoutes, type ThreadRoutesDeps } from './routes-threads.js';
import { wsRoutes } from './routes-ws.js';
import type { WebTokens } from './tokens.js';

export interface WebApiDeps {
  auth: WebAuth;
  tokens: WebTokens;
  log: Logger;
  threads: ThreadRoutesDeps;
  live: LiveDeps;
  limits: WebLimitsConfig;
}

/** Fastify's own errors (body parsing, limits) as the API's codes. */
function frameworkCode(err: FastifyError): WebError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new WebError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new WebError('unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new WebError('bad_request', 'The request body is missing or malformed.');
    default:
      if (err.statusCode === 400 || err instanceof SyntaxError) return new WebError('bad_request', 'The request body is not valid JSON.');
      if (err.statusCode === 429) return new WebError('rate_limited', 'Too many requests: slow down and retry later.');
      return undefined;
  }
}

/** The web API under /api/v1 (register with that prefix): one error shape, `{ error: { code, message } }`, for everything. */
export function createWebApi(deps: WebApiDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // JSON only: a text/plain body is refused (415) rather than read as a string.
    app.removeContentTypeParser('text/plain');
    await registerLimits(app, deps.limits);
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof WebError) {
        if (err.retryAfter !== undefined) reply.header('Retry-After', String(err.retryAfter));
        return sendError(reply, err.code, err.message);
      }
      if (err.statusCode === 429) return sendError(reply, 'rate_limited', err.message);
      if (isAppError(err) && webCodeOf(err.code) !== 'internal') return sendError(reply, webCodeOf(err.code), err.message);
      const known = frameworkCode(err);
      if (known) return sendError(reply, known.code, known.message);
      deps.log.error({ err, route: request.routeOptions.url }, 'web api request failed');
      return sendError(reply, 'internal', 'Something went wrong on our side.');
    });
    app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', 'No such endpoint.'));
    const routes: string[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
    });
    identityRoutes(app, deps);
    threadRoutes(app, deps.threads);
    sseRoutes(app, deps.live);
    await wsRoutes(app, deps.live);
    let document: Record<string, unknown> | undefined;
    app.get('/openapi.json', async () => {
      document ??= buildOpenApi(routes);
      return document;
    });
    // Built once all routes are in, so a route without documentation stops start-up rather than a later request.
    app.addHook('onReady', async () => {
      document = buildOpenApi(routes);
    });
  };
}
