import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpSender, type SmtpSender } from '../../../src/channels/email/outbound/smtp-sender.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';

const msg = (i: number) => ({
  from: 'Helpline <help@bank.example>', to: `c${i}@customers.example`, subject: `Re: Q${i}`, messageId: `<m${i}@bank.example>`,
  inReplyTo: `<q${i}@customers.example>`, text: `Answer ${i}`, autoSubmitted: 'auto-replied' as const,
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const a = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof a === 'object' && a ? a.port : 0;
}

describe('SMTP sender', () => {
  let sink: SmtpSink | undefined;
  let sender: SmtpSender | undefined;
  afterEach(async () => {
    sender?.close();
    await sink?.stop();
    sink = undefined;
    sender = undefined;
  });

  it('sends concurrently through the worker and classifies 5xx as permanent', async () => {
    sink = await startSmtpSink({ failWith: [{ code: 550, message: 'no such user' }] });
    sender = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: 3_000 });
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => sender!.send(msg(i))));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.permanent && r.responseCode === 550)).toHaveLength(1);
    const mails = await sink.waitFor(4);
    expect(new Set(mails.map((m) => m.inReplyTo)).size).toBe(4);
    expect(mails[0]!.header('auto-submitted')).toBe('auto-replied');
  }, 20_000);

  it('reports a refused connection as transient, and a send after close as transient without sending', async () => {
    sender = createSmtpSender({ host: '127.0.0.1', port: await freePort(), secure: false, user: undefined, password: undefined }, { timeoutMs: 2_000 });
    const r = await sender.send(msg(1));
    expect(r).toMatchObject({ ok: false, permanent: false });
    sender.close();
    expect(await sender.send(msg(2))).toMatchObject({ ok: false, permanent: false, error: 'SMTP sender closed' });
  }, 20_000);
});
