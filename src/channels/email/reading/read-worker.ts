/**
 * Worker-thread entry of the mail reader pool (read-pool.ts): reads one raw message at a time with `readMail`
 * and posts the plain-data outcome back. Everything input-controlled and CPU-heavy about a message (MIME,
 * charsets, HTML to text, reply stripping) runs here, so no single message can hold the main event loop.
 */
import { parentPort } from 'node:worker_threads';
import { readMail, type ReadLimits } from './read-mail.js';

interface Job { id: number; raw: Uint8Array; limits: ReadLimits }

const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    readMail(Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength), job.limits).then(
      (outcome) => port.postMessage({ id: job.id, outcome }),
      (err: unknown) => port.postMessage({ id: job.id, outcome: { ok: false, reason: `read error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) } }),
    );
  });
  port.postMessage({ ready: true });
}
