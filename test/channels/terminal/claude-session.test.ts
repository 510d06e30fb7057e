import { afterEach, describe, expect, it } from 'vitest';
import { reply, startFakeAnthropic, toolUse, type FakeAnthropic, type RecordedRequest, type ScriptEntry } from '../../helpers/fake-anthropic.js';
import { startChat, waitFor, type Chat } from './harness.js';
import { unwrapToolData } from '../../../src/agent/tools.js';

/** The text of the tool_result blocks in the request's last message. */
function lastToolResult(req: RecordedRequest): string {
  const last = req.body.messages.at(-1);
  if (!last || typeof last.content === 'string') return '';
  // The agent delimits tool results as data (<tool_data …>): the scripted model reads the body.
  return last.content.filter((b) => b.type === 'tool_result').map((b) => unwrapToolData(String(b.content))).join('\n');
}

/** A scripted model turn that answers with text computed from the tool result it just got. */
const answerFrom = (fn: (toolResult: string) => string): ScriptEntry => (req) => reply(fn(lastToolResult(req)));

describe('terminal chat with Claude (real SDK against a local fake Messages API)', () => {
  let chat: Chat | undefined;
  let fake: FakeAnthropic | undefined;
  afterEach(async () => {
    await chat?.close();
    await fake?.close();
    chat = undefined;
    fake = undefined;
  });

  it('balance, then card deactivation → pending approval → staff approves in the terminal → the thread is told', async () => {
    fake = await startFakeAnthropic();
    chat = await startChat({
      ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: 'claude-test-1',
      ANTHROPIC_TIMEOUT_MS: '5000', ANTHROPIC_MAX_RETRIES: '0',
    });
    const { app } = chat;
    expect(chat.output()).toContain('model: Claude claude-test-1');
    await chat.say('user cus_001', /Now chatting as/);

    // Turn 1: balance through the real get_account_balance tool.
    fake.script(
      toolUse('get_account_balance', {}),
      answerFrom((r) => {
        const balances = (JSON.parse(r.slice(r.indexOf('{'))) as { balances: Array<{ type: string; formatted: string }> }).balances;
        return `Your balances: ${balances.map((b) => `${b.type} ${b.formatted}`).join(', ')}.`;
      }),
    );
    const balanceReply = await chat.say("what's my balance?", /helpline> /);
    for (const b of (await app.support.accounts.balance({ kind: 'customer', customerId: 'cus_001' }))) expect(balanceReply).toContain(b.formatted);
    expect(fake.requests[0]?.body.model).toBe('claude-test-1');

    // Turn 2: card deactivation opens an approval; the model relays the pending status.
    const card = (await app.support.accounts.details({ kind: 'customer', customerId: 'cus_001' })).cards.find((c) => c.status === 'active')!;
    fake.script(
      toolUse('request_card_deactivation', { last4: card.last4, reason: 'Card lost on the train' }),
      answerFrom((r) => {
        const id = /"approvalId":"([^"]+)"/.exec(r)?.[1] ?? 'unknown';
        return `I've asked our staff to deactivate the card ending ${card.last4} (request ${id}). I'll tell you here once it's decided.`;
      }),
    );
    const pending = await chat.say(`I lost my card ending ${card.last4}, please deactivate it`, /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(pending)?.[1];
    expect(approvalId, pending).toBeDefined();
    expect(pending).toContain(`(request ${approvalId})`);
    expect((await app.support.accounts.details({ kind: 'customer', customerId: 'cus_001' })).cards.find((c) => c.id === card.id)?.status).toBe('active');

    // Staff approve from the terminal; the customer's thread is told and the card is off.
    const decided = await chat.say(`approve ${approvalId}`, /helpline \(notice\)> /);
    expect(decided).toContain(card.last4);
    expect((await app.support.accounts.details({ kind: 'customer', customerId: 'cus_001' })).cards.find((c) => c.id === card.id)?.status).toBe('deactivated');

    // Turn 3: the model sees the decision in the transcript it is sent.
    fake.script(reply('Yes, that card is now deactivated.'));
    await chat.say('is it done?', /helpline> Yes, that card is now deactivated\./);
    const lastRequest = fake.requests.at(-1)!;
    expect(lastRequest.raw).toContain('has been deactivated');
    // Prompt caching: the system prompt and tools are the same bytes on every request.
    const first = fake.requests[0]!;
    expect(JSON.stringify(lastRequest.body.system)).toBe(JSON.stringify(first.body.system));
    expect(JSON.stringify(lastRequest.body.tools)).toBe(JSON.stringify(first.body.tools));
    expect(fake.pending()).toBe(0);
  });

  it('a model outage gives one holding reply; the message is answered once when the model is back', async () => {
    fake = await startFakeAnthropic();
    chat = await startChat({
      ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: 'claude-test-1', ANTHROPIC_MAX_RETRIES: '0', ANTHROPIC_TIMEOUT_MS: '5000',
      MODEL_RETRY_BASE_MS: '30', MODEL_RETRY_MAX_MS: '60',
    });
    await chat.say('user cus_001', /Now chatting as/);
    const overloaded: ScriptEntry = { kind: 'error', status: 529 };
    fake.script(overloaded, overloaded, overloaded, reply('Hello Ada, how can I help?'));
    const out = await chat.say('hello', /helpline \(holding\)> /);
    expect(out).not.toContain('helpline> ');
    await waitFor(() => chat!.output().includes('helpline> Hello Ada, how can I help?'), 'the answer after the outage');
    const all = chat.output();
    expect(all.match(/helpline \(holding\)> /g)).toHaveLength(1);
    expect(all.match(/helpline> Hello Ada/g)).toHaveLength(1);
    expect(fake.requests.length).toBe(4);
  });
});
