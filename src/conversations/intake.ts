import type { Logger } from '../config/logger.js';
import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Deliver } from './delivery.js';
import { ledgerEntry, toPending } from './ledger.js';
import { neutralizeNotices, redactSecrets } from './redact.js';
import { REPLIES } from './replies.js';
import type { ThreadQueue } from './thread-queue.js';
import type { ConversationsPort, InboundMessage } from './types.js';

export interface IntakeDeps {
  repos: Pick<Repositories, 'ledger'>;
  queue: ThreadQueue;
  deliver: Deliver;
  /** Past this many queued messages, a new one gets the busy reply. */
  queueLimit: number;
  log: Logger;
  now: () => string;
  isStopped: () => boolean;
}

/**
 * Taking a message in: redacted first (nothing unredacted is stored, logged or shown to the model), claimed in the
 * ledger (the unique id recognises a redelivery, from this process or another), then queued behind its thread.
 * Resolves once the claim is stored, not when the message is answered.
 */
export function createIntake(deps: IntakeDeps): ConversationsPort['handle'] {
  const { repos, queue, log, now } = deps;

  return async function handle(msg: InboundMessage) {
    if (deps.isStopped()) return { accepted: false, reason: 'stopped' };
    if (!msg.id || msg.id.length > 1000) throw new AppError('bad_input', 'message id must be 1..1000 characters');
    if (!msg.threadKey || msg.threadKey.length > 500) throw new AppError('bad_input', 'threadKey must be 1..500 characters');
    const redacted = redactSecrets(msg.text);
    const p = toPending({ ...msg, text: neutralizeNotices(redacted.text) }, redacted.kinds);
    const duplicate = () => {
      log.info({ messageId: msg.id, threadKey: msg.threadKey }, 'duplicate message ignored');
      return { accepted: false, reason: 'duplicate' as const };
    };
    if (queue.has(msg.id)) return duplicate();
    const busy = queue.size() >= deps.queueLimit;
    // Its place in the thread is taken now (order of calls = order of turns); it runs once the claim is stored.
    const item = busy ? undefined : queue.push(p, false);
    let claimed: boolean;
    try {
      claimed = await repos.ledger.claim(busy ? ledgerEntry(p, 'ignored', now(), 'busy') : ledgerEntry(p, 'queued', now()));
    } catch (err) {
      if (item) queue.cancel(item);
      throw err;
    }
    if (!claimed) {
      if (item) queue.cancel(item);
      return duplicate();
    }
    if (!item) {
      log.warn({ messageId: msg.id, threadKey: msg.threadKey, queued: queue.size() }, 'queue full; busy reply sent');
      await deps.deliver(msg.threadKey, { text: REPLIES.busy, kind: 'busy', inReplyToId: msg.id, inReplyToMeta: msg.meta })
        .catch((err: unknown) => log.error({ threadKey: msg.threadKey, err: String(err) }, 'busy reply could not be delivered'));
      return { accepted: false, reason: 'busy' };
    }
    log.info({ messageId: msg.id, threadKey: msg.threadKey, channel: msg.channel, redacted: redacted.kinds }, 'message queued');
    queue.commit(item);
    return { accepted: true };
  };
}
