import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { INTERRUPTED } from '../../src/agent/transcript.js';
import type { TurnInput } from '../../src/agent/types.js';
import { hang, httpError, message, reply, toolUse, type FakeBlock, type RecordedRequest } from '../helpers/fake-anthropic.js';
import { startMiniTools } from './fixtures/mini-tools.js';
import { setupClaudeAgent, type SetupOpts } from './fixtures/setup.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: SetupOpts = {}, kind: 'customer' | 'anonymous' = 'customer') {
  const env = await setupClaudeAgent(opts);
  const tools = await startMiniTools(kind);
  cleanups.push(env.fake.close, tools.close);
  const caller: TurnInput['caller'] = kind === 'customer' ? { kind: 'customer', customerId: 'cus_1' } : { kind: 'anonymous', contact: 'someone@example.org' };
  let n = 0;
  const turn = (text: string, messageId = `m${++n}`) => env.agent.runTurn({ messageId, threadKey: 'terminal:ada', channel: 'terminal', caller, text, tools: tools.client });
  return { ...env, tools, turn };
}

function lastBlocks(req: RecordedRequest): FakeBlock[] {
  const last = req.body.messages[req.body.messages.length - 1]!;
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
}
const toolResults = (req: RecordedRequest) => lastBlocks(req).filter((b) => b.type === 'tool_result');
/** A scripted "model" that answers with the text of the tool result it was given. */
const echoToolResult = (req: RecordedRequest) => reply(`Tool said: ${String(toolResults(req)[0]?.content ?? 'nothing')}`);

