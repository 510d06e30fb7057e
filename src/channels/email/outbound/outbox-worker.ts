/**
 * Sends the email outbox: replies written by `deliver` and system mail put there by support
 * (`payload.kind === 'system'`, e.g. password-reset links). Its own loop, so a stuck SMTP server never
 * blocks the inbox. Safe with several instances: items are claimed (`outbox.claimDue`) before they are sent.
 * The Message-ID is stored before the first attempt and reused by every retry.
 * 4xx / timeouts / session-level 5xx → retry with capped exponential backoff; 5xx to RCPT or DATA → failed,
 * recipient marked undeliverable.
 * A backlog is sent over several pooled connections at once (see outbox-pass); a short queue goes one by
 * one, which keeps the crash window (accepted by SMTP, not yet recorded as sent: resent once with the same
 * Message-ID) to a single mail. After each pass the `afterPass` hook runs (the channel's retention).
 */
import type { OutboxRecord } from '../../../store/repos/index.js';
import { runOutboxPass } from './outbox-pass.js';
import { createOutboxSend, type OutboxSendDeps } from './outbox-send.js';

export interface OutboxWorkerOptions {
  retryBaseMs?: number | undefined;
  retryMaxMs?: number | undefined;
  maxAttempts?: number | undefined;
  /** How often the store is looked at for items written by others (support's system mail, other instances). */
  pollMs?: number | undefined;
  /** How long an address stays undeliverable after a 5xx or a bounce. */
  undeliverableMs?: number | undefined;
  /** Most sends in flight at once when a backlog builds up (≤ the SMTP pool's connections). Default 4. */
  parallel?: number | undefined;
  /** How long a claimed item is this instance's (must exceed the longest send). Default 5 minutes. */
  claimMs?: number | undefined;
  /** Sent and failed items older than this are dropped (default 30 days); pending ones never are. */
  retentionMs?: number | undefined;
  /** How often the retention is applied (default hourly, and on start). */
  pruneEveryMs?: number | undefined;
}

interface WorkerBase extends Omit<OutboxWorkerOptions, 'retentionMs' | 'pruneEveryMs'>, Pick<OutboxSendDeps, 'repos' | 'log' | 'clock' | 'holder'> {
  /** Runs after each pass (retention); its failures are its own to log. */
  afterPass?: (() => Promise<void>) | undefined;
}

/**
 * Over SMTP (`sender`), or with `deliver`: each claimed item is handed to it instead (the local dev mailbox, when no
 * SMTP server is configured), which records its outcome itself.
 */
export type OutboxWorkerDeps = WorkerBase & (
  | (Pick<OutboxSendDeps, 'sender' | 'from' | 'staff' | 'render'> & { random?: (() => number) | undefined; deliver?: undefined })
  | { deliver: (item: OutboxRecord) => Promise<void> }
);

export interface OutboxWorker {
  start(): void;
  stop(): Promise<void>;
  /** Look at the outbox now (called after `deliver` queued something). */
  kick(): void;
  status(): 'ok' | 'unknown' | 'failing';
}

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { repos, log, holder } = deps;
  const pollMs = deps.pollMs ?? 2_000;
  const parallel = Math.max(1, deps.parallel ?? 4);
  const claimMs = deps.claimMs ?? 120_000;
  let health: 'ok' | 'unknown' | 'failing' = 'unknown';
  let running = false;
  let stopped = true;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> = Promise.resolve();

  const sendOne = deps.deliver ?? createOutboxSend({
    repos, sender: deps.sender, from: deps.from, log, staff: deps.staff, clock: deps.clock, holder, render: deps.render,
    random: deps.random ?? Math.random,
    baseMs: deps.retryBaseMs ?? 30_000,
    maxMs: deps.retryMaxMs ?? 3600_000,
    maxAttempts: deps.maxAttempts ?? 12,
    undeliverableMs: deps.undeliverableMs ?? 3 * 24 * 3600_000,
    health: (h) => { health = h; },
  });

  const pass = () => runOutboxPass({
    parallel, log, sendOne,
    claim: async (): Promise<OutboxRecord | undefined> => (await repos.outbox.claimDue({ now: deps.clock().toISOString(), limit: 1, holder, leaseMs: claimMs }))[0],
    release: async (item) => { await repos.outbox.release(item.id, holder).catch(() => false); },
    isStopped: () => stopped,
  });

  /** When to look again: the next item due, at most `pollMs` from now (others may queue mail too). */
  async function nextWait(): Promise<number> {
    const next = await repos.outbox.nextDueAt().catch(() => undefined);
    const wait = next === undefined ? pollMs : Date.parse(next) - deps.clock().getTime();
    return Math.max(10, Math.min(pollMs, wait));
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
        if (!stopped) await deps.afterPass?.();
      } finally {
        const wait = stopped ? pollMs : await nextWait();
        running = false;
        schedule(again ? 10 : wait); // a kick that came after the last pass began
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
