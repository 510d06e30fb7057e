/**
 * Staff replies reach an email customer, through the whole app (Dovecot → IMAP → conversations; SMTP out to a capturing
 * smtp-server on 127.0.0.1) with the terminal as the staff surface: a `reply` on a ticket of the customer's email
 * thread goes out as a threaded reply in that thread; one on a ticket with no conversation goes to the address on
 * file as "Re: [T-…] subject"; a `note` sends nothing. Each is recorded on the ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelPort } from '../../../src/agent/model.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { AUTHSERV, rawMail } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { startChat, waitFor, type Chat } from '../terminal/harness.js';

const usage = { input_tokens: 10, output_tokens: 5 };
const echo: ModelPort = {
  name: 'echo (test)',
  async createMessage(req) {
    const said = (req.messages.at(-1)?.content ?? []).filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(' ');
    return { content: [{ type: 'text', text: `We got your message: ${said.split('\n')[0]}` }], stop_reason: 'end_turn', usage };
  },
};

const ADA = 'ada.lovelace@example.com';

describe.skipIf(!dovecotAvailable())('staff replies reach an email customer', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let chat: Chat;

  beforeAll(async () => {
    [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
    chat = await startChat({
      EMAIL_IMAP_HOST: '127.0.0.1', EMAIL_IMAP_PORT: String(dovecot.port), EMAIL_IMAP_SECURE: 'false', EMAIL_IMAP_USER: dovecot.user, EMAIL_IMAP_PASSWORD: dovecot.password,
      EMAIL_POLL_INTERVAL_MS: '300', EMAIL_SMTP_HOST: '127.0.0.1', EMAIL_SMTP_PORT: String(sink.port), EMAIL_SMTP_SECURE: 'false',
      EMAIL_FROM: 'Bank Support <support@bank.example>', EMAIL_TRUSTED_AUTHSERV_ID: AUTHSERV,
    }, { app: { model: echo } });
  }, 60_000);
  afterAll(async () => {
    await chat?.close();
    await Promise.all([dovecot?.stop(), sink?.stop()]);
  });

  const ticketOf = async (id: string) => (await chat.db()).tickets.find((t) => t.id === id);

  it('a reply on the ticket of the customer\'s email thread is a threaded reply in that thread; a note sends nothing', async () => {
    await dovecot.append(rawMail({ from: `Ada <${ADA}>`, subject: 'Card declined', messageId: '<ada-1@example.com>', body: 'My card is declined.', dmarcPass: true }));
    const [answer] = await sink.waitFor(1, 30_000);
    expect(answer?.to).toEqual([ADA]);
    const ticket = await chat.app.support.tickets.create({ kind: 'customer', customerId: 'cus_001' }, { channel: 'email', threadKey: 'email:<ada-1@example.com>' }, { subject: 'Card declined', description: 'My card is declined.' });

    const said = await chat.say(`reply ${ticket.id} We unblocked your card; please try again.`, /Sent to the customer|not|WARNING/);
    expect(said).toContain(`Public reply saved on ${ticket.id}.`);
    expect(said).toContain('Sent to the customer in their email thread (queued for sending).');
    const [, mail] = await sink.waitFor(2, 30_000);
    expect(mail?.to).toEqual([ADA]);
    expect(mail?.subject).toBe(`Re: Card declined [${ticket.id}]`);
    expect(mail?.inReplyTo).toBe('<ada-1@example.com>');
    expect(mail?.references).toContain('<ada-1@example.com>');
    expect(mail?.text).toContain(`Reply from our support team on ticket ${ticket.id}:`);
    expect(mail?.text).toContain('We unblocked your card; please try again.');
    expect((await ticketOf(ticket.id))?.messages.at(-1)?.delivery).toMatchObject({ status: 'queued', channel: 'email', threadKey: 'email:<ada-1@example.com>' });

    const outboxBefore = (await chat.db()).outbox.length;
    const noted = await chat.say(`note ${ticket.id} customer sounded relieved`, /Internal note added|Could not/);
    expect(noted).toContain('staff only; not sent to the customer');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sink.messages).toHaveLength(2);
    expect((await chat.db()).outbox).toHaveLength(outboxBefore);
    expect((await ticketOf(ticket.id))?.messages.at(-1)?.delivery).toBeUndefined();

    // The mail has gone out (the sink holds it): the staff view says delivered, not "queued".
    const shown = await chat.say(`ticket ${ticket.id}`, /customer sounded relieved/);
    expect(shown).toContain('We unblocked your card; please try again.  [delivered to their email thread,');
    expect(shown).not.toContain('(queued)');
  }, 60_000);

  it('a reply on a ticket with no conversation is emailed to the address on file as "Re: [T-…] subject"', async () => {
    const ticket = await chat.app.support.tickets.create({ kind: 'staff', staffId: 'terminal-operator' }, { channel: 'phone' }, { subject: 'Called about fees', description: 'Customer phoned', customerId: 'cus_001' });
    const sent = sink.messages.length;
    const said = await chat.say(`reply ${ticket.id} We refunded the fee.`, /Emailed to the customer|WARNING/);
    expect(said).toContain('Emailed to the customer at a…@example.com (queued for sending).');
    const mails = await sink.waitFor(sent + 1, 30_000);
    const mail = mails[sent];
    expect(mail?.to).toEqual([ADA]);
    expect(mail?.subject).toBe(`Re: [${ticket.id}] Called about fees`);
    expect(mail?.text).toContain(`Reply from our support team on ticket ${ticket.id}:`);
    await waitFor(async () => {
      const replyId = (await ticketOf(ticket.id))?.messages.at(-1)?.id;
      return (await chat.db()).outbox.some((o) => o.payload['sourceId'] === `ticket-reply:${replyId}` && o.status === 'sent');
    }, 'the outbox item marked sent');
    expect((await ticketOf(ticket.id))?.messages.at(-1)?.delivery).toMatchObject({ status: 'queued', channel: 'email', to: 'a…@example.com' });
  }, 60_000);
});
