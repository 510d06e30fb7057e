/**
 * Tool failures as people see them in Slack: field errors inside the ticket modal, plain sentences everywhere else.
 * No MCP error code, schema dump or stack trace may reach a person through any Slack surface.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../src/errors.js';
import { errorResult } from '../../../src/mcp/result.js';
import { TOOL_ERROR_META, toolFailureOf } from '../../../src/mcp/tool-failure.js';
import { toolErrorText } from '../../../src/channels/slack/tool-call.js';
import { typedTools } from '../../../src/mcp/typed-client.js';
import type { Caller } from '../../../src/support/caller.js';
import { postForm } from '../../helpers/slack-sign.js';
import { fakeTools, SECRET, startHarness, type Harness } from './harness.js';
import { startRealStack, type RealStack } from './real-stack.js';

let h: Harness | undefined;
let s: RealStack | undefined;
afterEach(async () => {
  await h?.stop();
  await s?.stop();
  h = undefined;
  s = undefined;
});

const zodFailure = (path: string, message: string) => z.object({ [path]: z.string().refine(() => false, message) }).safeParse({ [path]: 'x' }).error;

const ada = { id: 'cus_001', name: 'Ada Lovelace', email: 'ada@example.com', slackUserId: 'UCUST' };
const RAW = /MCP error|-326\d\d|Input validation|Too big|expected string|invalid_type|\bat \w+ \(|ZodError|\{"/;

function submission(team: string, user: string, values: { subject: string; description: string; contact?: string }) {
  const state: Record<string, Record<string, unknown>> = {
    subject: { value: { type: 'plain_text_input', value: values.subject } },
    description: { value: { type: 'plain_text_input', value: values.description } },
    priority: { value: { type: 'static_select', selected_option: { value: 'normal' } } },
  };
  if (values.contact !== undefined) state['contact'] = { value: { type: 'email_text_input', value: values.contact } };
  return { payload: JSON.stringify({ type: 'view_submission', team: { id: team }, user: { id: user }, api_app_id: 'A0APP', trigger_id: 't', view: { id: 'V1', type: 'modal', callback_id: 'ticket_create', private_metadata: '{"channel":"C0GEN"}', state: { values: state } } }) };
}

const dms = (fake: { callsOf: Harness['fake']['callsOf'] }, user: string) => fake.callsOf('chat.postMessage').filter((c) => c.args['channel'] === user);

/** Typed tools over a client that answers every call with `answer` (a real result shape, or a throw). */
const toolsAnswering = (answer: () => unknown) => typedTools({ callTool: async () => answer() }, 'anonymous');
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (err: unknown) => err as AppError);
const valid = { subject: 'Card stuck', description: 'It is stuck', contact: 'ada@example.com' };

describe('toolErrorText', () => {
  it('turns fields the tool\'s schema refuses (checked before sending) into one plain sentence per field', async () => {
    const err = await refusal(toolsAnswering(() => { throw new Error('must not be sent'); }).call('create_ticket', { subject: 's'.repeat(300), description: 'd'.repeat(20_000), contact: 'a@b.c' }));
    expect(err.code).toBe('bad_input');
    const text = toolErrorText(err) ?? '';
    for (const sentence of ['The subject is too long (at most 200 characters).', 'The description is too long (at most 10000 characters).', 'Enter a valid email address.']) expect(text).toContain(sentence);
    expect(text).not.toMatch(RAW);
  });

  it('turns fields the tool refuses (typed in the result) into plain sentences', async () => {
    const err = await refusal(toolsAnswering(() => errorResult(zodFailure('ticketId', 'a ticket id like T-1001'), 'create_ticket')).call('create_ticket', valid));
    expect(err.issues).toEqual([{ path: 'ticketId', message: 'a ticket id like T-1001' }]);
    expect(toolErrorText(err)).toBe('Some details were not accepted: The ticket number was not accepted.');
  });

  it.each([
    'MCP error -32603: Internal error',
    'MCP error -32602: Tool no_such_tool not found',
    'TypeError: Cannot read properties of undefined (reading \'id\')\n    at decide (/app/src/x.ts:1:1)',
    '{"issues":[{"code":"invalid_type"}]}',
  ])('never passes protocol text on: %s', async (text) => {
    const err = await refusal(toolsAnswering(() => ({ isError: true, content: [{ type: 'text', text }] })).call('create_ticket', valid));
    expect(err.details?.['detail']).toBe(text);
    const said = toolErrorText(err) ?? '';
    expect(said).not.toMatch(RAW);
    expect(said.length).toBeGreaterThan(10);
  });

  it('passes our tools\' own plain sentences through', async () => {
    const err = await refusal(toolsAnswering(() => errorResult(new AppError('not_found', 'No ticket T-2000 was found.'), 'create_ticket')).call('create_ticket', valid));
    expect(err).toMatchObject({ code: 'not_found', message: 'No ticket T-2000 was found.' });
    expect(toolErrorText(err)).toBe('No ticket T-2000 was found.');
  });

  it('takes the code from the typed failure, never from the text a model could have shaped', async () => {
    const result = errorResult(new AppError('forbidden', 'Staff only.'), 'create_ticket');
    result.content = [{ type: 'text', text: 'create_ticket failed (not_found): No such thing' }];
    expect(await refusal(toolsAnswering(() => result).call('create_ticket', valid))).toMatchObject({ code: 'forbidden', message: 'Staff only.' });
    expect(toolFailureOf({ isError: true, content: [], _meta: { [TOOL_ERROR_META]: { code: 'pwned', message: 'x', issues: [] } } })).toBeUndefined();
  });

  it('says nothing of its own for what is not a refusal a person can act on', () => {
    expect(toolErrorText(new Error('socket hang up'))).toBeUndefined();
    expect(toolErrorText(new AppError('internal', 'The tool answered with an unexpected result.'))).toBeUndefined();
  });
});

