import type { Logger as SlackLogger, Receiver } from '@slack/bolt';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import { createHttpReceiver, type HttpReceiver } from './http-receiver.js';
import { createSocketReceiver, type SlackStatus, type SocketOptions } from './socket-receiver.js';

export type { SlackStatus, SocketOptions } from './socket-receiver.js';

/** Where the HTTP receiver listens unless SLACK_HOST says otherwise (as HTTP_HOST: loopback, behind a proxy). */
export const DEFAULT_SLACK_HOST = '127.0.0.1';

/**
 * Socket Mode (app token; `apps.connections.open` goes to our API base URL too; state reported) or HTTP mode
 * (signing secret; our receiver on SLACK_HOST:SLACK_PORT). Both check every request before Bolt sees it.
 */
export function createReceiver(opts: {
  config: Config['slack'];
  logger: SlackLogger;
  log: Logger;
  socket?: SocketOptions | undefined;
  onState: (s: SlackStatus) => void;
  dropped: (reason: string) => void;
}): { receiver: Receiver; http?: HttpReceiver | undefined } {
  const { config } = opts;
  if (config.mode === 'http') {
    const http = createHttpReceiver({
      signingSecret: config.signingSecret as string, port: config.port ?? 3000, host: config.host ?? DEFAULT_SLACK_HOST, log: opts.log, dropped: opts.dropped,
    });
    return { receiver: http, http };
  }
  return { receiver: createSocketReceiver({ config, logger: opts.logger, socket: opts.socket, onState: opts.onState, log: opts.log, dropped: opts.dropped }) };
}
