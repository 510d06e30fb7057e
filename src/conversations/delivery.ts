import type { Logger } from '../config/logger.js';
import { AppError, isAppError } from '../errors.js';
import { reasonOf } from './reason.js';
import type { DeliverPort, OutboundReply } from './types.js';

/** Which channel delivers a thread: the threadKey's prefix (`slack:…` → `slack`). */
export function deliveryFor(delivery: Record<string, DeliverPort>, threadKey: string): DeliverPort {
  const i = threadKey.indexOf(':');
  const prefix = i < 0 ? threadKey : threadKey.slice(0, i);
  const port = delivery[prefix];
  if (!port) throw new AppError('not_found', `No channel delivers threads of kind '${prefix}'`, { threadKey });
  return port;
}

export interface DeliveryDeps {
  /** Keyed by threadKey prefix; looked up at call time. */
  delivery: Record<string, DeliverPort>;
  log: Logger;
  /** Pause before the second attempt; the n-th retry waits n times as long. */
  retryMs: number;
  /** Told of each reply once its channel has taken it (the thread's live events). */
  onDelivered?: ((threadKey: string, reply: OutboundReply) => void) | undefined;
}

export type Deliver = (threadKey: string, reply: OutboundReply, attempts?: number) => Promise<void>;

/** Put a reply into its thread through the owning channel, retrying a failed send (not a thread no channel owns). */
export function createDelivery(deps: DeliveryDeps): Deliver {
  return async function deliver(threadKey, reply, attempts = 3) {
    for (let i = 1; ; i++) {
      try {
        await deliveryFor(deps.delivery, threadKey).deliver(threadKey, reply);
        deps.onDelivered?.(threadKey, reply);
        return;
      } catch (err) {
        if (i >= attempts || isAppError(err, 'not_found')) throw err;
        deps.log.warn({ threadKey, kind: reply.kind, attempt: i, err: reasonOf(err) }, 'delivery failed, retrying');
        await new Promise((r) => setTimeout(r, deps.retryMs * i));
      }
    }
  };
}
