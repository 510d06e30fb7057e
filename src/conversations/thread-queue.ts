import PQueue from 'p-queue';
import type { Logger } from '../config/logger.js';
import type { PendingMessage } from './ledger.js';
import type { KeyedLock } from './thread-lock.js';
import type { OwnedOutcome } from './thread-owner.js';

/**
 * In-memory scheduling of queued messages: one line per thread (strictly in order, the head must be
 * durable before it runs), threads in parallel up to `concurrency`, and a thread whose head hit a model
 * outage waits out its backoff without holding a slot. The durable truth is the ledger; this is its index.
 */
export interface QueueItem { p: PendingMessage; durable: boolean }

export interface ThreadQueueDeps {
  concurrency: number;
  lock: KeyedLock;
  run(p: PendingMessage): Promise<OwnedOutcome>;
  /** Delay before retrying a message after its `attempts`-th outage. */
  backoffMs(attempts: number): number;
  /** Delay before trying again a thread another instance is running (default 250 ms). */
  busyMs?: number | undefined;
  log: Logger;
}

interface Thread { key: string; items: QueueItem[]; scheduled: boolean; timer: NodeJS.Timeout | undefined }

export function createThreadQueue(deps: ThreadQueueDeps) {
  const { log } = deps;
  const pq = new PQueue({ concurrency: deps.concurrency });
  const threads = new Map<string, Thread>();
  const known = new Set<string>();
  const idleWaiters: Array<() => void> = [];
  let queued = 0;
  let running = 0;
  let halted = false;

  function wakeIdle(force = false): void {
    if (!force && (queued > 0 || running > 0)) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  function threadOf(key: string): Thread {
    let t = threads.get(key);
    if (!t) {
      t = { key, items: [], scheduled: false, timer: undefined };
      threads.set(key, t);
    }
    return t;
  }

  function forgetIfIdle(t: Thread): void {
    if (t.items.length === 0 && !t.scheduled && !t.timer && threads.get(t.key) === t) threads.delete(t.key);
  }

  function schedule(t: Thread): void {
    if (halted || t.scheduled || t.timer || !t.items[0]?.durable) return;
    t.scheduled = true;
    pq.add(() => runHead(t)).catch((err: unknown) => log.error({ threadKey: t.key, err: String(err) }, 'thread task crashed'));
  }

  async function runHead(t: Thread): Promise<void> {
    const item = t.items[0];
    if (!item || halted) {
      t.scheduled = false;
      return;
    }
    running++;
    try {
      const outcome = await deps.lock.run(t.key, () => deps.run(item.p));
      if (outcome === 'retry' || outcome === 'busy') {
        if (!halted) {
          const delay = outcome === 'busy' ? (deps.busyMs ?? 250) : deps.backoffMs(item.p.attempts);
          if (outcome === 'retry') log.info({ threadKey: t.key, messageId: item.p.id, delayMs: delay }, 'retry scheduled');
          t.timer = setTimeout(() => {
            t.timer = undefined;
            schedule(t);
          }, delay);
          t.timer.unref();
        }
      } else {
        t.items.shift();
        known.delete(item.p.id);
        queued--;
      }
    } finally {
      running--;
      t.scheduled = false;
      forgetIfIdle(t);
      schedule(t);
      wakeIdle();
    }
  }

  return {
    has: (id: string) => known.has(id),
    size: () => queued,
    /** Put a message at the back of its thread now (synchronous: order of calls = order of turns). */
    push(p: PendingMessage, durable: boolean): QueueItem {
      const item = { p, durable };
      threadOf(p.threadKey).items.push(item);
      known.add(p.id);
      queued++;
      if (durable) schedule(threadOf(p.threadKey));
      return item;
    },
    /** The item's ledger claim is stored: it may run once it reaches the head of its thread. */
    commit(item: QueueItem): void {
      item.durable = true;
      schedule(threadOf(item.p.threadKey));
    },
    /** The ledger write failed: take the item out again. */
    cancel(item: QueueItem): void {
      const t = threads.get(item.p.threadKey);
      const i = t ? t.items.indexOf(item) : -1;
      if (!t || i < 0) return;
      t.items.splice(i, 1);
      known.delete(item.p.id);
      queued--;
      forgetIfIdle(t);
      schedule(t);
      wakeIdle();
    },
    /** Resolves once nothing is queued or running (or the queue is halted with nothing running). */
    async drain(): Promise<void> {
      if ((queued === 0 || halted) && running === 0) return;
      await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    /** Start nothing new, cancel backoff timers, wait (bounded) for running turns. Returns whether they finished. */
    async halt(timeoutMs: number): Promise<boolean> {
      halted = true;
      for (const t of threads.values()) {
        if (t.timer) clearTimeout(t.timer);
        t.timer = undefined;
      }
      pq.clear();
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        pq.onIdle().then(() => true),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); }),
      ]);
      if (timer) clearTimeout(timer);
      wakeIdle(true);
      return finished;
    },
    stats: () => ({ queued, running, threads: threads.size }),
  };
}

export type ThreadQueue = ReturnType<typeof createThreadQueue>;
