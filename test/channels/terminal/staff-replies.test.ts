/**
 * Staff replies reach a terminal customer, through the real app (support, MCP, agent, conversations, terminal):
 * `reply` on a ticket of the customer's chat prints the framed reply into that chat once and records it; `note`
 * prints nothing to the customer; a ticket no channel reaches is saved and the operator told so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startChat, type Chat } from './harness.js';

let chat: Chat | undefined;
afterEach(async () => {
  await chat?.close();
  chat = undefined;
});

const NOTICE = /helpline \(notice\)> Reply from our support team/g;

describe('staff replies in the terminal', () => {
  it('a reply reaches the customer\'s chat once and is recorded; a note never does', async () => {
    const c = await startChat();
    chat = c;
    const switched = await c.say('user cus_001', /Thread (terminal:\S+)\./);
    const threadKey = /Thread (terminal:\S+)\./.exec(switched)?.[1] as string;
    const ticket = await c.app.support.tickets.create({ kind: 'customer', customerId: 'cus_001' }, { channel: 'terminal', threadKey }, { subject: 'Card declined', description: 'My card is declined.' });

    const said = await c.say(`reply ${ticket.id} We unblocked your card.`, /Sent to the customer|WARNING/);
    expect(said).toContain(`helpline (notice)> Reply from our support team on ticket ${ticket.id}:\n\nWe unblocked your card.`);
    expect(said).toContain('Sent to the customer in their terminal chat.');
    expect((await c.db()).tickets.find((t) => t.id === ticket.id)?.messages.at(-1)?.delivery).toMatchObject({ status: 'delivered', channel: 'terminal', threadKey });

    const noted = await c.say(`note ${ticket.id} check the merchant`, /Internal note added/);
    expect(noted).not.toMatch(NOTICE);
    expect(c.output().match(NOTICE)).toHaveLength(1);
    expect((await c.db()).tickets.find((t) => t.id === ticket.id)?.messages.at(-1)).toMatchObject({ visibility: 'internal', body: 'check the merchant' });
    expect((await c.db()).tickets.find((t) => t.id === ticket.id)?.messages.at(-1)?.delivery).toBeUndefined();

    const shown = await c.say(`ticket ${ticket.id}`, /check the merchant/);
    expect(shown).toContain('We unblocked your card.  [delivered to their terminal chat');
    expect(shown).toContain('(internal): check the merchant');
  });

  it('a ticket no channel reaches (no conversation, no email channel): saved, and the operator is told plainly', async () => {
    const c = await startChat();
    chat = c;
    const said = await c.say('reply T-1001 We refunded the fee.', /WARNING|Sent to/);
    expect(said).toContain('WARNING: Saved on T-1001, but the customer has no channel to receive it');
    expect(said).not.toMatch(NOTICE);
    expect((await c.db()).tickets.find((t) => t.id === 'T-1001')?.messages.at(-1)?.delivery).toMatchObject({ status: 'undeliverable' });
  });
});
