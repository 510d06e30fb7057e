/**
 * HTTP mode: our own Bolt receiver on `SLACK_HOST:SLACK_PORT` (`POST /slack/events` for events, interactivity and
 * slash commands). Order of checks, each answered without reaching Bolt when it fails:
 * body size (413) → signature and timestamp, stale or in the future (401) → parse and envelope check
 * (400 with `x-slack-no-retry: 1`) → classes we only acknowledge (200 at once) → Bolt, through `dispatch`.
 * Nothing a caller sends can make a request handler throw: every step is inside one try.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPModuleFunctions, isRawBodyError, verifySlackRequest, type App, type Receiver } from '@slack/bolt';
import type { Logger } from '../../config/logger.js';
import { acknowledgeOnly, dispatch } from './dispatch.js';
import { classifyEnvelope } from './envelope.js';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's rule: a request timestamp more than five minutes away from now, either way, is refused. */
const MAX_SKEW_SECONDS = 5 * 60;
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export interface HttpReceiver extends Receiver {
  address(): AddressInfo | undefined;
}

export interface HttpReceiverOptions {
  signingSecret: string;
  port: number;
  host: string;
  log: Logger;
  dropped: (reason: string) => void;
  bodyLimit?: number;
  now?: () => number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  if (body === undefined || body === null || body === '') {
    res.writeHead(status, headers);
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

/** A form or JSON body as Slack sends them; undefined when it cannot be read as either. */
function parseBody(text: string, form: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    if (!form) return { ok: true, value: JSON.parse(text) as unknown };
    const params = new URLSearchParams(text);
    const fields: Record<string, string> = {};
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      if (all.length > 1) return { ok: false, reason: `form field ${key.slice(0, 40)} repeated` };
      fields[key] = all[0] ?? '';
    }
    // interactivity: one `payload` field holding JSON; slash commands: the fields themselves
    return fields['payload'] !== undefined ? { ok: true, value: JSON.parse(fields['payload']) as unknown } : { ok: true, value: fields };
  } catch {
    return { ok: false, reason: form ? 'payload is not JSON' : 'body is not JSON' };
  }
}

export function createHttpReceiver(opts: HttpReceiverOptions): HttpReceiver {
  const { log, dropped } = opts;
  const now = opts.now ?? (() => Date.now());
  let app: App | undefined;
  let server: Server | undefined;

  function refuse(res: ServerResponse, status: number, reason: string, counted: string): void {
    log.warn({ status, reason: reason.slice(0, 200) }, 'slack request refused');
    dropped(counted);
    send(res, status, undefined, status === 400 ? { 'x-slack-no-retry': '1' } : {});
  }

  function verified(req: IncomingMessage, text: string): string | undefined {
    const signature = header(req, 'x-slack-signature');
    const stamp = header(req, 'x-slack-request-timestamp');
    if (!signature || !stamp || !/^\d{1,12}$/.test(stamp)) return 'missing or malformed signature headers';
    const skew = Math.floor(now() / 1000) - Number(stamp);
    if (skew > MAX_SKEW_SECONDS) return 'timestamp too old';
    if (skew < -MAX_SKEW_SECONDS) return 'timestamp in the future';
    try {
      verifySlackRequest({ signingSecret: opts.signingSecret, body: text, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(stamp) }, nowMilliseconds: now() });
      return undefined;
    } catch {
      return 'signature mismatch';
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== SLACK_EVENTS_PATH) return send(res, 404);
    let raw: Buffer;
    try {
      raw = (await HTTPModuleFunctions.bufferIncomingMessage(req, opts.bodyLimit ?? DEFAULT_BODY_LIMIT)).rawBody;
    } catch (err) {
      const tooLarge = isRawBodyError(err) && (err as { statusCode?: number }).statusCode === 413;
      return refuse(res, tooLarge ? 413 : 400, tooLarge ? 'body too large' : 'body could not be read', tooLarge ? 'too_large' : 'malformed');
    }
    const text = raw.toString('utf8');
    const form = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
    // Slack's SSL check is unsigned; it is answered and nothing else in it is read
    if (form && new URLSearchParams(text).get('ssl_check') === '1') return send(res, 200);
    const unverified = verified(req, text);
    if (unverified) return refuse(res, 401, unverified, 'unauthenticated');
    const parsed = parseBody(text, form);
    if (!parsed.ok) return refuse(res, 400, parsed.reason, 'malformed');
    const envelope = classifyEnvelope(parsed.value);
    switch (envelope.kind) {
      case 'reject':
        return refuse(res, 400, envelope.reason, 'malformed');
      case 'url_verification':
        return send(res, 200, { challenge: envelope.challenge });
      case 'ack':
        acknowledgeOnly(log, dropped, envelope);
        return send(res, 200);
      case 'dispatch': {
        if (!app) return send(res, 503);
        const retry = header(req, 'x-slack-retry-num');
        await dispatch(app, { family: envelope.family, body: envelope.body, retryNum: retry && /^\d{1,6}$/.test(retry) ? Number(retry) : undefined, retryReason: header(req, 'x-slack-retry-reason')?.slice(0, 100) }, {
          respond: (response) => send(res, 200, response),
          fail: () => send(res, 500),
        }, { log, dropped });
      }
    }
  }

  return {
    init(a: App) {
      app = a;
    },
    address() {
      const a = server?.address();
      return a && typeof a === 'object' ? a : undefined;
    },
    async start() {
      if (server) return server;
      const s = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          log.error({ err: (err as Error)?.message }, 'slack request failed unexpectedly');
          send(res, 500);
        });
      });
      s.requestTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ port: opts.port, host: opts.host }, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (err) => log.error({ err: err.message }, 'slack HTTP server error'));
      server = s;
      return s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
      });
    },
  };
}
