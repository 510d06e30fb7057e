import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../../config/logger.js';
import { AppError } from '../../../errors.js';
import type { MailReader, ReadLimits, ReadOutcome } from './read-mail.js';

/**
 * Reads mail in worker threads with a hard time and memory limit per message. A message that takes longer than
 * `limits.parseTimeoutMs` (parse and text together) has its worker terminated, whatever it was doing, and comes
 * back as `parse timeout`; one that exhausts the worker's heap comes back as `reader out of memory`. Either way
 * the next message gets a fresh worker and the main thread never ran the work. Idle workers do not keep the
 * process alive.
 */
export interface ReadPoolOptions {
  /** Worker threads (default 1). */
  size?: number | undefined;
  /** Old-generation heap of each worker, MB (default 256). */
  heapMb?: number | undefined;
  log?: Logger | undefined;
}

interface Job { id: number; raw: Buffer; limits: ReadLimits; resolve: (o: ReadOutcome) => void; reject: (err: Error) => void }
interface Slot { worker: Worker | undefined; ready: boolean; job: Job | undefined; timer: NodeJS.Timeout | undefined }

/** A worker that has not loaded by then is given up on (loading from source compiles TypeScript first). */
const STARTUP_LIMIT_MS = 30_000;

/** The worker file beside this one; from source (`.ts`: tests, benches, `npm run dev`) it is loaded through tsx. */
function spawn(heapMb: number): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./read-worker${ext}`, import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 };
  if (ext !== '.ts') return new Worker(url, { resourceLimits });
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, resourceLimits });
}

export function createReadPool(opts: ReadPoolOptions = {}): MailReader & { close(): Promise<void> } {
  const heapMb = opts.heapMb ?? 256;
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.size ?? 1) }, (): Slot => ({ worker: undefined, ready: false, job: undefined, timer: undefined }));
  const queue: Job[] = [];
  let nextId = 1;

  function finish(slot: Slot, outcome: ReadOutcome): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    job.resolve(outcome);
    pump();
  }

  function retire(slot: Slot, outcome: ReadOutcome): void {
    const w = slot.worker;
    slot.worker = undefined;
    if (w) void w.terminate();
    finish(slot, outcome);
  }

  function workerFor(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const w = spawn(heapMb);
    slot.ready = false;
    w.on('message', (msg: { ready?: boolean; id?: number; outcome?: ReadOutcome }) => {
      if (slot.worker !== w) return;
      if (msg.ready) {
        slot.ready = true;
        if (slot.job) startClock(slot, slot.job);
      } else if (msg.outcome && slot.job?.id === msg.id) finish(slot, msg.outcome);
    });
    w.on('error', (err: Error) => {
      if (slot.worker !== w) return;
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      opts.log?.warn({ err: err.message.slice(0, 200), oom }, 'mail reader worker failed');
      retire(slot, { ok: false, reason: oom ? 'reader out of memory' : `reader failed: ${err.message}`.slice(0, 300) });
    });
    w.on('exit', () => {
      if (slot.worker === w) retire(slot, { ok: false, reason: 'reader exited' });
    });
    slot.worker = w;
    return w;
  }

  /** The message's time limit runs from when a loaded worker can start on it; loading has its own limit. */
  function startClock(slot: Slot, job: Job): void {
    clearTimeout(slot.timer);
    const limitMs = slot.ready ? job.limits.parseTimeoutMs : STARTUP_LIMIT_MS;
    slot.timer = setTimeout(() => {
      opts.log?.warn({ limitMs, bytes: job.raw.length, loading: !slot.ready }, 'mail reader over its time limit; worker terminated');
      retire(slot, { ok: false, reason: slot.ready ? 'parse timeout' : 'reader did not start' });
    }, limitMs);
  }

  function pump(): void {
    for (const slot of slots) {
      if (slot.job) continue;
      const job = queue.shift();
      if (!job) break;
      slot.job = job;
      const w = workerFor(slot);
      w.ref();
      startClock(slot, job);
      // A copy of the bytes is transferred, not cloned: the caller keeps its buffer.
      const bytes = new Uint8Array(job.raw);
      w.postMessage({ id: job.id, raw: bytes, limits: job.limits }, [bytes.buffer]);
    }
    for (const slot of slots) if (!slot.job) slot.worker?.unref();
  }

  return {
    read(raw, limits) {
      return new Promise<ReadOutcome>((resolve, reject) => {
        queue.push({ id: nextId++, raw, limits, resolve, reject });
        pump();
      });
    },
    /**
     * Stops the workers. Reads not finished are rejected (`unavailable`): the message was not judged, so it is
     * not recorded and is read again later. The pool stays usable: a later read starts a fresh worker.
     */
    async close() {
      const unfinished = [...queue.splice(0), ...slots.flatMap((s) => (s.job ? [s.job] : []))];
      await Promise.all(slots.map(async (slot) => {
        const w = slot.worker;
        clearTimeout(slot.timer);
        Object.assign(slot, { worker: undefined, ready: false, job: undefined, timer: undefined });
        if (w) await w.terminate();
      }));
      for (const job of unfinished) job.reject(new AppError('unavailable', 'mail reader stopped before the message was read'));
    },
  };
}
