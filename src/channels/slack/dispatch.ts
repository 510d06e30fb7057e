/**
 * How a checked Slack request goes through Bolt and is acknowledged, the same over HTTP and Socket Mode:
 * - events are acknowledged only after the listeners returned (for messages: once the ledger holds them), so a
 *   crash never loses an acknowledged event; interactivity and commands as soon as their listener acks;
 * - a listener failing on input no retry can fix (a permanent error) is acknowledged, never retried;
 * - any other failure is not acknowledged (HTTP 500, Socket Mode: no ack) so Slack delivers it again;
 * - a request no listener acknowledged is acknowledged when processing ends (no 3-second 404).
 */
import type { ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../config/logger.js';
import { AppError, type ErrorCode } from '../../errors.js';
import type { Envelope } from './envelope.js';

export interface Processor { processEvent(event: ReceiverEvent): Promise<void> }

/** Where the acknowledgement goes: the HTTP response, or the Socket Mode envelope ack. */
export interface AckTransport {
  respond(response?: unknown): Promise<void> | void;
  /** Not acknowledged: Slack will deliver it again. */
  fail(): void;
}

/** Error codes that describe the input itself: the same request fails the same way every time. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set(['bad_input', 'forbidden', 'not_found', 'conflict', 'invalid_transition', 'already_decided', 'expired']);

/** Whether a listener failure is one a retry cannot fix (Bolt may wrap it in UnknownError or MultipleListenerError). */
export function isPermanent(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const originals = (err as { originals?: unknown }).originals;
  if (Array.isArray(originals) && originals.length > 0) return originals.every(isPermanent);
  const original = (err as { original?: unknown }).original;
  if (original !== undefined && original !== err) return isPermanent(original);
  return err instanceof AppError && PERMANENT.has(err.code);
}

export async function dispatch(
  app: Processor,
  request: { family: 'event' | 'interactive' | 'command'; body: Record<string, unknown>; retryNum?: number | undefined; retryReason?: string | undefined },
  transport: AckTransport,
  deps: { log: Logger; dropped: (reason: string) => void },
): Promise<void> {
  let acked = false;
  let sent = false;
  let stored: unknown;
  const immediate = request.family !== 'event';
  const ack = async (response?: unknown): Promise<void> => {
    if (acked) return;
    acked = true;
    stored = response;
    if (immediate) {
      sent = true;
      await transport.respond(response);
    }
  };
  try {
    await app.processEvent({ body: request.body, ack, retryNum: request.retryNum, retryReason: request.retryReason });
  } catch (err) {
    if (!isPermanent(err)) {
      if (!sent) transport.fail();
      return;
    }
    deps.log.warn({ family: request.family, err: (err as Error).message }, 'slack request cannot be processed; acknowledged so it is not retried');
    deps.dropped('rejected');
  }
  if (sent) return;
  if (!acked) {
    deps.log.debug({ family: request.family, type: request.body['type'] }, 'no listener acknowledged the request; acknowledged for it');
    deps.dropped('unhandled');
  }
  sent = true;
  await transport.respond(stored);
}

/** A request we only acknowledge: Slack's rate-limit notice and unknown types at warn, unsubscribed events at debug. */
export function acknowledgeOnly(log: Logger, dropped: (reason: string) => void, envelope: Extract<Envelope, { kind: 'ack' }>): void {
  if (envelope.reason === 'unhandled_event') log.debug({ eventType: envelope.type }, 'slack event type not handled; acknowledged');
  else if (envelope.reason === 'app_rate_limited') log.warn({ type: envelope.type }, 'slack says events to this app are being rate limited; acknowledged');
  else log.warn({ type: envelope.type.slice(0, 100) }, 'slack request of a type we do not handle; acknowledged');
  dropped(envelope.reason);
}
