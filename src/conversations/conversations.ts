import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Agent } from '../agent/types.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { ThreadEventRelay } from '../store/event-relay.js';
import type { Repositories } from '../store/repos/index.js';
import { createIntake } from './intake.js';
import { leftQueued } from './ledger.js';
import { createMemoryBounds } from './memory-bounds.js';
import { createOutboundPolicy, type OutboundPolicy } from './outbound-policy.js';
import { backoffMs, createKeyedLock } from './thread-lock.js';
import { createThreadAdopt } from './thread-adopt.js';
import { createThreadOwner } from './thread-owner.js';
import { createThreadQueue } from './thread-queue.js';
import { createThreadEvents } from './thread-events.js';
import { createTranscripts, type TranscriptStore } from './transcripts.js';
import { createTurnRunner } from './turn.js';
import { createReplySweep } from './reply-sweep.js';
import { createTicketReplies } from './ticket-replies.js';
import type { ChannelPorts, ConnectTools, ConversationsPort, NotifyOptions, StaffNotifier, ThreadEventsPort } from './types.js';

export interface ConversationsDeps {
  repos: Repositories;
  agent: Agent;
  /** The agent's transcript storage: a turn's last transcript is stored with its reply, in one commit (default: over `repos`). */
  transcripts?: TranscriptStore | undefined;
  connectTools: ConnectTools;
  /** Delivery and sender identity per channel; asked at call time, so the channels may be built after conversations. */
  channels: ChannelPorts;
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
  /** This instance's name as a lease holder (the `retention` sweep); default: host, pid and a random suffix. */
  holder?: string | undefined;
  /** Jitter source for retry backoff (tests pin it). */
  random?: (() => number) | undefined;
  deliveryRetryMs?: number | undefined;
  /** What model text may carry to people who are not staff (links to allowed domains only). Default: no links at all. */
  outbound?: OutboundPolicy | undefined;
  /**
   * Other instances may share these repositories (PostgreSQL): run each thread under its lease, in arrival order
   * across instances, and take over what a dead instance left queued. Default false (one process: the JSON file).
   */
  shared?: boolean | undefined;
  /** Shared: a thread's lease lasts this long without renewal, so a dead instance's threads move on after it (15 s). */
  threadLeaseMs?: number | undefined;
  /** Shared: how often to look for messages another instance left waiting (default 5 s). */
  adoptEveryMs?: number | undefined;
  /** Whether the email channel runs: a staff reply on a ticket without a conversation is then emailed (default false). */
  email?: boolean | undefined;
  /** How often staff replies left undelivered are looked for and delivered (default 60 s; 0 = never). */
  replySweepMs?: number | undefined;
  /** Live events kept per thread for clients that reconnect (default 256), and threads kept (default 1000). */
  threadEvents?: { keepPerThread?: number | undefined; maxThreads?: number | undefined } | undefined;
  /** Carries live events between instances on one database (PostgreSQL; default none). Started and stopped by the caller. */
  relay?: ThreadEventRelay | undefined;
}

export interface Conversations extends ConversationsPort, ThreadEventsPort {
  /** Re-queue messages an earlier process left queued; call once, before channels start. */
  start(): Promise<void>;
  /** Stop taking messages, let turns in flight finish (bounded), leave the rest queued durably. */
  stop(): Promise<void>;
  /** Resolves once nothing is queued or running (including messages waiting out a model outage, and compaction). */
  drain(): Promise<void>;
  stats(): { queued: number; running: number; threads: number };
  /** Live event streams: threads watched and subscriptions open. */
  liveStats(): { threads: number; subscribers: number };
}