describe('agent tool loop (real SDK → fake Messages API → MCP)', () => {
  it('answers a balance question end to end through the tool', async () => {
    const s = await setup();
    s.fake.script(toolUse('get_account_balance', {}, { id: 'tu_bal' }), echoToolResult);
    const res = await s.turn('what is my balance?');
    expect(res.reply).toContain('£1,234.56');
    expect(res.handoff).toBe(false);
    expect(s.tools.state.calls.map((c) => c.name)).toEqual(['get_account_balance']);
    const results = toolResults(s.fake.requests[1]!);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ tool_use_id: 'tu_bal' });
    expect(results[0]!.is_error).toBeUndefined();
    expect(String(results[0]!.content)).toContain('"balanceMinor":123456');
    const h = s.fake.requests[0]!.headers;
    expect(h['x-api-key'] ?? h.authorization?.replace(/^Bearer /, '')).toBe('sk-test-key');
    expect(s.fake.requests[0]!.body.model).toBe('claude-test-model');
    const t = s.transcripts.map.get('terminal:ada')!;
    expect(t.usage.inputTokens).toBe(20);
    expect(t.messages).toHaveLength(4);
  });

  it('sends all tool_results of one response in one user message', async () => {
    const s = await setup();
    s.fake.script(
      message([{ type: 'tool_use', id: 'a', name: 'get_account_balance', input: {} }, { type: 'tool_use', id: 'b', name: 'get_account_details', input: {} }], 'tool_use'),
      reply('done'),
    );
    await s.turn('balance and details please');
    expect(toolResults(s.fake.requests[1]!).map((b) => b.tool_use_id)).toEqual(['a', 'b']);
    const roles = s.fake.requests[1]!.body.messages.map((m) => m.role);
    expect(roles).toEqual(['user', 'assistant', 'user']);
  });

  it('changes an address only after the explicit yes in the next turn', async () => {
    const s = await setup();
    s.fake.script(reply('I will change your address to 12 High Street, London SW1A 1AA, GB. Reply yes to confirm.'));
    await s.turn('change my address to 12 High Street, London SW1A 1AA, GB');
    expect(s.tools.state.address.line1).toBe('1 Old Road');
    s.fake.script(toolUse('update_address', { line1: '12 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' }), echoToolResult);
    const res = await s.turn('yes');
    expect(s.tools.state.address).toMatchObject({ line1: '12 High Street', city: 'London' });
    expect(res.reply).toContain('Address updated');
    // turn 2 request carries turn 1 (user, assistant) + the yes
    expect(s.fake.requests[1]!.body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('returns the approval id of a card deactivation waiting for staff', async () => {
    const s = await setup();
    s.fake.script(toolUse('request_card_deactivation', { last4: '4242', reason: 'lost it' }), echoToolResult);
    const res = await s.turn('I lost my card ending 4242');
    expect(res.approvalIds).toEqual(['apr_1']);
    expect(s.tools.state.approvals).toHaveLength(1);
    expect(s.tools.state.cards[0]!.status).toBe('active');
  });

  it('rides out two 529s within the retry budget and replies once', async () => {
    const s = await setup({ maxRetries: 2 });
    s.fake.script(httpError(529), httpError(529), reply('hello there'));
    const res = await s.turn('hi');
    expect(res.reply).toBe('hello there');
    expect(s.fake.requests).toHaveLength(3);
    expect(s.transcripts.map.get('terminal:ada')!.messages).toHaveLength(2);
  });

  it('throws unavailable past the retry budget, keeps the transcript unchanged, and a retry answers exactly once', async () => {
    const s = await setup({ maxRetries: 1 });
    s.fake.script(reply('first answer'));
    await s.turn('first message', 'm-first');
    const before = structuredClone(s.transcripts.map.get('terminal:ada'));
    s.fake.script(httpError(529), httpError(529));
    const err = await s.turn('second message', 'm-second').catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect(s.fake.requests).toHaveLength(3); // 1 + (1 try + 1 retry)
    expect(s.transcripts.map.get('terminal:ada')).toEqual(before);
    s.fake.script(reply('second answer'));
    const res = await s.turn('second message', 'm-second');
    expect(res.reply).toBe('second answer');
    const t = s.transcripts.map.get('terminal:ada')!;
    const userTexts = JSON.stringify(t.messages).match(/second message/g);
    expect(userTexts).toHaveLength(1);
    expect(t.messages).toHaveLength(4);
    // the same id again is not answered twice: the stored reply comes back without a model call
    const again = await s.turn('second message', 'm-second');
    expect(again.reply).toBe('second answer');
    expect(s.fake.requests).toHaveLength(4);
  });

  it('an outage after tools ran resumes on retry without re-running the tool or re-adding the message', async () => {
    const s = await setup({ maxRetries: 0 });
    s.fake.script(toolUse('request_card_deactivation', { last4: '4242', reason: 'lost' }), httpError(529));
    const err = await s.turn('block card 4242', 'm-card').catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect(s.tools.state.approvals).toHaveLength(1);
    s.fake.script(echoToolResult);
    const res = await s.turn('block card 4242', 'm-card');
    expect(res.reply).toContain('apr_1');
    expect(res.approvalIds).toEqual(['apr_1']); // still reported, so staff get to see it
    expect(s.tools.state.approvals).toHaveLength(1);
    expect(s.tools.state.calls).toHaveLength(1);
    const t = s.transcripts.map.get('terminal:ada')!;
    expect(JSON.stringify(t.messages).match(/block card 4242/g)).toHaveLength(1);
    expect(t.messages).toHaveLength(4);
  });

  it('maps a 429 past the budget to unavailable and a 400 to model_error', async () => {
    const s = await setup({ maxRetries: 0 });
    s.fake.script(httpError(429));
    expect(isAppError(await s.turn('a').catch((e: unknown) => e), 'unavailable')).toBe(true);
    s.fake.script(httpError(400));
    expect(isAppError(await s.turn('b').catch((e: unknown) => e), 'model_error')).toBe(true);
  });

  it('gives up on a hanging request after its own timeout', async () => {
    const s = await setup({ timeoutMs: 300, maxRetries: 0 });
    s.fake.script(hang());
    const started = Date.now();
    const err = await s.turn('hello?').catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.transcripts.map.get('terminal:ada')).toBeUndefined();
  });

  it('does not run a tool call truncated by max_tokens and asks for a shorter answer once', async () => {
    const s = await setup();
    s.fake.script(
      message([{ type: 'text', text: 'Let me update' }, { type: 'tool_use', id: 'cut', name: 'update_address', input: { line1: '12 High' } }], 'max_tokens'),
      (req) => reply(JSON.stringify(lastBlocks(req)).includes('cut off') ? 'Short answer.' : 'no notice seen'),
    );
    const res = await s.turn('change my address');
    expect(s.tools.state.calls).toEqual([]);
    expect(res.reply).toBe('Short answer.');
    expect(JSON.stringify(s.fake.requests[1]!.body.messages)).not.toContain('"tool_use"');
  });

  it('hands a refusal to a human with a ticket', async () => {
    const s = await setup();
    s.fake.script(message([], 'refusal'));
    const res = await s.turn('something the model refuses');
    expect(res.handoff).toBe(true);
    expect(s.tools.state.tickets).toHaveLength(1);
    expect(res.reply).toContain(s.tools.state.tickets[0]!.id);
  });

  it('bounds a model that calls tools forever, hands off and opens a ticket', async () => {
    const s = await setup({ maxRounds: 3 });
    s.fake.setFallback(() => toolUse('get_account_balance', {}));
    const res = await s.turn('loop forever');
    expect(res.handoff).toBe(true);
    expect(s.fake.requests).toHaveLength(3);
    expect(s.tools.state.calls.filter((c) => c.name === 'get_account_balance')).toHaveLength(3);
    expect(s.tools.state.tickets).toHaveLength(1);
    expect(res.reply).toMatch(/person/);
  });

  it('hands off when the turn deadline passes after tools ran', async () => {
    const s = await setup({ turnTimeoutMs: 400, timeoutMs: 5000, maxRetries: 0 });
    s.fake.script(toolUse('get_account_balance', {}), hang());
    const res = await s.turn('balance');
    expect(res.handoff).toBe(true);
    expect(s.tools.state.tickets).toHaveLength(1);
  });

  it('continues after pause_turn by sending the assistant content back', async () => {
    const s = await setup();
    s.fake.script(message([{ type: 'text', text: 'Working on it…' }], 'pause_turn'), reply('Finished.'));
    const res = await s.turn('go');
    expect(res.reply).toContain('Finished.');
    const msgs = s.fake.requests[1]!.body.messages;
    expect(msgs[msgs.length - 1]!.role).toBe('assistant');
  });

  it('trims harder and retries once on model_context_window_exceeded', async () => {
    const s = await setup({ contextTokens: 1000 });
    for (let i = 0; i < 6; i++) {
      s.fake.script(reply(`answer ${i} ${'x'.repeat(400)}`));
      await s.turn(`question ${i} ${'y'.repeat(400)}`);
    }
    const before = s.fake.requests.length;
    s.fake.script(message([], 'model_context_window_exceeded'), reply('fits now'));
    const res = await s.turn('one more');
    expect(res.reply).toBe('fits now');
    const [big, small] = [s.fake.requests[before]!, s.fake.requests[before + 1]!];
    expect(small.body.messages.length).toBeLessThan(big.body.messages.length);
    expect(JSON.stringify(small.body.messages[0])).toContain('Summary of earlier parts');
  });
});

