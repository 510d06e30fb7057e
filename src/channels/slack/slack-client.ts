import { LogLevel, webApi, type Logger as SlackLogger, type types } from '@slack/bolt';
import type { Logger } from '../../config/logger.js';

export type WebClient = webApi.WebClient;
export type WebClientOptions = webApi.WebClientOptions;

/** Web API client settings: our base URL, an explicit timeout, bounded retries, and 429s handed to our lanes. */
export function webClientOptions(opts: { apiUrl: string | undefined; logger: SlackLogger; timeoutMs?: number; retries?: number }): WebClientOptions {
  const base = opts.apiUrl ? (opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`) : undefined;
  return {
    ...(base ? { slackApiUrl: base } : {}),
    timeout: opts.timeoutMs ?? 10_000,
    retryConfig: { retries: opts.retries ?? 2, factor: 2, minTimeout: 300, maxTimeout: 3_000, randomize: true },
    rejectRateLimitedCalls: true,
    logger: opts.logger,
  };
}

export function createWebClient(token: string | undefined, options: WebClientOptions): WebClient {
  return new webApi.WebClient(token, options);
}

/** Slack tokens (bot, user, app-level, config) and `Bearer` credentials, wherever they appear in a line. */
const SECRET_TEXT = /\bxox[a-z]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+|\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const EMAIL_TEXT = /[^\s@<>"'(){}[\],;:|]+@[^\s@<>"'(){}[\],;:|]+\.[A-Za-z]{2,}/g;
/** Lines that print a request, response or frame after a label: only the label is kept. */
const PAYLOAD_LINE = /^(http request (?:body|result|headers)|Received a message on the WebSocket|Sending a WebSocket message|Unable to parse an incoming WebSocket message|Error details)\b/;
const OMITTED = '[payload omitted]';

/**
 * One log line from Bolt's / the Web API's / the socket client's arguments, keeping what happened (method, status,
 * error) and never what was sent: request and response bodies, Socket Mode frames and any object argument are
 * dropped (they hold message text, balances, profile emails), tokens and email addresses are blanked. At every level.
 */
export function slackLogText(msg: unknown[]): string {
  const parts = msg.map((m) => {
    if (typeof m === 'string') return m;
    if (m instanceof Error) return `${m.name}: ${m.message}`;
    if (typeof m === 'number' || typeof m === 'boolean') return String(m);
    return OMITTED; // objects and arrays are payloads
  });
  let line = parts.join(' ');
  const labelled = PAYLOAD_LINE.exec(line);
  if (labelled) line = `${labelled[1]}: ${OMITTED}`;
  const data = line.indexOf(' data: ');
  if (data >= 0) line = `${line.slice(0, data)} data: ${OMITTED}`;
  // whatever JSON follows a label goes, with everything after it
  for (const m of line.matchAll(/[{[]/g)) {
    if (line.startsWith(OMITTED, m.index)) continue;
    line = `${line.slice(0, m.index)}${OMITTED}`;
    break;
  }
  line = line.replace(/(https?:\/\/[^\s?#]+)[?#]\S*/g, '$1');
  return line.replace(SECRET_TEXT, '[redacted]').replace(EMAIL_TEXT, '[email]').slice(0, 300);
}

/** Bolt / Web API logs into our pino logger (debug stays debug; nothing is printed to the console). */
export function slackLogger(log: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...msg) => log.debug({ src: 'slack' }, slackLogText(msg)),
    info: (...msg) => log.info({ src: 'slack' }, slackLogText(msg)),
    warn: (...msg) => log.warn({ src: 'slack' }, slackLogText(msg)),
    error: (...msg) => log.error({ src: 'slack' }, slackLogText(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Our Block Kit JSON (built as plain objects) at the typed API boundary. */
export type SlackBlocks = types.KnownBlock[];
export const asBlocks = (blocks: Array<Record<string, unknown>>): SlackBlocks => blocks as unknown as SlackBlocks;
export const asView = (view: Record<string, unknown>): types.View => view as unknown as types.View;