export function createConversations(deps: ConversationsDeps): Conversations {
  const { repos, log, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const random = deps.random ?? Math.random;
  // Fail closed: a composition that forgets the policy delivers no links, rather than any link a model writes.
  const outbound = deps.outbound ?? createOutboundPolicy({ allowedLinkDomains: [] });
  const transcripts = deps.transcripts ?? createTranscripts({ repos, clock });
  const events = createThreadEvents({ log, clock, ...deps.threadEvents, relay: deps.relay });
  const runner = createTurnRunner({ ...deps, transcripts, outbound, events, now, deliveryRetryMs: deps.deliveryRetryMs ?? 500, isStopped: () => stopped });
  const lock = createKeyedLock();
  const holder = deps.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const bounds = createMemoryBounds({ repos, log, clock, config, holder, ledgerRetentionMs: deps.ledgerRetentionMs, sweepEveryMs: deps.sweepEveryMs });
  const shared = deps.shared ?? false;
  const leaseMs = deps.threadLeaseMs ?? 15_000;
  const owner = createThreadOwner({ repos, holder, enabled: shared, ttlMs: leaseMs, log });
  const queue = createThreadQueue({
    concurrency: config.concurrency, lock, log,
    run: (p) => owner.run(p, async (q) => {
      const outcome = await runner.run(q);
      if (outcome !== 'retry') bounds.afterTurn(q.threadKey);
      return outcome;
    }),
    backoffMs: (attempts) => backoffMs(attempts, config.retryBaseMs, config.retryMaxMs, random),
  });
  const adopt = createThreadAdopt({
    ledger: repos.ledger, has: (id) => queue.has(id), push: (p) => queue.push(p, true), clock, log,
    everyMs: shared ? (deps.adoptEveryMs ?? 5_000) : 0, staleMs: leaseMs,
  });
  let stopped = false;
  let started = false;
  const handle = createIntake({ repos, queue, deliver: runner.deliver, queueLimit: config.queueLimit, log, now, isStopped: () => stopped });

  async function notifyThread(threadKey: string, text: string, opts: NotifyOptions = {}): Promise<void> {
    await lock.run(threadKey, () => owner.exclusive(threadKey, async () => {
      await runner.deliver(threadKey, { text, kind: 'notice', ...(opts.sourceId ? { inReplyToId: opts.sourceId } : {}), ...(opts.maybeDelivered ? { maybeDelivered: true } : {}) });
      try {
        await deps.agent.noteEvent(threadKey, text);
        bounds.afterTurn(threadKey);
      } catch (err) {
        log.warn({ threadKey, err: String(err) }, 'notice not recorded in transcript');
      }
    }));
  }

  const replies = createTicketReplies({ repos, notifyThread, email: deps.email ?? false, now: clock, log });
  const replySweep = createReplySweep({ replies, leases: repos.leases, holder, everyMs: deps.replySweepMs ?? 60_000, log });

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    const { ok, bad } = await leftQueued(repos.ledger);
    const at = now();
    for (const id of bad) await repos.ledger.update(id, { status: 'failed', reason: 'queued message unreadable after restart' }, at);
    const { compacted, pruned } = await bounds.start();
    let requeued = 0;
    for (const p of ok) {
      if (queue.has(p.id)) continue;
      queue.push(p, true);
      requeued++;
    }
    adopt.start();
    replySweep.start();
    log.info({ requeued, unreadable: bad.length, pruned, compacted, liveTranscripts: bounds.liveTranscripts(), shared }, 'conversations started');
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await adopt.stop();
    await replySweep.stop();
    const finished = await queue.halt(deps.stopTimeoutMs ?? 15_000);
    if (!finished) {
      owner.halt();
      log.warn({ running: queue.stats().running }, 'stop timed out with turns in flight; their messages stay queued');
    }
    await bounds.stop();
    log.info({ leftQueued: queue.size() }, 'conversations stopped');
  }

  return {
    handle, notifyThread, start, stop,
    deliverStaffReplies: (ticketId: string) => replies.deliver(ticketId),
    hasThread: (threadKey: string) => repos.conversations.exists(threadKey),
    subscribe: events.subscribe,
    cursor: events.cursor,
    watching: events.watching,
    drain: async () => {
      await queue.drain();
      await bounds.idle();
    },
    stats: () => queue.stats(),
    liveStats: () => events.stats(),
  };
}
