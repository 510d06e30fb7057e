/**
 * Sends the email outbox: replies written by `deliver` and system mail put there by support
 * (`payload.kind === 'system'`, e.g. password-reset links). Its own loop, so a stuck SMTP server never
 * blocks the inbox. The Message-ID is stored before the first attempt and reused by every retry.
 * 4xx / timeouts / session-level 5xx → retry with capped exponential backoff; 5xx to RCPT or DATA → failed,
 * recipient marked undeliverable.
 * A backlog is sent over several pooled connections at once (see outbox-pass); a short queue goes one by
 * one, which keeps the crash window (accepted by SMTP, not yet recorded as sent: resent once with the same
 * Message-ID) to a single mail.
 */
import type { OutboxItem } from '../../store/schema.js';
import { createOutboxIndex } from './outbox-index.js';
import { runOutboxPass } from './outbox-pass.js';
import { countPrunable, pruneOutbox } from './outbox-prune.js';
import { createOutboxSend, type OutboxSendDeps } from './outbox-send.js';

export interface OutboxWorkerOptions {
  retryBaseMs?: number | undefined;
  retryMaxMs?: number | undefined;
  maxAttempts?: number | undefined;
  /** How often the store is looked at for items written by others (support's system mail). */
  pollMs?: number | undefined;
  /** How long an address stays undeliverable after a 5xx or a bounce. */
  undeliverableMs?: number | undefined;
  /** Most sends in flight at once when a backlog builds up (≤ the SMTP pool's connections). Default 4. */
  parallel?: number | undefined;
  /** Sent and failed items older than this are dropped (default 30 days); pending ones never are. */
  retentionMs?: number | undefined;
  /** How often the retention is applied (default hourly, and on start). */
  pruneEveryMs?: number | undefined;
}

export interface OutboxWorkerDeps extends OutboxWorkerOptions, Pick<OutboxSendDeps, 'store' | 'sender' | 'from' | 'log' | 'staff' | 'clock' | 'index'> {
  random?: (() => number) | undefined;
}

export interface OutboxWorker {
  start(): void;
  stop(): Promise<void>;
  /** Look at the outbox now (called after `deliver` queued something). */
  kick(): void;
  status(): 'ok' | 'unknown' | 'failing';
}

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { store, log } = deps;
  const pollMs = deps.pollMs ?? 2_000;
  const parallel = Math.max(1, deps.parallel ?? 4);
  let health: 'ok' | 'unknown' | 'failing' = 'unknown';
  let running = false;
  let stopped = true;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> = Promise.resolve();
  const retentionMs = deps.retentionMs ?? 30 * 24 * 3600_000;
  const pruneEveryMs = deps.pruneEveryMs ?? 3600_000;
  let lastPrune = Number.NEGATIVE_INFINITY;
  const index = deps.index ?? createOutboxIndex();

  const sendOne = createOutboxSend({
    store, sender: deps.sender, from: deps.from, log, staff: deps.staff, clock: deps.clock, index,
    random: deps.random ?? Math.random,
    baseMs: deps.retryBaseMs ?? 30_000,
    maxMs: deps.retryMaxMs ?? 3600_000,
    maxAttempts: deps.maxAttempts ?? 12,
    undeliverableMs: deps.undeliverableMs ?? 3 * 24 * 3600_000,
    health: (h) => { health = h; },
  });

  function due(): OutboxItem[] {
    const now = deps.clock().getTime();
    return index.pending(store.read())
      .filter((i) => i.channel === 'email' && Date.parse(i.nextAttemptAt) <= now)
      .sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt));
  }

  function pass(): Promise<void> {
    return runOutboxPass({
      due, sendOne, parallel, log,
      barrier: () => store.update(() => undefined),
      isStopped: () => stopped,
      takeKick: () => {
        const was = again;
        again = false;
        return was;
      },
    });
  }

  /** Apply the retention when it is due; a store write only when something is old enough to drop. */
  async function prune(): Promise<void> {
    const now = deps.clock().getTime();
    if (now - lastPrune < pruneEveryMs) return;
    lastPrune = now;
    const before = new Date(now - retentionMs).toISOString();
    if (countPrunable(store.read(), before) === 0) return;
    try {
      const dropped = await store.update((db) => pruneOutbox(db, before));
      log.info({ dropped, retentionDays: Math.round(retentionMs / 86_400_000) }, 'outbox: finished mail past retention dropped');
    } catch (err) {
      log.error({ err: String(err) }, 'outbox: retention not applied; will try again');
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; kick(); }, ms);
    timer.unref();
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    loop = (async () => {
      try {
        do {
          again = false;
          await pass();
        } while (again && !stopped);
        if (!stopped) await prune();
      } finally {
        running = false;
        let nextDue = Number.POSITIVE_INFINITY;
        for (const i of index.pending(store.read())) {
          if (i.channel === 'email') nextDue = Math.min(nextDue, Date.parse(i.nextAttemptAt));
        }
        const wait = Number.isFinite(nextDue) ? nextDue - deps.clock().getTime() : pollMs;
        schedule(Math.max(10, Math.min(pollMs, wait)));
      }
    })();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await loop;
    },
    kick,
    status: () => health,
  };
}