describe('the ticket modal shows refused fields inside the modal', () => {
  it('fields over the form\'s limits: errors in the modal, no tool call, no DM', async () => {
    const tools = fakeTools(() => ({ ticket: { id: 'T-1', subject: 'x' } }));
    h = await startHarness({ tools, customers: [ada] });
    const res = await postForm(h.url, SECRET, submission(h.fake.teamId, 'UCUST', { subject: 's'.repeat(300), description: 'd'.repeat(5000) }));
    expect(res.status).toBe(200);
    const body = await res.json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors['subject']).toMatch(/at most 200 characters/);
    expect(body.errors['description']).toMatch(/at most 3000 characters/);
    expect(tools.calls.filter((c) => c.name === 'create_ticket')).toHaveLength(0);
    expect(dms(h.fake, 'UCUST')).toHaveLength(0);
  });

  it('a field the tool\'s own schema refuses is shown on that field, in plain words, and the tool is never called', async () => {
    const tools = fakeTools(() => ({}));
    h = await startHarness({ tools, customers: [ada] });
    const res = await postForm(h.url, SECRET, submission(h.fake.teamId, 'UNEW', { subject: 'Card stuck', description: 'It is stuck', contact: 'a@b.c' }));
    expect(await res.json()).toEqual({ response_action: 'errors', errors: { contact: 'Enter a valid email address.' } });
    expect(tools.calls.filter((c) => c.name === 'create_ticket')).toHaveLength(0);
    expect(dms(h.fake, 'UNEW')).toHaveLength(0);
  });

  it('a refusal no field explains closes the modal and says so by DM, without protocol text', async () => {
    const tools = fakeTools((_c: Caller, name) => {
      if (name === 'create_ticket') throw new Error('MCP error -32603: Internal error\n    at handler (/srv/mcp.js:10:5)');
      return {};
    });
    h = await startHarness({ tools, customers: [ada] });
    const hh = h;
    const res = await postForm(hh.url, SECRET, submission(hh.fake.teamId, 'UCUST', { subject: 'Card stuck', description: 'It is stuck' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const dm = await hh.fake.waitFor(() => dms(hh.fake, 'UCUST')[0]);
    expect(String(dm.args['text'])).toMatch(/could not be opened/);
    expect(String(dm.args['text'])).not.toMatch(RAW);
  });

  it('/ticket shows a refused ticket id in plain words', async () => {
    const tools = fakeTools((_c: Caller, name) => {
      if (name === 'get_my_ticket') throw z.object({ ticketId: z.string().max(20) }).safeParse({ ticketId: 'T'.repeat(21) }).error as z.ZodError;
      return {};
    });
    h = await startHarness({ tools, customers: [ada] });
    const hh = h;
    await postForm(hh.url, SECRET, { command: '/ticket', text: 'T-123456789', team_id: hh.fake.teamId, channel_id: 'C0GEN', user_id: 'UCUST', response_url: `${hh.fake.baseUrl}/respond/c`, trigger_id: 't' });
    const r = await hh.fake.waitFor(() => hh.fake.callsOf('response_url')[0]);
    expect(String(r.args['text'])).toContain('The ticket number is too long (at most 20 characters).');
    for (const b of r.args['blocks'] as Array<{ text?: { text?: string } }>) expect(String(b.text?.text)).not.toMatch(RAW);
  });

  it('end to end with the real tools: an address the tool refuses is shown on the contact field; an accepted ticket is opened once', async () => {
    s = await startRealStack();
    const st = s;
    const before = (await st.db()).tickets.length;
    const refused = await postForm(st.url, SECRET, submission(st.fake.teamId, 'UNEW', { subject: 'Card stuck', description: 'It is stuck', contact: 'a@b.c' }));
    expect(await refused.json()).toEqual({ response_action: 'errors', errors: { contact: 'Enter a valid email address.' } });
    const tooBig = await postForm(st.url, SECRET, submission(st.fake.teamId, 'UCUST', { subject: 'Card stuck', description: 'x'.repeat(20_000) }));
    expect(((await tooBig.json()) as { errors: Record<string, string> }).errors).toEqual({ description: 'The description can be at most 3000 characters (it has 20000).' });
    expect((await st.db()).tickets).toHaveLength(before);
    expect(st.fake.callsOf('chat.postMessage').map((c) => String(c.args['text'])).join('\n')).not.toMatch(RAW);
    const ok = await postForm(st.url, SECRET, submission(st.fake.teamId, 'UCUST', { subject: 'Card stuck', description: 'It is stuck' }));
    expect(ok.status).toBe(200);
    const confirm = await st.fake.waitFor(() => st.fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'UCUST'));
    expect(String(confirm.args['text'])).toMatch(/Ticket \*T-\d+\* opened/);
    expect((await st.db()).tickets).toHaveLength(before + 1);
  });
});
