import { HTTPReceiver, SocketModeReceiver, type Logger as SlackLogger } from '@slack/bolt';
import type { Config } from '../../config/config.js';
import { webClientOptions } from './slack-client.js';

export type SlackStatus = 'connected' | 'connecting' | 'down';

export interface SocketOptions { clientPingTimeout?: number; serverPingTimeout?: number; autoReconnectEnabled?: boolean }

/**
 * Socket Mode (app token; `apps.connections.open` goes to our API base URL too) or HTTP mode (signing secret,
 * requests verified by Bolt: bad signature, stale timestamp or missing headers → 401). Socket state is reported.
 */
export function createReceiver(opts: { config: Config['slack']; logger: SlackLogger; socket?: SocketOptions | undefined; onState: (s: SlackStatus) => void }): HTTPReceiver | SocketModeReceiver {
  const { config, logger } = opts;
  if (config.mode === 'http') {
    return new HTTPReceiver({ signingSecret: config.signingSecret as string, logger, processBeforeResponse: false });
  }
  const receiver = new SocketModeReceiver({
    appToken: config.appToken as string,
    logger,
    autoReconnectEnabled: opts.socket?.autoReconnectEnabled ?? true,
    clientPingTimeout: opts.socket?.clientPingTimeout,
    serverPingTimeout: opts.socket?.serverPingTimeout,
    // reconnects keep trying apps.connections.open (a 429 there is waited out by the client itself)
    installerOptions: { clientOptions: { ...webClientOptions({ apiUrl: config.apiUrl, logger, retries: 5 }), rejectRateLimitedCalls: false } },
  });
  const sm = receiver.client;
  sm.on('connecting', () => opts.onState('connecting'));
  sm.on('reconnecting', () => opts.onState('connecting'));
  sm.on('connected', () => opts.onState('connected'));
  sm.on('disconnected', () => opts.onState('down'));
  return receiver;
}
