import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/agent/agent.js';
import { createOfflineModel, OFFLINE_MODEL_NAME } from '../../src/agent/offline/index.js';
import { silentLogger } from '../../src/config/logger.js';
import { connectInProcess } from '../../src/mcp/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import type { Caller } from '../../src/support/caller.js';
import { fixtureSupport } from './fixtures/helpline-db.js';
import { memoryTranscripts } from './fixtures/memory-transcripts.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function chat(caller: Caller = { kind: 'customer', customerId: 'cus_a' }) {
  const { repos, support } = fixtureSupport();
  const transcripts = memoryTranscripts();
  const agent = createAgent({ model: createOfflineModel(), transcripts: transcripts.port, config: { maxRounds: 4, turnTimeoutMs: 5000, contextTokens: 60_000, maxTokens: 512 }, log: silentLogger() });
  const threadKey = 'terminal:test';
  let n = 0;
  const say = async (text: string) => {
    const conn = await connectInProcess({ support, caller, context: { threadKey, channel: 'terminal' } });
    try {
      return await agent.runTurn({ messageId: `m${++n}`, threadKey, channel: 'terminal', caller, text, tools: conn.client });
    } finally {
      await conn.close();
    }
  };
  closers.push(() => repos.close());
  return { repos, support, say, caller, transcripts };
}

const addressOf = async (repos: Repositories) => (await repos.customers.get('cus_a'))!.address;
/** Every ticket, newest first. */
const ticketsOf = async (repos: Repositories) => (await repos.tickets.list({}, { limit: 100 })).items;
const approvalCount = async (repos: Repositories) => Object.values(await repos.approvals.countByStatus()).reduce((a, b) => a + b, 0);

