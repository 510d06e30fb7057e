/**
 * The SMTP sender the outbox uses: the nodemailer transport (smtp-transport) runs in a worker thread, started by
 * `warm()` (the email channel's start) or the first send, so MIME building and the SMTP dialogue (most of a
 * reply's CPU) do not hold up the main thread.
 * Same contract as the transport: `send` never throws; it resolves accepted, transient or permanent. A worker
 * that dies fails its sends in flight as transient (the outbox retries them with their stored Message-ID) and
 * is replaced on the next send; a send the worker never answers is failed as timed out.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../../config/config.js';
import { createTransportSender, type SendResult, type SmtpMessage, type SmtpSender, type SmtpSenderOptions } from './smtp-transport.js';

export { classifySmtpError, type SendResult, type SmtpMessage, type SmtpSender, type SmtpSenderOptions } from './smtp-transport.js';

interface Waiting { resolve(r: SendResult): void; timer: NodeJS.Timeout }

/** The worker next to this file; from source (`.ts`, tests and benches) it is loaded through tsx. */
function spawnWorker(workerData: unknown): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./smtp-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(url, { workerData });
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData });
}

export function createSmtpSender(cfg: Config['email']['smtp'], opts: SmtpSenderOptions): SmtpSender {
  if (opts.inProcess) return createTransportSender(cfg, opts);
  const waiting = new Map<number, Waiting>();
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;

  const settle = (id: number, r: SendResult): void => {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    clearTimeout(w.timer);
    w.resolve(r);
    if (waiting.size === 0) worker?.unref();
  };
  const failAll = (error: string): void => {
    for (const id of [...waiting.keys()]) settle(id, { ok: false, permanent: false, error });
  };

  function start(): Worker {
    const w = spawnWorker({ cfg, opts: { timeoutMs: opts.timeoutMs, maxConnections: opts.maxConnections } });
    w.on('message', (m: { id: number; result: SendResult }) => settle(m.id, m.result));
    w.on('error', (err) => failAll(`SMTP worker failed: ${String(err)}`.slice(0, 500)));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll('SMTP worker exited');
    });
    return w;
  }

  return {
    send(msg: SmtpMessage): Promise<SendResult> {
      if (closed) return Promise.resolve({ ok: false, permanent: false, error: 'SMTP sender closed' });
      worker ??= start();
      worker.ref();
      const id = nextId++;
      const w = worker;
      return new Promise<SendResult>((resolve) => {
        // The worker bounds each send at 3 × timeoutMs itself; this only covers a worker that stopped answering.
        const timer = setTimeout(() => settle(id, { ok: false, permanent: false, error: 'ETIMEDOUT: SMTP worker did not answer' }), opts.timeoutMs * 3 + 5_000);
        waiting.set(id, { resolve, timer });
        w.postMessage({ id, msg });
      });
    },
    warm() {
      if (closed || worker) return;
      worker = start();
      worker.unref(); // loading only: an idle worker never keeps the process alive
    },
    close() {
      closed = true;
      worker?.postMessage('close'); // sends in flight are still answered (or failed when the worker exits)
      worker = undefined;
    },
  };
}
