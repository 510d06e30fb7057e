/** The HTTP server (reset and address pages, dev mailbox, health and metrics) and the separate ops listener. */
import { startHttpServer, createAddressPage, createResetPage, type HttpServer, type HttpServerDeps, type ReadinessCheck } from '../channels/http/index.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import type { Support } from '../support/api.js';
import type { Wired, WiredChannel } from './wired.js';

/** A listener started with the app: `server()` is there once it listens. */
export type WiredListener = Wired & { server(): HttpServer | undefined };

export interface HttpWiringDeps {
  config: Config;
  log: Logger;
  support: Support;
  /** /readyz: the store and each channel's checks (`readinessChecks`). */
  checks: Record<string, ReadinessCheck>;
  metricsText: () => Promise<string>;
  httpPort?: number | undefined;
  /**
   * With the dev mailbox on and no HTTP port configured: the port its page (and the reset page its links open) is
   * served on. Not being able to listen there is logged, not fatal (the terminal still shows the mail).
   */
  devHttpPort?: number | undefined;
  devMailbox?: HttpServerDeps['devMailbox'];
  /** Routes other channels serve on this server (the web API). */
  plugins?: HttpServerDeps['plugins'];
}

/** The port the HTTP server listens on (undefined: none runs), and whether it was configured rather than chosen for the dev mailbox. */
export function httpPortOf(d: Pick<HttpWiringDeps, 'config' | 'httpPort' | 'devHttpPort'> & { devMailbox: boolean }): { port: number | undefined; configured: boolean } {
  const configured = d.httpPort ?? d.config.http.port;
  return { port: configured ?? (d.devMailbox ? d.devHttpPort : undefined), configured: configured !== undefined };
}

/** The store and every channel's readiness checks. */
export function readinessChecks(repos: Repositories, channels: readonly WiredChannel[]): Record<string, ReadinessCheck> {
  const store: ReadinessCheck = async () => {
    try {
      await repos.ping();
      return true;
    } catch (err) {
      return `store unavailable: ${(err as Error).message}`;
    }
  };
  return Object.assign({ store }, ...channels.map((c) => c.checks ?? {}));
}

const metricsOf = (d: Pick<HttpWiringDeps, 'metricsText'>) => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', text: d.metricsText });

/** The HTTP server, when a port is configured (or the dev mailbox needs one); undefined otherwise. */
export function wireHttp(d: HttpWiringDeps): (WiredChannel & WiredListener) | undefined {
  const { config, log } = d;
  const { port, configured } = httpPortOf({ ...d, devMailbox: d.devMailbox !== undefined });
  if (port === undefined) return undefined;
  // Built now, not at start: a bad HTTP_TRUSTED_PROXIES stops start-up with a clear message.
  const publicOrigin = new URL(config.approvals.publicBaseUrl).origin;
  const resetPage = createResetPage({ passwords: d.support.passwords, log: log.child({ component: 'reset-page' }), publicOrigin, trustedProxies: config.http.trustedProxies });
  const confirmAddressPage = createAddressPage({ addressChanges: d.support.accounts, log: log.child({ component: 'address-page' }), publicOrigin, trustedProxies: config.http.trustedProxies });
  const httpLog = log.child({ component: 'http' });
  let server: HttpServer | undefined;
  return {
    name: 'http',
    server: () => server,
    async start() {
      try {
        server = await startHttpServer({
          host: config.http.host, port, log: httpLog, checks: d.checks, metrics: metricsOf(d), ops: config.http.ops === undefined, resetPage, confirmAddressPage, devMailbox: d.devMailbox, plugins: d.plugins,
        });
      } catch (err) {
        if (configured) throw err;
        httpLog.warn({ err: String(err), port }, 'the dev mailbox page could not listen; mail is still shown in the terminal (set HTTP_PORT)');
      }
    },
    stop: () => server?.close(),
  };
}

/** The health/readiness/metrics listener on its own port, when OPS_PORT is set. */
export function wireOps(d: Pick<HttpWiringDeps, 'config' | 'log' | 'checks' | 'metricsText'>): WiredListener | undefined {
  const at = d.config.http.ops;
  if (!at) return undefined;
  let server: HttpServer | undefined;
  return {
    server: () => server,
    async start() {
      server = await startHttpServer({ host: at.host, port: at.port, log: d.log.child({ component: 'ops-http' }), checks: d.checks, metrics: metricsOf(d) });
    },
    stop: () => server?.close(),
  };
}
