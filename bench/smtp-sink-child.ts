/**
 * The email benchmark's SMTP sink as its own process (`node --import tsx bench/smtp-sink-child.ts`), as a real
 * mail server is: in the bench's process it would take CPU from the bot under test. It keeps the header fields
 * only (the test sink's `headersOnly`), not a parse of every MIME body. Talks over IPC: sends `{ port }` once
 * listening, `{ count }` whenever more mails arrived (at most every 10 ms), answers `'collect'` with `{ mails }`
 * (envelope sender and recipients, Message-ID, In-Reply-To of each) and exits on `'stop'`.
 */
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import type { SunkMail } from './sink-process.js';

const send = (msg: unknown) => process.send?.(msg);
const sink = await startSmtpSink({ headersOnly: true });
let reported = 0;
const timer = setInterval(() => {
  if (sink.messages.length !== reported) {
    reported = sink.messages.length;
    send({ count: reported });
  }
}, 10);
process.on('message', (m) => {
  if (m === 'collect') {
    const mails: SunkMail[] = sink.messages.map((x) => ({ from: x.from, to: x.to, messageId: x.messageId, inReplyTo: x.inReplyTo }));
    send({ mails });
  } else if (m === 'stop') {
    clearInterval(timer);
    void sink.stop().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ port: sink.port });
