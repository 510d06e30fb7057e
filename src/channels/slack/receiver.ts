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
    // Respond only after the listeners ran: for messages, that is once the ledger holds the message.
    return new HTTPReceiver({ signingSecret: config.signingSecret as string, logger, processBeforeResponse: true });
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
  deferEventAcks(receiver);
  const sm = receiver.client;
  sm.on('connecting', () => opts.onState('connecting'));
  sm.on('reconnecting', () => opts.onState('connecting'));
  sm.on('connected', () => opts.onState('connected'));
  sm.on('disconnected', () => opts.onState('down'));
  return receiver;
}

/**
 * Bolt acks Events API envelopes before any listener runs. In Socket Mode that means an event can be acked and
 * then lost if the process dies before the message reaches the ledger. Hold the ack of event envelopes until
 * processing returned (our message listener returns once the ledger write is durable); if processing throws,
 * Bolt's error handler decides (unacked envelopes are redelivered). Interactivity and commands are untouched:
 * their listeners ack themselves at once.
 */
function deferEventAcks(receiver: SocketModeReceiver): void {
  type Processable = { processEvent(event: { body: unknown; ack: (response?: unknown) => Promise<void> }): Promise<void> };
  const r = receiver as unknown as { init(app: Processable): void };
  const init = r.init.bind(receiver);
  r.init = (app) => init(Object.assign(Object.create(app) as Processable, {
    processEvent: async (event: Parameters<Processable['processEvent']>[0]) => {
      if ((event.body as { type?: string } | undefined)?.type !== 'event_callback') return app.processEvent(event);
      let acked = false;
      let response: unknown;
      await app.processEvent({ ...event, ack: async (res?: unknown) => { acked = true; response = res; } });
      if (acked) await event.ack(response);
    },
  }));
}
