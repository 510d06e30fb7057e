import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../config/index.js';
import { leaveBodiesUnread, rawParam, safeDecode, servePage, type RawPage } from './raw-page.js';
import { RESET_CSS } from './reset-html.js';

/** A readiness check: resolve with `true` when ready, or a short string saying what is wrong. */
export type ReadinessCheck = () => Promise<true | string> | true | string;

export interface HttpServerDeps {
  host: string;
  port: number;
  log: Logger;
  checks: Record<string, ReadinessCheck>;
  metrics?: { contentType: string; text(): Promise<string> } | undefined;
  resetPage?: RawPage<string> | undefined;
  /** GET/POST /confirm-address/<token>: the page an address change's emailed link opens (createAddressPage). */
  confirmAddressPage?: RawPage<string> | undefined;
  /** GET /dev/mailbox[/<id>]: the local dev mailbox (createDevMailboxPage); only when no SMTP is configured, never in production. */
  devMailbox?: RawPage<string | undefined> | undefined;
  /** Serve /readyz and /metrics (default true). A public listener that only carries the reset page says false. */
  ops?: boolean | undefined;
  /** More routes (the web API), each registered as its own encapsulated Fastify plugin. */
  plugins?: FastifyPluginAsync[] | undefined;
}

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

async function readiness(checks: Record<string, ReadinessCheck>) {
  const results: Record<string, string> = {};
  let ok = true;
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const r = await check();
        results[name] = r === true ? 'ok' : r;
        if (r !== true) ok = false;
      } catch (err) {
        results[name] = (err as Error).message;
        ok = false;
      }
    }),
  );
  return { ok, results };
}

const NOT_FOUND = { error: 'not found' };

/** The token pages and the dev mailbox, in their own context (bodies left unread for them). */
function pages(deps: HttpServerDeps): FastifyPluginAsync {
  return async (app) => {
    leaveBodiesUnread(app);
    const token = (prefix: string, page: RawPage<string>) =>
      app.all(`${prefix}:token`, async (request, reply) => {
        // A token is URL-safe base64: one that does not even decode is simply not a link we sent.
        const value = safeDecode(rawParam(request, prefix));
        if (value === undefined) return reply.code(404).send(NOT_FOUND);
        return servePage(deps.log, request, reply, page, value);
      });
    if (deps.resetPage) token('/reset/', deps.resetPage);
    if (deps.confirmAddressPage) token('/confirm-address/', deps.confirmAddressPage);
    const mailbox = deps.devMailbox;
    if (mailbox) {
      const list = async (request: FastifyRequest, reply: FastifyReply) =>
        servePage(deps.log, request, reply, mailbox, undefined);
      app.all('/dev/mailbox', list);
      app.all('/dev/mailbox/', list);
      const one = async (request: FastifyRequest, reply: FastifyReply) => {
        const id = rawParam(request, '/dev/mailbox/');
        return servePage(deps.log, request, reply, mailbox, id ? safeDecode(id) ?? '' : undefined);
      };
      app.all('/dev/mailbox/:id', one);
      app.all('/dev/mailbox/:id/', one);
    }
  };
}

/** Builds the Fastify app (not listening): health, readiness, metrics, the token pages, and any plugins. */
export async function buildHttpApp(deps: HttpServerDeps): Promise<FastifyInstance> {
  const ops = deps.ops ?? true;
  // No Fastify logger: its request log would carry URLs, and URLs carry reset and confirmation tokens.
  const app = Fastify({
    logger: false,
    requestTimeout: 15_000,
    return503OnClosing: true,
    // A malformed escape in a path is a link we never sent: 404 like any unknown path, not Fastify's 400.
    frameworkErrors: (err, _request, raw) => {
      const reply = raw as unknown as FastifyReply;
      if (err.code === 'FST_ERR_BAD_URL') return reply.code(404).send(NOT_FOUND);
      return reply.code(err.statusCode ?? 400).send({ error: err.message });
    },
  });
  app.server.headersTimeout = 10_000;
  app.setNotFoundHandler((_request, reply) => reply.code(404).header('Cache-Control', 'no-store').send(NOT_FOUND));
  app.setErrorHandler((err: { statusCode?: number }, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: (err as Error).message });
    // Never log the URL: it may carry a reset or confirmation token.
    deps.log.error({ err, route: request.routeOptions.url }, 'http request failed');
    return reply.code(500).header('Cache-Control', 'no-store').send({ error: 'internal error' });
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.getHeader('content-type')?.toString().startsWith('application/json')) reply.header('Cache-Control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  if (ops) {
    app.get('/readyz', async (_request, reply) => {
      const { ok, results } = await readiness(deps.checks);
      const failing = Object.entries(results).filter(([, v]) => v !== 'ok').map(([k]) => k);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', failing, checks: results });
    });
    const metrics = deps.metrics;
    if (metrics) app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  }
  if (deps.resetPage || deps.confirmAddressPage || deps.devMailbox) {
    app.get('/static/reset.css', async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').header('X-Content-Type-Options', 'nosniff').send(RESET_CSS));
  }
  await app.register(pages(deps));
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}

/** Health, readiness, Prometheus metrics, the password-reset and address-confirmation pages (and the dev mailbox), on one server (or two: see `ops`). */
export async function startHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const app = await buildHttpApp(deps);
  await app.listen({ host: deps.host, port: deps.port });
  const addr = app.server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  deps.log.info({ url }, 'http server listening');
  return {
    url,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