describe('transcript repair, authority and prompt stability', () => {
  it('repairs a tool_use left unanswered by a crash without running the tool again', async () => {
    const crashed = {
      threadKey: 'terminal:ada', channel: 'terminal' as const, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, appliedMessageIds: ['m0'],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'change my address' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_crash', name: 'update_address', input: { line1: '9 New St', city: 'York', postalCode: 'YO1 1AA', country: 'GB' } }] },
      ],
    };
    const s = await setup({ transcripts: [crashed] });
    s.fake.script(reply('Sorry, that change was interrupted. Shall I check your address?'));
    await s.turn('hello again');
    expect(s.tools.state.calls).toEqual([]);
    const sent = s.fake.requests[0]!.body.messages;
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const blocks = sent[2]!.content as FakeBlock[];
    expect(blocks[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'tu_crash', is_error: true, content: INTERRUPTED });
    expect(blocks[1]).toMatchObject({ type: 'text', text: 'hello again' });
  });

  it('refuses another customer\'s id and tools the caller lacks; nothing changes', async () => {
    const s = await setup();
    s.fake.script(toolUse('update_address', { customerId: 'cus_2', line1: 'x', city: 'y', postalCode: 'z', country: 'GB' }), reply('could not'));
    await s.turn('change cus_2 address');
    expect(toolResults(s.fake.requests[1]!)[0]!.is_error).toBe(true);
    expect(s.tools.state.address.line1).toBe('1 Old Road');

    const anon = await setup({}, 'anonymous');
    anon.fake.script(toolUse('get_account_balance', {}), reply('cannot'));
    await anon.turn('balance of cus_1');
    const r = toolResults(anon.fake.requests[1]!)[0]!;
    expect(r.is_error).toBe(true);
    expect(String(r.content)).toContain('not available');
    expect(anon.tools.state.calls).toEqual([]);
    expect(anon.fake.requests[0]!.body.tools!.map((t) => t.name)).toEqual(['create_ticket', 'search_knowledge_base']);
  });

  it('sends a byte-identical system prompt and tool list on turn 2, with cache breakpoints', async () => {
    const s = await setup();
    s.fake.script(reply('one', { cache_creation_input_tokens: 900 }), reply('two', { cache_read_input_tokens: 900 }));
    await s.turn('first');
    const res = await s.turn('second');
    const [a, b] = s.fake.requests as [RecordedRequest, RecordedRequest];
    expect(JSON.stringify(b.body.system)).toBe(JSON.stringify(a.body.system));
    expect(JSON.stringify(b.body.tools)).toBe(JSON.stringify(a.body.tools));
    const system = a.body.system as Array<{ cache_control?: unknown }>;
    expect(system[system.length - 1]!.cache_control).toEqual({ type: 'ephemeral' });
    const tools = a.body.tools!;
    expect(tools[tools.length - 1]!.cache_control).toEqual({ type: 'ephemeral' });
    expect(tools.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true);
    expect(res.usage.cacheReadTokens).toBe(900);
    expect(s.transcripts.map.get('terminal:ada')!.usage).toMatchObject({ cacheReadTokens: 900, cacheCreationTokens: 900 });
  });

  it('records notices as user-role text, keeping roles alternating', async () => {
    const s = await setup();
    s.fake.script(reply('ok'));
    await s.turn('deactivate card 4242');
    await s.agent.noteEvent('terminal:ada', 'Staff approved the card deactivation (apr_1).');
    s.fake.script(reply('Your card is deactivated.'));
    await s.turn('is it done?');
    const msgs = s.fake.requests[1]!.body.messages;
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(msgs[2])).toContain('[System notice] Staff approved');
  });

  it('lists tools once per MCP session, and keeps a notice for a thread with no transcript yet', async () => {
    const s = await setup();
    let lists = 0;
    const counting = { listTools: () => {
      lists++;
      return s.tools.client.listTools();
    }, callTool: (p: { name: string; arguments?: Record<string, unknown> }) => s.tools.client.callTool(p) };
    s.fake.script(toolUse('get_account_balance', {}), reply('a'), reply('b'));
    const base = { threadKey: 'terminal:ada', channel: 'terminal' as const, caller: { kind: 'customer' as const, customerId: 'cus_1' }, tools: counting };
    await s.agent.runTurn({ ...base, messageId: 'x1', text: 'one' });
    await s.agent.runTurn({ ...base, messageId: 'x2', text: 'two' });
    expect(lists).toBe(1);
    expect(s.fake.requests).toHaveLength(3);

    await s.agent.noteEvent('email:<root@example.com>', 'Staff denied the password change.');
    const t = s.transcripts.map.get('email:<root@example.com>')!;
    expect(t.channel).toBe('email');
    expect(t.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: '[System notice] Staff denied the password change.' }] }]);
  });

  it('refuses to re-run an older message id once a later one was applied', async () => {
    const s = await setup();
    s.fake.script(reply('one'), reply('two'));
    await s.turn('first', 'id-1');
    await s.turn('second', 'id-2');
    const err = await s.turn('first', 'id-1').catch((e: unknown) => e);
    expect(isAppError(err, 'conflict')).toBe(true);
    expect(s.fake.requests).toHaveLength(2);
  });
});
