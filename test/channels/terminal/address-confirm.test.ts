import { afterEach, describe, expect, it } from 'vitest';
import { startChat, type Chat } from './harness.js';

const ada = { kind: 'customer', customerId: 'cus_001' } as const;
const ADA_HOME = { line1: "12 St James's Square", city: 'London', postalCode: 'SW1Y 4JU', country: 'GB' };

describe('terminal chat: an address change waits for the customer\'s own `confirm`', () => {
  let chat: Chat | undefined;
  afterEach(async () => {
    await chat?.close();
    chat = undefined;
  });

  it('"change my address", "yes" → pending and unchanged; `confirm <id>` as that customer applies it once', async () => {
    // No mail at all (no email channel, dev mailbox off as in production): only the terminal's `confirm` can confirm.
    chat = await startChat({ DEV_MAILBOX: 'off' });
    const { app } = chat;
    const address = async () => (await app.support.accounts.details(ada)).customer.address;
    expect(await chat.say('help', /quit/)).toContain('confirm <change id>');
    // (Answers "cannot be confirmed from this terminal" when the app did not wire support into the terminal.)
    expect(await chat.say('confirm adr_0123456789', /Pick a customer first|cannot be confirmed/)).toContain('Pick a customer first');

    await chat.say('user cus_001', /Now chatting as/);
    const asked = await chat.say('change my address to 1 New Street, Manchester M1 1AE, GB', /helpline> /);
    expect(asked).toContain('1 New Street, Manchester, M1 1AE, GB');
    expect(asked).toContain('Shall I request this address change?');
    const requested = await chat.say('yes', /helpline> /);
    // No email channel here: the assistant must not claim a mail was sent, and offers the terminal's confirm.
    expect(requested).toContain('nothing has changed yet');
    expect(requested).toContain('no confirmation link was sent');
    expect(requested).not.toMatch(/we emailed|is now:/i);
    const changeId = /confirm (adr_[a-f0-9]+)/.exec(requested)?.[1];
    expect(changeId, requested).toBeDefined();
    expect(await address()).toEqual(ADA_HOME);
    expect((await chat.db()).outbox).toEqual([]);

    // Another customer at the terminal cannot confirm Ada's change.
    await chat.say('user cus_002', /Now chatting as/);
    expect(await chat.say(`confirm ${changeId}`, /Could not confirm/)).toContain('not valid');
    expect(await address()).toEqual(ADA_HOME);

    await chat.say('user cus_001', /Now chatting as/);
    const done = await chat.say(`confirm ${changeId}`, /confirmed\.|Could not confirm/);
    expect(done).toContain(`Address change ${changeId} confirmed. The address on file for Ada Lovelace is now: 1 New Street, Manchester, M1 1AE, GB.`);
    expect(await address()).toEqual({ line1: '1 New Street', city: 'Manchester', postalCode: 'M1 1AE', country: 'GB' });
    // The notice to the email on file is queued as before; the audit names the terminal.
    expect((await chat.db()).outbox.map((o) => [o.payload['to'], o.payload['subject']])).toEqual([['ada.lovelace@example.com', 'Your postal address was changed']]);
    expect((await chat.db()).audit.filter((a) => a.action.startsWith('address.')).map((a) => [a.action, a.details?.['via']])).toEqual([
      ['address.change_requested', undefined], ['address.update', 'terminal'],
    ]);

    expect(await chat.say(`confirm ${changeId}`, /Could not confirm/)).toContain('already been confirmed');
    // "confirm" on its own is still an answer to the assistant, not the command.
    expect(await chat.say('confirm', /helpline> /)).not.toContain('Could not confirm');
  });
});
