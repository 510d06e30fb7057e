/** The offline assistant in whole conversations: the user-test failures, slots over turns, several requests, asking when unsure. */
import { afterEach, describe, expect, it } from 'vitest';
import { isToolUseBlock, type ModelMessage, type ModelResponse, type ModelTool } from '../../src/agent/model.js';
import { createOfflineModel } from '../../src/agent/offline/index.js';
import { pendingOf } from '../../src/agent/offline/pending.js';
import { successReply } from '../../src/agent/offline/replies.js';
import { cardAction, pickCard } from '../../src/agent/offline/card-flow.js';
import * as T from '../../src/agent/offline/texts.js';
import { resultText } from '../../src/agent/tools.js';
import type { Caller } from '../../src/support/caller.js';
import { customerTools } from './fixtures/nlu-eval-run.js';
import { offlineChat } from './fixtures/offline-chat.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
async function chat(caller?: Caller) {
  const c = await offlineChat(caller);
  closers.push(c.close);
  return c;
}

describe('offline assistant: the failures from the user test', () => {
  it('"hw much money do i have left" → the balances', async () => {
    const c = await chat();
    const r = await c.say('hw much money do i have left');
    for (const b of await c.support.accounts.balance({ kind: 'customer', customerId: 'cus_a' })) expect(r.reply).toContain(b.formatted);
  });

  it('"how much do you charge for an overdraft?" searches the help articles, never the transactions', async () => {
    const c = await chat();
    await c.say('how much do you charge for an overdraft?');
    expect(c.calls()).toEqual([{ name: 'search_knowledge_base', input: { query: 'how much do you charge for an overdraft?', limit: 3 } }]);
  });

  it('"Can I see my last 10 payments?" → get_recent_transactions with limit 10', async () => {
    const c = await chat();
    const r = await c.say('Can I see my last 10 payments?');
    expect(c.calls()).toEqual([{ name: 'get_recent_transactions', input: { limit: 10 } }]);
    for (const m of ['Corner Cafe', 'Book Nook', 'Rail Co', 'Grocer', 'Cinema']) expect(r.reply).toContain(m);
  });

  it('"please freeze my mastercard" freezes the one Mastercard at once, says it is reversible and how to undo it; "unfreeze my card" asks staff', async () => {
    const c = await chat();
    const r1 = await c.say('please freeze my mastercard');
    expect(r1.approvalIds).toEqual([]);
    expect((await c.repos.customers.getCard('card_a2'))?.status).toBe('frozen');
    expect((await c.repos.customers.getCard('card_a1'))?.status).toBe('active');
    expect(r1.reply).toContain('your card ending 5555 is frozen now');
    expect(r1.reply).toContain('reversible');
    expect(r1.reply).toContain('"unfreeze my card"');
    expect(r1.reply).toContain('"deactivate my card ending 5555"');
    // Freezing it again says so and changes nothing.
    expect((await c.say('freeze card ending 5555')).reply).toContain('was already frozen');
    const r2 = await c.say('unfreeze my card');
    expect(r2.approvalIds).toHaveLength(1);
    expect(await c.repos.approvals.get(r2.approvalIds[0]!)).toMatchObject({ action: 'card_unfreeze', cardId: 'card_a2', status: 'pending' });
    expect(r2.reply).toContain('unfreeze your card ending 5555');
    expect(r2.reply).toContain('stays frozen');
    expect((await c.repos.customers.getCard('card_a2'))?.status).toBe('frozen');
    // A frozen card can still be deactivated (through its approval).
    const r3 = await c.say('please deactivate my card ending 5555, it is gone for good');
    expect(await c.repos.approvals.get(r3.approvalIds[0]!)).toMatchObject({ action: 'card_deactivation', cardId: 'card_a2', status: 'pending' });
  });

  it('"lost my mastercard" picks the one Mastercard after looking the cards up', async () => {
    const c = await chat();
    const r = await c.say('lost my mastercard');
    expect(r.approvalIds).toHaveLength(1);
    const approval = await c.repos.approvals.get(r.approvalIds[0]!);
    expect(approval).toMatchObject({ cardId: 'card_a2' });
    expect(approval?.reason).toMatch(/lost or stolen/);
  });

  it('the postal address after "It\'s now": line1, city, postcode and country, confirmed with a yes', async () => {
    const c = await chat();
    const r1 = await c.say("Can you update my postal address? It's now 10 Downing Street, London, SW1A 2AA, GB");
    expect(r1.reply).toContain('10 Downing Street, London, SW1A 2AA, GB');
    expect(r1.reply).toContain(T.CONFIRM_ADDRESS);
    await c.say('yes');
    expect(c.calls()).toEqual([{ name: 'update_address', input: { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' } }]);
  });

  it('"balance and my last transactions" calls both tools in one response and answers both', async () => {
    const c = await chat();
    const r = await c.say('balance and my last transactions');
    expect(c.calls().map((u) => u.name)).toEqual(['get_account_balance', 'get_recent_transactions']);
    for (const b of await c.support.accounts.balance({ kind: 'customer', customerId: 'cus_a' })) expect(r.reply).toContain(b.formatted);
    expect(r.reply).toContain('Corner Cafe');
  });

  it('a guest who answers "my email is …" to a ticket offer gets the ticket', async () => {
    const c = await chat({ kind: 'anonymous' });
    const r1 = await c.say('open a ticket about a refund I never received');
    expect(r1.reply).toContain('Please include your email address');
    const r2 = await c.say('my email is guest@example.org');
    const ticket = (await c.repos.tickets.list({}, { limit: 100 })).items[0]!;
    expect(ticket).toMatchObject({ customerId: null, contact: 'guest@example.org', subject: 'a refund I never received' });
    expect(r2.reply).toContain(ticket.id);
  });

  it('a guest who says "yes" first is asked for the email, and the ticket still waits for it', async () => {
    const c = await chat({ kind: 'anonymous' });
    await c.say("what's my balance?");
    const r2 = await c.say('yes');
    expect(r2.reply).toContain('I need an email address');
    await c.say('sure, it is guest@example.org');
    const ticket = (await c.repos.tickets.list({}, { limit: 100 })).items[0]!;
    expect(ticket).toMatchObject({ contact: 'guest@example.org', subject: "Account help for an unverified sender: what's my balance?" });
  });

  it('the ticket subject is what the ticket is about, not "me? …"', async () => {
    const c = await chat();
    const r1 = await c.say('Can you raise a ticket for me? My November statement is missing.');
    expect(r1.reply).toContain('"My November statement is missing"');
    await c.say('yes');
    expect((await c.repos.tickets.list({}, { limit: 100 })).items[0]).toMatchObject({ subject: 'My November statement is missing' });
  });

  it('a card and a ticket in one message: the card request runs, the ticket is offered with its own subject', async () => {
    const c = await chat();
    const r1 = await c.say('cancel my card 5555 and open a ticket about the fraud');
    expect(await c.repos.approvals.get(r1.approvalIds[0]!)).toMatchObject({ cardId: 'card_a2' });
    expect(r1.reply).toContain('"the fraud"');
    expect(r1.reply).toContain(T.CONFIRM_TICKET);
    await c.say('yes');
    expect((await c.repos.tickets.list({}, { limit: 100 })).items[0]).toMatchObject({ subject: 'the fraud' });
  });

  it('"yes" with nothing pending claims nothing', async () => {
    const c = await chat();
    expect((await c.say('yes')).reply).toBe(T.NOTHING_PENDING);
    expect(c.calls()).toEqual([]);
  });
});

describe('offline assistant: slots over several turns', () => {
  it('gathers an address over turns, takes "Germany" as DE, and requests it only after a yes', async () => {
    const c = await chat();
    const r1 = await c.say("I'm moving house next week");
    expect(r1.reply).toContain(`I still need the street, town or city, postcode and country ${T.ADDRESS_NEED}`);
    const r2 = await c.say('10 Downing Street, London, SW1A 2AA');
    expect(r2.reply).toContain('So far I have: 10 Downing Street, London, SW1A 2AA.');
    expect(r2.reply).toContain('I still need the country');
    const r3 = await c.say('Germany');
    expect(r3.reply).toContain('10 Downing Street, London, SW1A 2AA, DE');
    expect(r3.reply).toContain(T.CONFIRM_ADDRESS);
    expect(c.calls()).toEqual([]);
    await c.say('yes');
    expect(c.calls()).toEqual([{ name: 'update_address', input: { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'DE' } }]);
  });

  it('asks which card, then takes the brand or the digits', async () => {
    const c = await chat();
    const r1 = await c.say('someone stole my debit card');
    expect(r1.reply).toContain(T.ASK_CARD);
    expect(r1.approvalIds).toEqual([]);
    const r2 = await c.say('the visa');
    expect(await c.repos.approvals.get(r2.approvalIds[0]!)).toMatchObject({ cardId: 'card_a1' });
  });

  it('refuses a full card number and asks for the last 4 digits', async () => {
    const c = await chat();
    const r = await c.say('my card [card number removed] was stolen please block it');
    expect(r.reply).toContain(T.FULL_CARD_NUMBER);
    expect(r.reply).toContain(T.ASK_CARD);
    const r2 = await c.say('4242');
    expect(await c.repos.approvals.get(r2.approvalIds[0]!)).toMatchObject({ cardId: 'card_a1' });
  });
});

describe('offline assistant: typos, and asking when unsure', () => {
  it.each([
    ['blance pls', 'get_account_balance'], ['show recent trasactions', 'get_recent_transactions'], ['i forgot my pasword', 'request_password_change'],
  ])('%s → %s', async (text, tool) => {
    const c = await chat();
    await c.say(text);
    expect(c.calls().map((u) => u.name)).toEqual([tool]);
  });

  it('"can u update my adress" asks for the new address', async () => {
    const c = await chat();
    expect((await c.say('can u update my adress')).reply).toContain(T.ADDRESS_NEED);
  });

  it('a vague sensitive request gets a question, no action; the answer then acts', async () => {
    const c = await chat();
    const r1 = await c.say('I need to do something about my card');
    expect(r1.reply).toContain(T.CLARIFY);
    expect(r1.reply).toContain('deactivate a lost or stolen card');
    expect(c.calls()).toEqual([]);
    const r2 = await c.say('the first one');
    expect(r2.reply).toContain(T.ASK_CARD);
    expect(c.calls().map((u) => u.name)).toEqual(['get_account_details']);
    const r3 = await c.say('freeze my card');
    expect(r3.reply).toContain(T.ASK_CARD_FREEZE);
    c.calls();
    for (const text of ['password', 'change my details', 'login']) {
      const r = await c.say(text);
      expect(r.reply, text).toContain(T.CLARIFY);
      expect(c.calls(), text).toEqual([]);
    }
  });

  it('says it is the offline assistant and what Claude would add', async () => {
    const c = await chat();
    const hello = await c.say('hello');
    expect(hello.reply).toContain(T.OFFLINE_MODEL_NAME);
    expect(hello.reply).toContain('Claude');
    const unknown = await c.say('my neighbour keeps parking across my drive');
    expect(unknown.reply).toContain(T.OFFLINE_MODEL_NAME);
    expect(unknown.reply).toContain('Claude');
  });
});

describe('offline assistant: freeze_card when the tool is offered', () => {
  const ask = async (model = createOfflineModel(), tools: ModelTool[], messages: ModelMessage[]) => model.createMessage({ system: [], tools, messages, max_tokens: 512 });
  const uses = (r: ModelResponse) => r.content.filter(isToolUseBlock);

  it('"please freeze my mastercard": looks the cards up, freezes the one Mastercard, relays the result', async () => {
    const model = createOfflineModel();
    const tools = await customerTools();
    const m1: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'please freeze my mastercard' }] }];
    const r1 = await ask(model, tools, m1);
    expect(uses(r1).map((u) => u.name)).toEqual(['get_account_details']);
    const details = { customer: { name: 'Ada' }, accounts: [], cards: [{ brand: 'visa', last4: '4242', status: 'active' }, { brand: 'mastercard', last4: '5555', status: 'active' }] };
    const m2: ModelMessage[] = [...m1, { role: 'assistant', content: r1.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses(r1)[0]!.id, content: resultText({ content: [{ type: 'text', text: 'details' }], structuredContent: details }, 'get_account_details') }] }];
    const r2 = await ask(model, tools, m2);
    expect(uses(r2).map((u) => [u.name, u.input])).toEqual([['freeze_card', { last4: '5555' }]]);
    const m3: ModelMessage[] = [...m2, { role: 'assistant', content: r2.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses(r2)[0]!.id, content: resultText({ content: [{ type: 'text', text: 'Card ending 5555 is frozen. Unfreeze it any time.' }] }, 'freeze_card') }] }];
    const r3 = await ask(model, tools, m3);
    expect(r3.stop_reason).toBe('end_turn');
    expect(r3.content).toEqual([{ type: 'text', text: successReply('freeze_card', {}, { last4: '5555' }, '') }]);
    expect(successReply('freeze_card', {}, { last4: '5555' }, '')).toMatch(/^Done: your card ending 5555 is frozen now.*reversible/);
  });

  it('without freeze_card in the tool list: says so, offers to deactivate the Mastercard, and asks on yes', async () => {
    const model = createOfflineModel();
    const tools = (await customerTools()).filter((t) => t.name !== 'freeze_card');
    const m1: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'freeze card ending 5555' }] }];
    const r1 = await ask(model, tools, m1);
    const text = r1.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toContain(T.FREEZE_UNAVAILABLE);
    expect(text).toContain(T.CONFIRM_DEACTIVATE);
    const r2 = await ask(model, tools, [...m1, { role: 'assistant', content: r1.content }, { role: 'user', content: [{ type: 'text', text: 'yes' }] }]);
    expect(uses(r2).map((u) => [u.name, u.input.last4])).toEqual([['request_card_deactivation', '5555']]);
  });

  it('"freeze card ending 4242" calls freeze_card at once', async () => {
    const r = await ask(undefined, await customerTools(), [{ role: 'user', content: [{ type: 'text', text: 'freeze card ending 4242' }] }]);
    expect(uses(r).map((u) => [u.name, u.input])).toEqual([['freeze_card', { last4: '4242' }]]);
  });
});

