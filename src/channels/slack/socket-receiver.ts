/**
 * Socket Mode: Bolt's SocketModeReceiver keeps the connection (hello, reconnects, pings); every frame Slack sends
 * is checked here before anything reads it. The socket client would otherwise `emit(frame.payload.event.type)`,
 * so a frame with a null payload, or an event named `error` or `close`, would throw or steer the client itself.
 * Checked frames go to Bolt through `dispatch`, exactly as over HTTP; refused ones are acknowledged (so Slack does
 * not deliver them again), logged and counted.
 */
import { SocketModeReceiver, type App, type Logger as SlackLogger } from '@slack/bolt';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import { acknowledgeOnly, dispatch, type Processor } from './dispatch.js';
import { classifyEnvelope } from './envelope.js';
import { webClientOptions } from './slack-client.js';

export type SlackStatus = 'connected' | 'connecting' | 'down';
export interface SocketOptions { clientPingTimeout?: number; serverPingTimeout?: number; autoReconnectEnabled?: boolean }

/** Which payload class each envelope type must carry. */
const FAMILY = { events_api: 'event', interactive: 'interactive', slash_commands: 'command' } as const;

const frameSchema = z.looseObject({
  type: z.string().min(1).max(100),
  envelope_id: z.string().min(1).max(200).optional(),
  payload: z.unknown().optional(),
  retry_attempt: z.number().int().min(0).max(1000).optional(),
  retry_reason: z.string().max(200).optional(),
});

type WsListener = (data: unknown, isBinary: boolean) => unknown;

export function createSocketReceiver(opts: {
  config: Config['slack'];
  logger: SlackLogger;
  socket?: SocketOptions | undefined;
  onState: (s: SlackStatus) => void;
  log: Logger;
  dropped: (reason: string) => void;
}): SocketModeReceiver {
  const { config, logger, log, dropped } = opts;
  const receiver = new SocketModeReceiver({
    appToken: config.appToken as string,
    logger,
    autoReconnectEnabled: opts.socket?.autoReconnectEnabled ?? true,
    clientPingTimeout: opts.socket?.clientPingTimeout,
    serverPingTimeout: opts.socket?.serverPingTimeout,
    // reconnects keep trying apps.connections.open (a 429 there is waited out by the client itself)
    installerOptions: { clientOptions: { ...webClientOptions({ apiUrl: config.apiUrl, logger, retries: 5 }), rejectRateLimitedCalls: false } },
  });
  let app: Processor | undefined;
  const r = receiver as unknown as { init(app: App): void };
  const init = r.init.bind(receiver);
  r.init = (a) => {
    app = a;
    init(a);
  };

  const client = receiver.client;
  const connection = client.listeners('ws_message') as WsListener[]; // the client's own handler: hello, disconnect
  client.removeAllListeners('ws_message');

  const refuse = (reason: string, envelopeId: string | undefined) => {
    log.warn({ reason, envelopeId }, 'slack socket frame refused');
    dropped('malformed');
    if (envelopeId) void ackFrame(envelopeId);
  };
  // the client's own envelope ack (`ack()` in its message handler is exactly this call)
  const sendAck = (client as unknown as { send(id: string, body?: Record<string, unknown>): Promise<void> }).send.bind(client);
  const ackFrame = (envelopeId: string, response?: unknown): Promise<void> =>
    sendAck(envelopeId, (response ?? undefined) as Record<string, unknown> | undefined)
      .catch((err: Error) => log.warn({ err: err.message, envelopeId }, 'socket ack not sent'));

  async function onFrame(data: unknown, isBinary: boolean): Promise<void> {
    if (isBinary) return;
    let frame: unknown;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      return refuse('frame is not JSON', undefined);
    }
    const f = frameSchema.safeParse(frame);
    if (!f.success) {
      const id = (frame as { envelope_id?: unknown } | null)?.envelope_id;
      return refuse('frame without a type', typeof id === 'string' && id.length <= 200 ? id : undefined);
    }
    const { type, envelope_id: envelopeId } = f.data;
    if (type === 'hello' || type === 'disconnect') {
      for (const fn of connection) await fn(data, isBinary);
      return;
    }
    if (!envelopeId) return refuse(`${type.slice(0, 40)} frame without an envelope id`, undefined);
    const family = FAMILY[type as keyof typeof FAMILY];
    if (!family) {
      log.warn({ type: type.slice(0, 100) }, 'slack socket envelope of a type we do not handle; acknowledged');
      dropped('unhandled_type');
      return ackFrame(envelopeId);
    }
    const envelope = classifyEnvelope(f.data.payload);
    if (envelope.kind === 'reject') return refuse(envelope.reason, envelopeId);
    if (envelope.kind === 'url_verification') return ackFrame(envelopeId);
    if (envelope.kind === 'ack') {
      acknowledgeOnly(log, dropped, envelope);
      return ackFrame(envelopeId);
    }
    if (envelope.family !== family) return refuse(`${type} envelope carrying a ${envelope.family} payload`, envelopeId);
    if (!app) return; // not started yet: unacknowledged, Slack delivers it again
    await dispatch(app, { family, body: envelope.body, retryNum: f.data.retry_attempt, retryReason: f.data.retry_reason }, {
      respond: (response) => ackFrame(envelopeId, response),
      fail: () => undefined,
    }, { log, dropped });
  }

  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    onFrame(data, isBinary).catch((err: unknown) => log.error({ err: (err as Error)?.message }, 'slack socket frame failed unexpectedly'));
  });
  client.on('connecting', () => opts.onState('connecting'));
  client.on('reconnecting', () => opts.onState('connecting'));
  client.on('connected', () => opts.onState('connected'));
  client.on('disconnected', () => opts.onState('down'));
  return receiver;
}
