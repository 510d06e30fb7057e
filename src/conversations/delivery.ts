import type { Logger } from '../config/logger.js';
import { AppError, isAppError } from '../errors.js';
import { reasonOf } from './reason.js';
import type { Channel } from '../store/schema.js';
import type { ChannelPorts, DeliverPort, IdentityResolver, OutboundReply } from './types.js';

/** Ports from fixed tables: `delivery` keyed by threadKey prefix, `resolvers` by channel. */
export function channelPorts(delivery: Readonly<Record<string, DeliverPort>>, resolvers: Readonly<Partial<Record<Channel, IdentityResolver>>> = {}): ChannelPorts {
  return {
    delivery: (prefix) => (Object.hasOwn(delivery, prefix) ? delivery[prefix] : undefined),
    resolver: (channel) => resolvers[channel],
  };
}

/** Which channel delivers a thread: the threadKey's prefix (`slack:…` → `slack`). */
export function deliveryFor(channels: ChannelPorts, threadKey: string): DeliverPort {
  const i = threadKey.indexOf(':');
  const prefix = i < 0 ? threadKey : threadKey.slice(0, i);
  const port = channels.delivery(prefix);
  if (!port) throw new AppError('not_found', `No channel delivers threads of kind '${prefix}'`, { threadKey });
  return port;
}

export interface DeliveryDeps {
  channels: ChannelPorts;
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
        await deliveryFor(deps.channels, threadKey).deliver(threadKey, reply);
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
