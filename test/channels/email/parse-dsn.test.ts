import { describe, expect, it } from 'vitest';
import { readMail } from '../../../src/channels/email/reading/read-mail.js';
import { compose, fixture } from './fixtures/build.js';

/** What the reader reports about a bounce (the `bounce` field the loop guard and the processor use). */
async function bounceOf(raw: Buffer) {
  const read = await readMail(raw, { maxBytes: 10 * 1024 * 1024, parseTimeoutMs: 5_000, maxTextChars: 8_000 });
  if (!read.ok) throw new Error(read.reason);
  return read.mail.bounce;
}

const relay = ['From: Relay <relay@relay.example.net>', 'Subject: Notice'];

describe('bounce details of mail that is not DSN-formatted', () => {
  it('keeps the delivery-status report as the source when there is one', async () => {
    const b = await bounceOf(fixture('bounce-dsn.eml'));
    expect(b.detected).toBeUndefined();
    expect(b.recipients).toEqual(['gone@customer.example']);
  });

  it('reads recipients, status and the returned Message-ID from a qmail notice', async () => {
    expect(await bounceOf(fixture('qmail-text-bounce.eml'))).toEqual({
      recipients: ['olga.petrova@customer.example'], status: '5.1.1', action: 'failed', originalMessageIds: ['<helpline-reply-21@helpline.test>'], detected: 'bounce text (qmail)',
    });
  });

  it('reads an HTML-only Exchange notice and the Message-ID of its returned headers', async () => {
    const b = await bounceOf(fixture('exchange-text-bounce.eml'));
    expect(b).toMatchObject({ recipients: ['p.lind@fabrikam.example'], status: '5.1.10', action: 'failed', detected: 'bounce text (exchange)' });
    expect(b.originalMessageIds).toEqual(['<helpline-reply-22@helpline.test>']);
  });

  it('marks a delay warning as delayed, so the address is not given up on', async () => {
    const body = 'This message was created automatically by mail delivery software.\n\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on relay.example.net.\n\n  slow@customer.example\n    host mx.customer.example [192.0.2.9]: 451 4.4.1 Connection timed out\n\nNo action is required on your part. Delivery attempts will continue for\nsome time.';
    const b = await bounceOf(compose(relay, body));
    expect(b).toMatchObject({ recipients: ['slow@customer.example'], status: '4.4.1', action: 'delayed', detected: 'bounce text (exim)' });
  });

  it('counts a returned message with failure wording as a bounce, but not a forward of one', async () => {
    const mixed = (subject: string) => compose(
      ['From: Gateway <gw@relay.example.net>', `Subject: ${subject}`, 'Content-Type: multipart/mixed; boundary="r"'],
      '--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered: mailbox unavailable.\r\n--r\r\nContent-Type: message/rfc822\r\n\r\nFrom: support@helpline.test\r\nTo: x@customer.example\r\nSubject: Hello\r\nMessage-ID: <helpline-reply-30@helpline.test>\r\n\r\nHello\r\n--r--',
    );
    expect(await bounceOf(mixed('Notice'))).toMatchObject({ detected: 'returned message with failure text', originalMessageIds: ['<helpline-reply-30@helpline.test>'] });
    expect((await bounceOf(mixed('Fwd: Notice'))).detected).toBeUndefined();
  });

  it('does not read a person quoting or describing a bounce as one', async () => {
    const quoted = await bounceOf(compose({ Subject: 'Re: help' }, 'My mail came back:\n\n> Hi. This is the qmail-send program at relay.example.net.\n> <me@customer.example>: mailbox full\n\nWhat now?'));
    expect(quoted.detected).toBeUndefined();
    const described = await bounceOf(compose({ Subject: 'Card delivery failed' }, 'The delivery of my card failed, the courier could not be delivered to my address.'));
    expect(described).toEqual({ recipients: [] });
  });
});
