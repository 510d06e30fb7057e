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

/** One log line from Bolt's arguments, with any token in it blanked (Bolt's lines are text, out of pino's redaction paths). */
export function slackLogText(msg: unknown[]): string {
  const line = msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return line.replace(SECRET_TEXT, '[redacted]').slice(0, 500);
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
