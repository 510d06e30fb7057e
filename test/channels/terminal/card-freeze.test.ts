/**
 * A lost card at night, through the terminal chat with the offline assistant (real store, support, MCP tools, agent,
 * conversations), turn by turn: every question the assistant asks gets an answer to "yes"; the freeze is at once;
 * unfreezing waits for a member of staff, who approves in the terminal, and the customer is told in their thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as T from '../../../src/agent/offline/texts.js';
import { startChat, waitFor, type Chat } from './harness.js';

const ada = { kind: 'customer', customerId: 'cus_001' } as const;
let chat: Chat | undefined;
afterEach(async () => {
  await chat?.close();
  chat = undefined;
});

const cardStatus = async (c: Chat, id: string) => (await c.app.support.accounts.details(ada)).cards.find((x) => x.id === id)?.status;

describe('terminal chat: freeze, unfreeze and the questions the assistant asks', () => {
  it('freeze at once, then unfreeze through a staff approval in the terminal, and the customer is told', async () => {
    chat = await startChat();
    await chat.say('user ada.lovelace@example.com', /Now chatting as/);
    const frozen = await chat.say('please freeze my card ending 4179, I think I lost it', /helpline> /);
    expect(frozen).toContain('your card ending 4179 is frozen now');
    expect(frozen).toContain('reversible');
    expect(frozen).not.toContain('[staff] Approval needed');
    expect(await cardStatus(chat, 'card_001_1')).toBe('frozen');
    // The listing shows it frozen.
    expect(await chat.say('show my account details', /helpline> /)).toContain('Mastercard ending 4179 (frozen)');

    const asked = await chat.say('I found it, please unfreeze my card', /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(asked)?.[1];
    expect(approvalId, asked).toBeDefined();
    expect(asked).toContain('[staff] Approval needed');
    expect(asked).toContain('unfreeze card (card_001_1)');
    expect(asked).toContain('unfreeze your card ending 4179');
    expect(await cardStatus(chat, 'card_001_1')).toBe('frozen');

    expect(await chat.say('staff', /Pending approvals|No approvals/)).toContain(approvalId);
    const decided = await chat.say(`approve ${approvalId}`, /helpline \(notice\)> /);
    expect(decided).toContain(`Approval ${approvalId} approved`);
    expect(/helpline \(notice\)> (.*)/.exec(decided)?.[1]).toBe('Your card ending 4179 has been unfrozen. You can use it for payments again.');
    expect(await cardStatus(chat, 'card_001_1')).toBe('active');
    expect(await chat.say(`approve ${approvalId}`, /Could not approve/)).toMatch(/already/i);
    expect(await cardStatus(chat, 'card_001_1')).toBe('active');
    expect((await chat.db()).audit.filter((a) => a.action === 'card.unfreeze')).toHaveLength(1);
  });

  it('a lost card at night: the deactivation waits for staff, the urgent ticket offer is answered by "yes"', async () => {
    chat = await startChat();
    await chat.say('user cus_001', /Now chatting as/);
    const first = await chat.say('I lost my card ending 6578 last night', /helpline> /);
    expect(first).toContain('[staff] Approval needed');
    expect(first).toContain(T.CONFIRM_URGENT_TICKET);
    const yes = await chat.say('yes', /helpline> /);
    expect(yes).not.toContain(T.NOTHING_PENDING);
    const ticket = (await chat.db()).tickets.find((t) => t.subject === 'Card ending 6578 lost or stolen: possible misuse');
    expect(ticket, yes).toBeDefined();
    expect(ticket).toMatchObject({ customerId: 'cus_001', channel: 'terminal' });
    expect(['high', 'urgent']).toContain(ticket!.priority);
    expect(yes).toContain(ticket!.id);
    // "Anything else?" is a question too: a "no" to it ends politely, not with "nothing waiting".
    expect(await chat.say('thanks', /helpline> /)).toContain(T.THANKS_REPLY);
    expect(await chat.say('no', /helpline> /)).toContain(T.GOODBYE);
  });

  it('an expired unfreeze request is told in the thread; the card stays frozen', async () => {
    let now = Date.now();
    chat = await startChat({ APPROVAL_TTL_MINUTES: '5' }, { app: { clock: () => new Date(now), approvalSweepMs: 20 } });
    await chat.say('user cus_001', /Now chatting as/);
    await chat.say('freeze card ending 4179', /helpline> /);
    const out = await chat.say('unfreeze card ending 4179', /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(out)?.[1];
    now += 6 * 60_000;
    await waitFor(() => /helpline \(notice\)> Your request to unfreeze your card expired/.test(chat!.output()), 'the expiry notice');
    expect(await chat.say(`approve ${approvalId}`, /Could not approve/)).toMatch(/expired/i);
    expect(await cardStatus(chat, 'card_001_1')).toBe('frozen');
  });
});
