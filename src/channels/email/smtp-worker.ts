/**
 * Worker-thread entry of the SMTP sender (see smtp-sender): owns the pooled nodemailer transport, so composing
 * MIME and speaking SMTP run beside the bot's main thread instead of on it. Messages in: `{ id, msg }` (send)
 * or `'close'`; out: `{ id, result }`. Nothing here touches the store: the outbox bookkeeping stays on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config/config.js';
import { createTransportSender, type SmtpMessage, type SmtpSenderOptions } from './smtp-transport.js';

const data = workerData as { cfg: Config['email']['smtp']; opts: SmtpSenderOptions };
const sender = createTransportSender(data.cfg, data.opts);
const port = parentPort;
port?.on('message', (m: { id: number; msg: SmtpMessage } | 'close') => {
  if (m === 'close') {
    sender.close(); // sends in flight still answer; then nothing keeps the worker alive
    port.unref();
    return;
  }
  void sender.send(m.msg).then((result) => port.postMessage({ id: m.id, result }));
});