describe('offline assistant: no dangling confirmation', () => {
  /** Every wording the assistant ends a reply with: its own texts and every tool result's reply. */
  function everyReply(): string[] {
    // CONFIRM_DEACTIVATE is only ever said after the card it is about (cardAction below).
    const fixed = (Object.values(T) as unknown[]).filter((v): v is string => typeof v === 'string' && v !== T.CONFIRM_DEACTIVATE);
    const made = [T.unknownReply('my neighbour is noisy'), T.clarifyReply(['check your balance', 'freeze a card'])];
    const cards = { cards: [{ brand: 'visa', last4: '4242', status: 'active' }, { brand: 'visa', last4: '1111', status: 'frozen' }, { brand: 'amex', last4: '3782', status: 'frozen' }] };
    const tools = new Set(['get_account_details', 'request_card_deactivation', 'freeze_card', 'unfreeze_card']);
    const picks = (['block', 'freeze', 'unfreeze'] as const).flatMap((mode) => [pickCard(cards, { mode, reason: 'r' }, tools), pickCard({ cards: [] }, { mode, reason: 'r' }, tools)]);
    const results = ['get_account_balance', 'get_recent_transactions', 'get_account_details', 'update_address', 'request_card_deactivation', 'freeze_card', 'unfreeze_card',
      'request_password_change', 'create_ticket', 'get_my_ticket', 'list_my_tickets', 'search_knowledge_base'].map((tool) => successReply(tool, { approvalId: 'apr_1', last4: '4242' }, { last4: '4242' }, ''));
    const noFreezeTool = cardAction('freeze', '4242', 'r', new Set(['request_card_deactivation']));
    return [...fixed, ...made, ...[noFreezeTool, ...picks].flatMap((p) => (p.kind === 'say' ? [p.text] : [])), ...results];
  }

  it('every reply that ends in a question (or asks for a "yes") is recognised as waiting for an answer', () => {
    const replies = everyReply();
    expect(replies.length).toBeGreaterThan(30);
    for (const text of replies) {
      // An offer ("I can open an urgent ticket…") is a question too, however it is worded.
      const asks = /\?["')]?\s*$/.test(text.trim()) || /"yes"/.test(text) || /\bI can (?:also )?(?:open|ask|request)\b/.test(text);
      if (asks) expect(pendingOf(text), text).toBeDefined();
    }
  });

  it('"yes" to the urgent ticket offered with a lost card opens it, high priority, naming the card', async () => {
    const c = await chat();
    const r1 = await c.say('I lost my card ending 4242 last night');
    expect(r1.approvalIds).toHaveLength(1);
    expect(r1.reply).toContain(T.CONFIRM_URGENT_TICKET);
    const r2 = await c.say('yes');
    expect(r2.reply).not.toContain(T.NOTHING_PENDING);
    const ticket = (await c.repos.tickets.list({}, { limit: 10 })).items[0]!;
    expect(ticket).toMatchObject({ customerId: 'cus_a', subject: 'Card ending 4242 lost or stolen: possible misuse' });
    expect(['high', 'urgent']).toContain(ticket.priority);
    expect(ticket.description).toContain('I lost my card ending 4242 last night');
    expect(r2.reply).toContain(ticket.id);
  });

  it('"no" to the urgent ticket opens nothing; yes/no to "anything else?" gets an answer, not "nothing waiting"', async () => {
    const c = await chat();
    await c.say('stolen card 5555');
    expect((await c.say('no thanks')).reply).toBe(T.CANCELLED);
    expect((await c.repos.tickets.list({}, { limit: 10 })).items.filter((t) => t.customerId === 'cus_a' && t.id !== 'T-1001')).toEqual([]);
    expect((await c.say('yes')).reply).toBe(T.GO_ON);
    expect((await c.say('thanks')).reply).toBe(T.THANKS_REPLY);
    expect((await c.say('no')).reply).toBe(T.GOODBYE);
    expect(c.calls().filter((u) => u.name === 'create_ticket')).toEqual([]);
  });

  it('a card request and a ticket offer in one reply ask one question: the ticket', async () => {
    const c = await chat();
    const r = await c.say('cancel my card 5555 and open a ticket about the fraud');
    expect(r.reply).toContain(T.CONFIRM_TICKET);
    expect(r.reply).not.toContain(T.CONFIRM_URGENT_TICKET);
  });

  it('every reply that asks for a "yes" is recognised as waiting for one', () => {
    const asking = [
      T.CONFIRM_ADDRESS, T.CONFIRM_TICKET, T.UNVERIFIED, T.unknownReply('something odd'),
      `${T.FREEZE_UNAVAILABLE} I can ask our staff to deactivate your card ending 4242 instead: that stops it for good once approved. ${T.CONFIRM_DEACTIVATE}`,
      successReply('search_knowledge_base', { results: [] }, {}, ''),
    ];
    for (const text of asking) {
      expect(text).toMatch(/"yes"/);
      expect(pendingOf(text), text).toBeDefined();
    }
  });
});
