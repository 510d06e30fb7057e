import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../conversations/fakes.js';
import { startChat, waitFor, type Chat } from './harness.js';

const ada = { kind: 'customer', customerId: 'cus_001' } as const;

describe('terminal chat with the offline assistant (real store, support, MCP tools, agent)', () => {
  let chat: Chat | undefined;
  afterEach(async () => {
    await chat?.close();
    chat = undefined;
  });

  it('runs a whole session: switch user, balance, deactivate a card, staff approves, the customer is told, reset', async () => {
    chat = await startChat();
    const { app } = chat;
    expect(chat.output()).toContain('model: offline assistant (no ANTHROPIC_API_KEY)');

    expect(await chat.say('user ada.lovelace@example.com', /Now chatting as/)).toContain('Ada Lovelace (cus_001');

    const balances = (await app.support.accounts.balance(ada));
    const afterBalance = await chat.say('what is my balance?', /helpline> /);
    for (const b of balances) expect(afterBalance).toContain(b.formatted);

    const card = (await app.support.accounts.details(ada)).cards.find((c) => c.status === 'active');
    expect(card).toBeDefined();
    const afterRequest = await chat.say(`please deactivate my card ending ${card!.last4}, I lost it`, /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(afterRequest)?.[1];
    expect(approvalId, afterRequest).toBeDefined();
    expect(afterRequest).toContain('[staff] Approval needed');
    // Not deactivated until staff decide.
    expect((await app.support.accounts.details(ada)).cards.find((c) => c.id === card!.id)?.status).toBe('active');

    const listed = await chat.say('staff', /Pending approvals|No approvals/);
    expect(listed).toContain(approvalId);

    const decided = await chat.say(`approve ${approvalId}`, /helpline \(notice\)> /);
    expect(decided).toContain(`Approval ${approvalId} approved`);
    expect((await app.support.accounts.details(ada)).cards.find((c) => c.id === card!.id)?.status).toBe('deactivated');
    const notice = /helpline \(notice\)> (.*)/.exec(decided)?.[1] ?? '';
    expect(notice).toMatch(new RegExp(card!.last4));

    // Deciding again is refused: the first decision won.
    expect(await chat.say(`deny ${approvalId}`, /Could not deny/)).toMatch(/already/i);
    expect(await chat.say('staff', /approvals/i)).toContain('No approvals are waiting.');

    const firstThread = 'terminal:cus_001:1';
    expect(await chat.say('reset', /Started a new conversation/)).toContain('terminal:cus_001:2');
    await chat.say('hello', /helpline> /);
    expect((await chat.db()).conversations.find((c) => c.threadKey === 'terminal:cus_001:2')?.messages.length).toBeGreaterThan(0);
    // The approval decision was noted in the first thread's transcript.
    expect(JSON.stringify((await chat.db()).conversations.find((c) => c.threadKey === firstThread)?.messages)).toContain(notice.slice(0, 40));

    await chat.say('quit', /Bye\./);
    await app.terminalDone;
  });

  it('keeps guests away from account data and tells unknown users apart', async () => {
    chat = await startChat();
    expect(await chat.say('user nobody@example.com', /No customer matches/)).toContain('nobody@example.com');
    const reply = await chat.say('what is my balance?', /helpline> /);
    for (const b of (await chat.app.support.accounts.balance(ada))) expect(reply).not.toContain(b.formatted);
    expect(await chat.say('approve', /Usage/)).toContain('approve <approval id>');
  });

  it('never lets a typed password or card number reach the transcript, the store or any log line', async () => {
    const { log, lines } = capturingLogger();
    chat = await startChat({}, { log });
    await chat.say('user cus_002', /Now chatting as/);
    const out = await chat.say('my password is Hunter22!x and my card 4111 1111 1111 1111 was stolen', /helpline> /);
    expect(out).toContain('helpline (notice)> For your safety I removed a card number and a password');
    await chat.say('pw: An0ther-0ne', /helpline> /);
    await chat.app.conversations.drain();
    const everything = [JSON.stringify((await chat.db())), lines.join(''), chat.output()].join('\n');
    for (const secret of ['Hunter22!x', '4111 1111 1111 1111', '4111111111111111', 'An0ther-0ne']) expect(everything.includes(secret), secret).toBe(false);
    expect(lines.length).toBeGreaterThan(5);
    expect(chat.output().match(/For your safety/g)).toHaveLength(1);
  });

  it('tells the customer\'s thread when a pending approval expires undecided', async () => {
    let now = Date.now();
    chat = await startChat({ APPROVAL_TTL_MINUTES: '5' }, { app: { clock: () => new Date(now), approvalSweepMs: 20 } });
    await chat.say('user cus_001', /Now chatting as/);
    const card = (await chat.app.support.accounts.details(ada)).cards.find((c) => c.status === 'active')!;
    const out = await chat.say(`deactivate my card ending ${card.last4}`, /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(out)?.[1];
    now += 6 * 60_000;
    await waitFor(() => /helpline \(notice\)> Your request to deactivate your card expired/.test(chat!.output()), 'the expiry notice');
    expect(await chat.say(`approve ${approvalId}`, /Could not approve/)).toMatch(/expired/i);
    expect((await chat.app.support.accounts.details(ada)).cards.find((c) => c.id === card.id)?.status).toBe('active');
  });
});
