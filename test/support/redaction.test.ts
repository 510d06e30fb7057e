import { describe, expect, it } from 'vitest';
import { CARD_PLACEHOLDER, PASSWORD_PLACEHOLDER, SECURITY_CODE_PLACEHOLDER, TOKEN_PLACEHOLDER } from '../../src/support/redact/index.js';
import { allTickets, ANN, ANON, auditLog, makeSupport, snapshot, STAFF } from './fixture.js';

const SLACK_TOKEN = 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const SECRETS = [SLACK_TOKEN, 'Hunter22!', '4111 1111 1111 1111', 'sk_live_51H8abcdEFGHijklMNOPqrstUVWX', 'cvv 321', 'Zebra!99'];

/** No secret anywhere in the stored data (tickets, notes, audit). */
function expectNoSecret(stored: unknown): void {
  const text = JSON.stringify(stored);
  for (const s of SECRETS) expect(text.includes(s), s).toBe(false);
}

describe('secrets in text that reaches support through tools (ticket forms, /ticket, notes)', () => {
  it('a ticket from a form keeps no token, password or card number in its subject, description, staff view or audit', async () => {
    const h = await makeSupport();
    const view = await h.support.tickets.create(ANN, { channel: 'slack' }, {
      subject: `Bot token ${SLACK_TOKEN} leaked`,
      description: 'My password is Hunter22! and my card 4111 1111 1111 1111 was charged twice.',
    });
    expect(view.subject).toBe(`Bot token ${TOKEN_PLACEHOLDER} leaked`);
    expect(view.description).toBe(`My password is ${PASSWORD_PLACEHOLDER} and my card ${CARD_PLACEHOLDER} was charged twice.`);
    expect((await h.support.tickets.list(STAFF, {})).find((t) => t.id === view.id)?.subject).toBe(`Bot token ${TOKEN_PLACEHOLDER} leaked`);
    const audit = (await auditLog(h.repos)).find((a) => a.action === 'ticket.create' && a.target === `ticket:${view.id}`);
    expect(audit?.details).toMatchObject({ redacted: ['card', 'password', 'token'] });
    expectNoSecret(await snapshot(h));
  });

  it('redacts an unverified caller\'s ticket too, and leaves ordinary text and its audit alone', async () => {
    const h = await makeSupport();
    const anon = await h.support.tickets.create(ANON, {}, { subject: 'Locked out', description: 'pw: Zebra!99 does not work', contact: 'x@example.com' });
    expect(anon.description).toBe(`pw: ${PASSWORD_PLACEHOLDER} does not work`);
    const plain = await h.support.tickets.create(ANN, {}, { subject: 'Card ending 4242', description: 'My password is not working since 12/05/2026.' });
    expect(plain).toMatchObject({ subject: 'Card ending 4242', description: 'My password is not working since 12/05/2026.' });
    const audit = (await auditLog(h.repos)).find((a) => a.target === `ticket:${plain.id}`);
    expect(audit?.details).not.toHaveProperty('redacted');
    expectNoSecret(await snapshot(h));
  });

  it('staff replies, CRM notes, status notes and customer messages are stored without secrets', async () => {
    const h = await makeSupport();
    await h.support.tickets.respond(STAFF, {
      ticketId: 'T-1002', message: `Customer pasted ${SLACK_TOKEN}; please rotate it`, visibility: 'internal', note: 'Told us cvv 321 on the phone',
    });
    await h.support.tickets.updateStatus(STAFF, { ticketId: 'T-1002', status: 'resolved', note: 'key sk_live_51H8abcdEFGHijklMNOPqrstUVWX revoked' });
    await h.support.tickets.addCustomerMessage(ANN, { ticketId: 'T-1001', message: 'still broken, my password is Zebra!99' });
    await h.support.notes.add(STAFF, { customerId: 'cus_ann', body: 'card 4111 1111 1111 1111 reported lost' });

    const tickets = await allTickets(h.repos);
    const bob = tickets.find((t) => t.id === 'T-1002');
    expect(bob?.messages.at(-1)?.body).toBe(`Customer pasted ${TOKEN_PLACEHOLDER}; please rotate it`);
    expect(bob?.history.at(-1)?.note).toBe(`key ${TOKEN_PLACEHOLDER} revoked`);
    expect((await h.repos.notes.listForCustomer('cus_bob', 100)).find((n) => n.ticketId === 'T-1002')?.body).toBe(`Told us cvv ${SECURITY_CODE_PLACEHOLDER} on the phone`);
    expect(tickets.find((t) => t.id === 'T-1001')?.messages.at(-1)?.body).toBe(`still broken, my password is ${PASSWORD_PLACEHOLDER}`);
    expect((await h.repos.notes.listForCustomer('cus_ann', 100))[0]?.body).toBe(`card ${CARD_PLACEHOLDER} reported lost`);
    expectNoSecret(await snapshot(h));
  });

  it('still validates what the caller sent: bad input is rejected and nothing is stored', async () => {
    const h = await makeSupport();
    const before = await snapshot(h);
    const polluted = JSON.parse(`{"ticketId": "T-1002", "message": "pw: Zebra!99", "visibility": "public", "__proto__": {"admin": true}}`) as { ticketId: string; message: string; visibility: 'public' };
    await expect(h.support.tickets.respond(STAFF, polluted)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/__proto__/) });
    await expect(h.support.tickets.addCustomerMessage(ANN, { ticketId: 'T-1001', message: '' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.tickets.create(ANN, {}, { subject: 'x'.repeat(201), description: 'pw: Zebra!99' })).rejects.toMatchObject({ code: 'bad_input' });
    expect(await snapshot(h)).toEqual(before);
  });
});
