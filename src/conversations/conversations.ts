import type { Agent } from '../agent/types.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { AppError } from '../errors.js';
import type { Channel } from '../store/schema.js';
import type { Store } from '../store/types.js';
import { ledgerEntry, leftQueued, setLedger, toPending } from './ledger.js';
import { createMemoryBounds } from './memory-bounds.js';
import { neutralizeNotices, redactSecrets } from './redact.js';
import { REPLIES } from './replies.js';
import { backoffMs, createKeyedLock } from './thread-lock.js';
import { createThreadQueue, type QueueItem } from './thread-queue.js';
import { createTurnRunner } from './turn.js';
import type { ConnectTools, ConversationsPort, DeliverPort, IdentityResolver, InboundMessage, StaffNotifier } from './types.js';
import { createOutboundPolicy, type OutboundPolicy } from './outbound-policy.js';

export interface ConversationsDeps {
  store: Store;
  agent: Agent;
  connectTools: ConnectTools;
  /** Looked up at call time, so channels created after conversations can register themselves. */
  resolvers: Partial<Record<Channel, IdentityResolver>>;
  /** Keyed by threadKey prefix (`slack`, `email`, `terminal`); looked up at call time. */
  delivery: Record<string, DeliverPort>;
  staff?: StaffNotifier | undefined;
  config: Config['conversations'];
  log: Logger;
  clock?: (() => Date) | undefined;
  /** How long `stop()` waits for turns in flight (default 15 s). */
  stopTimeoutMs?: number | undefined;
  /** Finished ledger entries older than this are pruned on start and by the periodic sweep (default 30 days). */
  ledgerRetentionMs?: number | undefined;
  /** How often idle transcripts are compacted and the ledger pruned (default 10 minutes; 0 turns the timer off). */
  sweepEveryMs?: number | undefined;
  /** Jitter source for retry backoff (tests pin it). */
  random?: (() => number) | undefined;
  deliveryRetryMs?: number | undefined;
  /** What model text may carry to people who are not staff (links to allowed domains only). Default: no links at all. */
  outbound?: OutboundPolicy | undefined;
}

export interface Conversations extends ConversationsPort {
  /** Re-queue messages an earlier process left queued; call once, before channels start. */
  start(): Promise<void>;
  /** Stop taking messages, let turns in flight finish (bounded), leave the rest queued durably, flush. */
  stop(): Promise<void>;
  /** Resolves once nothing is queued or running (including messages waiting out a model outage). */
  drain(): Promise<void>;
  stats(): { queued: number; running: number; threads: number };
}

export function createConversations(deps: ConversationsDeps): Conversations {
  const { store, log, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const random = deps.random ?? Math.random;
  // Fail closed: a composition that forgets the policy delivers no links, rather than any link a model writes.
  const outbound = deps.outbound ?? createOutboundPolicy({ allowedLinkDomains: [] });
  const runner = createTurnRunner({ ...deps, outbound, now, deliveryRetryMs: deps.deliveryRetryMs ?? 500, isStopped: () => stopped });
  const lock = createKeyedLock();
  const bounds = createMemoryBounds({ store, log, clock, config, ledgerRetentionMs: deps.ledgerRetentionMs, sweepEveryMs: deps.sweepEveryMs });
  const queue = createThreadQueue({
    concurrency: config.concurrency, lock, log,
    run: async (p) => {
      const outcome = await runner.run(p);
      if (outcome !== 'retry') bounds.afterTurn(p.threadKey);
      return outcome;
    },
    backoffMs: (attempts) => backoffMs(attempts, config.retryBaseMs, config.retryMaxMs, random),
  });
  let stopped = false;
  let started = false;

  async function handle(msg: InboundMessage): Promise<{ accepted: boolean; reason?: 'duplicate' | 'busy' | 'stopped' | undefined }> {
    if (stopped) return { accepted: false, reason: 'stopped' };
    if (!msg.id || msg.id.length > 1000) throw new AppError('bad_input', 'message id must be 1..1000 characters');
    if (!msg.threadKey || msg.threadKey.length > 500) throw new AppError('bad_input', 'threadKey must be 1..500 characters');
    const redacted = redactSecrets(msg.text);
    const p = toPending({ ...msg, text: neutralizeNotices(redacted.text) }, redacted.kinds);
    let item: QueueItem | undefined;
    const at = now();
    let verdict: 'duplicate' | 'busy' | 'queued';
    try {
      verdict = await store.update((db) => {
        if (db.processed[msg.id] || queue.has(msg.id)) return 'duplicate' as const;
        const busy = queue.size() >= config.queueLimit;
        db.processed[msg.id] = busy ? ledgerEntry(p, 'ignored', at, 'busy') : ledgerEntry(p, 'queued', at);
        if (!busy) item = queue.push(p, false);
        return busy ? ('busy' as const) : ('queued' as const);
      });
    } catch (err) {
      if (item) queue.cancel(item);
      throw err;
    }
    if (verdict === 'duplicate') {
      log.info({ messageId: msg.id, threadKey: msg.threadKey }, 'duplicate message ignored');
      return { accepted: false, reason: 'duplicate' };
    }
    if (verdict === 'busy') {
      log.warn({ messageId: msg.id, threadKey: msg.threadKey, queued: queue.size() }, 'queue full; busy reply sent');
      await runner.deliver(msg.threadKey, { text: REPLIES.busy, kind: 'busy', inReplyToId: msg.id, inReplyToMeta: msg.meta })
        .catch((err: unknown) => log.error({ threadKey: msg.threadKey, err: String(err) }, 'busy reply could not be delivered'));
      return { accepted: false, reason: 'busy' };
    }
    log.info({ messageId: msg.id, threadKey: msg.threadKey, channel: msg.channel, redacted: redacted.kinds }, 'message queued');
    if (item) queue.commit(item);
    return { accepted: true };
  }

  async function notifyThread(threadKey: string, text: string): Promise<void> {
    await lock.run(threadKey, async () => {
      await runner.deliver(threadKey, { text, kind: 'notice' });
      try {
        await deps.agent.noteEvent(threadKey, text);
        bounds.afterTurn(threadKey);
      } catch (err) {
        log.warn({ threadKey, err: String(err) }, 'notice not recorded in transcript');
      }
    });
  }

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    const { ok, bad } = leftQueued(store.read());
    const at = now();
    const pruned = await store.update((db) => {
      for (const id of bad) setLedger(db, id, { status: 'failed', reason: 'queued message unreadable after restart' }, at);
      return bounds.boundLedgerIn(db);
    });
    const compacted = await bounds.start();
    let requeued = 0;
    for (const p of ok) {
      if (queue.has(p.id)) continue;
      queue.push(p, true);
      requeued++;
    }
    log.info({ requeued, unreadable: bad.length, pruned, compacted, liveTranscripts: bounds.liveTranscripts() }, 'conversations started');
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    bounds.stop();
    const finished = await queue.halt(deps.stopTimeoutMs ?? 15_000);
    if (!finished) log.warn({ running: queue.stats().running }, 'stop timed out with turns in flight; their messages stay queued');
    await store.flush();
    log.info({ leftQueued: queue.size() }, 'conversations stopped');
  }

  return {
    handle, notifyThread, start, stop,
    hasThread: (threadKey: string) => store.read().conversations[threadKey] !== undefined,
    drain: () => queue.drain(),
    stats: () => queue.stats(),
  };
}
