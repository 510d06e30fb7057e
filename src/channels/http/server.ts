import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../config/index.js';
import { RESET_CSS } from './reset-html.js';

/** A readiness check: resolve with `true` when ready, or a short string saying what is wrong. */
export type ReadinessCheck = () => Promise<true | string> | true | string;

export interface HttpServerDeps {
  host: string;
  port: number;
  log: Logger;
  checks: Record<string, ReadinessCheck>;
  metrics?: { contentType: string; text(): Promise<string> } | undefined;
  resetPage?: ((req: IncomingMessage, res: ServerResponse, token: string) => Promise<void>) | undefined;
  /** GET/POST /confirm-address/<token>: the page an address change's emailed link opens (createAddressPage). */
  confirmAddressPage?: ((req: IncomingMessage, res: ServerResponse, token: string) => Promise<void>) | undefined;
  /** GET /dev/mailbox[/<id>]: the local dev mailbox (createDevMailboxPage); only when no SMTP is configured, never in production. */
  devMailbox?: ((req: IncomingMessage, res: ServerResponse, id: string | undefined) => Promise<void>) | undefined;
  /** Serve /readyz and /metrics (default true). A public listener that only carries the reset page says false. */
  ops?: boolean | undefined;
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

/** `decodeURIComponent`, or undefined for a malformed escape (which would otherwise throw: a 500 for any caller). */
function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Health, readiness, Prometheus metrics, the password-reset and address-confirmation pages (and the dev mailbox), on one small server (or two: see `ops`). */
export async function startHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const ops = deps.ops ?? true;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = async () => {
      if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz' && ops) {
        const { ok, results } = await readiness(deps.checks);
        const failing = Object.entries(results).filter(([, v]) => v !== 'ok').map(([k]) => k);
        return json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', failing, checks: results });
      }
      if (req.method === 'GET' && path === '/metrics' && ops && deps.metrics) {
        res.writeHead(200, { 'Content-Type': deps.metrics.contentType });
        return res.end(await deps.metrics.text());
      }
      if (req.method === 'GET' && path === '/static/reset.css' && (deps.resetPage || deps.confirmAddressPage || deps.devMailbox)) {
        res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' });
        return res.end(RESET_CSS);
      }
      const reset = /^\/reset\/([^/]+)$/.exec(path);
      if (reset && deps.resetPage) {
        const token = safeDecode(reset[1] ?? '');
        // A token is URL-safe base64: one that does not even decode is simply not a link we sent.
        if (token === undefined) return json(res, 404, { error: 'not found' });
        return deps.resetPage(req, res, token);
      }
      const confirm = /^\/confirm-address\/([^/]+)$/.exec(path);
      if (confirm && deps.confirmAddressPage) {
        const token = safeDecode(confirm[1] ?? '');
        if (token === undefined) return json(res, 404, { error: 'not found' });
        return deps.confirmAddressPage(req, res, token);
      }
      const dev = /^\/dev\/mailbox(?:\/([^/]*))?\/?$/.exec(path);
      if (dev && deps.devMailbox) return deps.devMailbox(req, res, dev[1] ? safeDecode(dev[1]) ?? '' : undefined);
      return json(res, 404, { error: 'not found' });
    };
    route().catch((err: unknown) => {
      // Never log the URL: it may carry a reset or confirmation token.
      const pattern = path.startsWith('/reset/') ? '/reset/:token' : path.startsWith('/confirm-address/') ? '/confirm-address/:token' : path;
      deps.log.error({ err, route: pattern }, 'http request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  deps.log.info({ url }, 'http server listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