describe('offline model through the real MCP tools and support', () => {
  it('greets honestly as the offline assistant', async () => {
    const c = await chat();
    const r = await c.say('hello');
    expect(r.reply).toContain(OFFLINE_MODEL_NAME);
  });

  it('reports balances from the repositories', async () => {
    const c = await chat();
    const r = await c.say("what's my balance?");
    for (const b of await c.support.accounts.balance(c.caller)) expect(r.reply).toContain(b.formatted);
    expect(r.reply).not.toContain('acc_b1');
  });

  it('lists the requested number of recent transactions, newest first, only the caller\'s', async () => {
    const c = await chat();
    const r = await c.say('show my last 3 transactions');
    const expected = (await c.support.accounts.transactions(c.caller, { limit: 3 })).map((t) => t.merchant);
    expect(expected).toHaveLength(3);
    const positions = expected.map((m) => r.reply.indexOf(m));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(r.reply).not.toContain('Secret Shop');
  });

  it('requests an address change only after an explicit yes, and says truthfully that it waits for the customer\'s confirmation', async () => {
    const c = await chat();
    const r1 = await c.say('Please change my address to 12 High Street, London SW1A 1AA, GB');
    expect(r1.reply).toContain('12 High Street, London, SW1A 1AA, GB');
    expect(r1.reply).toMatch(/yes/);
    expect(r1.reply).toContain('takes effect only after you confirm it yourself');
    expect((await addressOf(c.repos)).line1).toBe('1 Old Road');
    const r2 = await c.say('yes');
    expect((await addressOf(c.repos)).line1).toBe('1 Old Road');
    expect(r2.reply).toContain('12 High Street');
    expect(r2.reply).toContain('nothing has changed yet');
    expect(r2.reply).not.toMatch(/\bDone\b|is now/);
    expect(r2.reply).toContain('We emailed a confirmation link to a…@example.com');
    const changeId = /confirm (adr_[a-f0-9]+)/.exec(r2.reply)?.[1];
    expect(await c.repos.addressChanges.get(changeId!), r2.reply).toMatchObject({ customerId: 'cus_a', status: 'pending' });
    await c.support.accounts.confirmAddressChangeById(c.caller, changeId!);
    expect(await addressOf(c.repos)).toEqual({ line1: '12 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' });
  });

  it('parses a US-style address with region and leaves it unchanged on "no"', async () => {
    const c = await chat();
    const r1 = await c.say('update my address to 1 Main St, Apt 4, Springfield, IL 62704, US');
    expect(r1.reply).toContain('1 Main St, Apt 4, Springfield, IL 62704, US');
    await c.say('no');
    expect((await addressOf(c.repos)).line1).toBe('1 Old Road');
    await c.say('yes');
    expect((await addressOf(c.repos)).line1).toBe('1 Old Road');
  });

  it('requests a card deactivation by last 4 digits: pending staff approval, card still active', async () => {
    const c = await chat();
    const r = await c.say('I lost my card ending 4242, please block it');
    expect(r.approvalIds).toHaveLength(1);
    const approval = await c.repos.approvals.get(r.approvalIds[0]!);
    expect(approval).toMatchObject({ status: 'pending', action: 'card_deactivation', cardId: 'card_a1', customerId: 'cus_a' });
    // Staff see the customer's own words on the approval card.
    expect(approval?.reason).toContain('I lost my card ending 4242, please block it');
    expect(approval?.reason).toMatch(/lost or stolen/);
    expect(r.reply).toMatch(/approv/i);
    expect(r.reply).toContain(r.approvalIds[0]!);
    expect((await c.repos.customers.getCard('card_a1'))!.status).toBe('active');
  });

  it('asks which card when no digits are given, then deactivates the chosen one', async () => {
    const c = await chat();
    const r1 = await c.say('please deactivate my card');
    expect(r1.reply).toContain('4242');
    expect(r1.reply).toContain('5555');
    expect(r1.reply).not.toContain('9999');
    expect(r1.approvalIds).toEqual([]);
    const r2 = await c.say('5555');
    expect(r2.approvalIds).toHaveLength(1);
    const approval = await c.repos.approvals.get(r2.approvalIds[0]!);
    expect(approval).toMatchObject({ cardId: 'card_a2' });
    expect(approval?.reason).toContain('please deactivate my card … 5555');
  });

  it("cannot deactivate another customer's card: error reply, nothing changes", async () => {
    const c = await chat();
    const r = await c.say('block my card ending 9999');
    expect(r.approvalIds).toEqual([]);
    expect(r.reply).toMatch(/couldn't/);
    expect(r.reply).toMatch(/No card ending 9999/);
    // People get the tool's wording, not its machine prefix.
    expect(r.reply).not.toMatch(/failed \(/);
    expect(await approvalCount(c.repos)).toBe(0);
  });

  it('requests a password change without repeating a typed password', async () => {
    const c = await chat();
    const r = await c.say('my password is Sup3rSecretPw! please change my password');
    expect(r.approvalIds).toHaveLength(1);
    expect(await c.repos.approvals.get(r.approvalIds[0]!)).toMatchObject({ action: 'password_change', status: 'pending' });
    expect(r.reply).not.toContain('Sup3rSecretPw');
    expect(r.reply).toMatch(/approv/i);
  });

  it('opens a ticket after confirmation and reports ticket status and lists', async () => {
    const c = await chat();
    const before = (await ticketsOf(c.repos)).length;
    const r1 = await c.say('open a ticket about my card being declined abroad');
    expect(await ticketsOf(c.repos)).toHaveLength(before);
    expect(r1.reply).toContain('my card being declined abroad');
    const r2 = await c.say('yes');
    const after = await ticketsOf(c.repos);
    expect(after).toHaveLength(before + 1);
    const created = after[0]!;
    expect(created).toMatchObject({ customerId: 'cus_a', subject: 'my card being declined abroad' });
    expect(r2.reply).toContain(created.id);

    const status = await c.say('what is the status of t-1001?');
    const t1001 = (await c.repos.tickets.get('T-1001'))!;
    expect(status.reply).toContain(t1001.status.replace('_', ' '));
    expect(status.reply).toContain(t1001.messages[0]!.body);

    const list = await c.say('show my tickets');
    expect(list.reply).toContain('T-1001');
    expect(list.reply).toContain(created.id);
  });

  it('answers from the knowledge base citing the article title', async () => {
    const c = await chat();
    const r = await c.say('How do I report a stolen card?');
    const top = c.support.kb.search('How do I report a stolen card?', 3)[0]!;
    expect(r.reply).toContain(`"${top.title}"`);
  });

  it('hands off to a person with a ticket when asked', async () => {
    const c = await chat();
    const before = (await ticketsOf(c.repos)).length;
    const r = await c.say('I want to talk to a real person');
    const after = await ticketsOf(c.repos);
    expect(after).toHaveLength(before + 1);
    expect(r.reply).toContain(after[0]!.id);
  });

  it('offers a ticket for anything else and opens it on yes', async () => {
    const c = await chat();
    const before = (await ticketsOf(c.repos)).length;
    const r1 = await c.say('my cat walked over the keyboard and signed me up for something');
    expect(r1.reply).toMatch(/ticket/);
    expect(await ticketsOf(c.repos)).toHaveLength(before);
    await c.say('yes please');
    expect(await ticketsOf(c.repos)).toHaveLength(before + 1);
  });

  it('copes with an unverified caller: no account data, KB and tickets still work', async () => {
    const c = await chat({ kind: 'anonymous', contact: 'stranger@example.org' });
    const r1 = await c.say("what's my balance?");
    expect(r1.reply).toMatch(/verified/);
    expect(r1.reply).not.toMatch(/\$/);
    const kb = await c.say('What are your opening hours?');
    expect(kb.reply).toContain('"Support opening hours"');
    const before = (await ticketsOf(c.repos)).length;
    await c.say('open a ticket about a refund I never received');
    await c.say('yes');
    const after = await ticketsOf(c.repos);
    expect(after).toHaveLength(before + 1);
    const t = after[0]!;
    expect(t).toMatchObject({ customerId: null, contact: 'stranger@example.org', subject: 'a refund I never received' });
  });

  it('tells a staff member that customer actions are not run for them', async () => {
    const c = await chat({ kind: 'staff', staffId: 'U_STAFF' });
    const r = await c.say('change my address to 1 A St, Leeds LS1 1AA, GB');
    expect(r.reply).toMatch(/staff/);
    expect((await c.repos.audit.list({ limit: 10 })).items).toEqual([]);
  });
});
