/**
 * Correctly signed requests Slack's real traffic (and anyone holding the secret) can send, through the real Bolt app
 * in HTTP mode: malformed envelopes, notices we only acknowledge, odd dedupe keys, future timestamps. Nothing may
 * stop the process or loop on retries; what is refused is refused clearly, logged and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import type { ConversationsPort, InboundMessage } from '../../../src/conversations/types.js';
import { postEvent, postForm, postRaw, signedHeaders } from '../../helpers/slack-sign.js';
import { captureLogger, dm, escapedErrors, eventBody, nextTs, SECRET, sleep, startHarness, watchDrops, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const posts = (hh: Harness) => hh.fake.callsOf('chat.postMessage');

/** After whatever happened, a plain DM is still answered. */
async function stillAnswers(hh: Harness): Promise<void> {
  const before = posts(hh).length;
  const body = dm(hh.fake, { text: 'are you still there?' });
  expect((await postEvent(hh.url, SECRET, body)).status).toBe(200);
  const post = await hh.fake.waitFor(() => posts(hh).slice(before).find((c) => c.args['thread_ts'] === body.event.ts));
  expect(post.args['text']).toBe('You said: are you still there?');
}

describe('malformed but correctly signed requests', () => {
  const jsonBodies: Array<[string, string]> = [
    ['JSON null', 'null'],
    ['an empty array', '[]'],
    ['a string', '"hello"'],
    ['a number', '42'],
    ['an object without type', '{}'],
    ['an object whose type is a number', '{"type":7}'],
    ['an object whose type is null', '{"type":null,"event":{}}'],
    ['event_callback without an event', '{"type":"event_callback","team_id":"T0TEAM"}'],
    ['event_callback with event null', '{"type":"event_callback","event":null}'],
    ['a message event whose channel is null', '{"type":"event_callback","event":{"type":"message","channel":null,"user":"UCUST","ts":"1.2"}}'],
    ['a message event whose user is null', '{"type":"event_callback","event":{"type":"message","user":null,"channel":"D0CUST","ts":"1.2"}}'],
    ['a message event whose item is a string', '{"type":"event_callback","event":{"type":"app_mention","item":"x","channel":"C1","user":"U1","ts":"1.2"}}'],
    ['authorizations holding null', '{"type":"event_callback","authorizations":[null],"event":{"type":"message","channel":"D0CUST","user":"UCUST","ts":"1.2"}}'],
    ['invalid JSON', '{"type":"event_callback",'],
    ['url_verification without a challenge', '{"type":"url_verification"}'],
  ];

  it.each(jsonBodies)('%s: 400 without retries, warned and counted; the process keeps answering', async (_name, raw) => {
    const drops = watchDrops();
    const cap = captureLogger('debug');
    h = await startHarness({ deps: { onDropped: drops.onDropped, log: cap.log } });
    const hh = h;
    const escaped = await escapedErrors(async () => {
      const res = await postRaw(hh.url, SECRET, raw, 'application/json');
      expect(res.status).toBe(400);
      expect(res.headers.get('x-slack-no-retry')).toBe('1');
    });
    expect(escaped).toEqual([]);
    expect(drops.reasons).toEqual(['malformed']);
    expect(cap.records().some((r) => r['level'] === 40 && r['msg'] === 'slack request refused')).toBe(true);
    expect(hh.convs.handled).toHaveLength(0);
    await stillAnswers(hh);
  });

  const forms: Array<[string, Record<string, string> | string]> = [
    ['payload=null', { payload: 'null' }],
    ['payload that is not JSON', { payload: '{"type":"block_actions"' }],
    ['payload that is a number', { payload: '12' }],
    ['block_actions without actions', { payload: JSON.stringify({ type: 'block_actions', user: { id: 'USTAFF' }, team: { id: 'T0TEAM' } }) }],
    ['block_actions whose first action is null', { payload: JSON.stringify({ type: 'block_actions', user: { id: 'USTAFF' }, actions: [null] }) }],
    ['block_actions without a user', { payload: JSON.stringify({ type: 'block_actions', actions: [{ type: 'button', action_id: 'approval_approve', value: 'apr_1' }] }) }],
    ['block_actions whose channel is null', { payload: JSON.stringify({ type: 'block_actions', user: { id: 'USTAFF' }, channel: null, actions: [{ type: 'button', action_id: 'approval_approve' }] }) }],
    ['view_submission without a view', { payload: JSON.stringify({ type: 'view_submission', user: { id: 'UCUST' } }) }],
    ['view_submission whose state values are null', { payload: JSON.stringify({ type: 'view_submission', user: { id: 'UCUST' }, view: { callback_id: 'ticket_create', state: { values: null } } }) }],
    ['a slash command without user_id', { command: '/ticket', text: '', team_id: 'T0TEAM', channel_id: 'C0GEN' }],
    ['a slash command whose name is not a command', { command: 'ticket', text: '', team_id: 'T0TEAM', channel_id: 'C0GEN', user_id: 'UCUST' }],
    ['a repeated payload field', 'payload=%7B%7D&payload=%7B%7D'],
    ['a form with no known field', { hello: 'world' }],
  ];

  it.each(forms)('interactivity / command with %s: 400 without retries; the process keeps answering', async (_name, fields) => {
    const drops = watchDrops();
    h = await startHarness({ deps: { onDropped: drops.onDropped } });
    const hh = h;
    const escaped = await escapedErrors(async () => {
      const res = typeof fields === 'string'
        ? await postRaw(hh.url, SECRET, fields, 'application/x-www-form-urlencoded')
        : await postForm(hh.url, SECRET, fields);
      expect(res.status).toBe(400);
    });
    expect(escaped).toEqual([]);
    expect(drops.reasons).toEqual(['malformed']);
    expect(hh.fake.calls.map((c) => c.method)).toEqual(['auth.test']);
    await stillAnswers(hh);
  });
});

describe('requests we only acknowledge', () => {
  it('app_rate_limited is acknowledged at once (no 3 s wait, no 404), logged at warn and counted', async () => {
    const drops = watchDrops();
    const cap = captureLogger('debug');
    h = await startHarness({ deps: { onDropped: drops.onDropped, log: cap.log } });
    const t0 = performance.now();
    const res = await postEvent(h.url, SECRET, { token: 'legacy', type: 'app_rate_limited', team_id: h.fake.teamId, minute_rate_limited: 1518467820, api_app_id: 'A0APP' });
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(drops.reasons).toEqual(['app_rate_limited']);
    const records = cap.records();
    expect(records.some((r) => r['level'] === 40 && String(r['msg']).includes('rate limited'))).toBe(true);
    expect(records.some((r) => Number(r['level']) >= 50)).toBe(false);
  });

  it.each([
    ['a type Slack may add later', { type: 'brand_new_envelope', team_id: 'T0TEAM' }, 'unhandled_type'],
    ['an event type we do not subscribe to', { type: 'event_callback', team_id: 'T0TEAM', event_id: 'Ev1', event: { type: 'reaction_added', user: 'U1', item: { type: 'message', channel: 'C1', ts: '1.2' } } }, 'unhandled_event'],
    ['channel_created (channel is an object)', { type: 'event_callback', team_id: 'T0TEAM', event: { type: 'channel_created', channel: { id: 'C9', name: 'x', creator: 'U1' } } }, 'unhandled_event'],
  ])('%s is acknowledged at once and counted', async (_name, body, reason) => {
    const drops = watchDrops();
    h = await startHarness({ deps: { onDropped: drops.onDropped } });
    const t0 = performance.now();
    expect((await postEvent(h.url, SECRET, body)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(drops.reasons).toEqual([reason]);
  });

  it('interactivity with no listener (view_closed, shortcut) gets a 200 at once, never a 404 after 3 s', async () => {
    h = await startHarness();
    for (const payload of [
      { type: 'view_closed', user: { id: 'UCUST' }, team: { id: h.fake.teamId }, view: { id: 'V1', callback_id: 'ticket_create' }, is_cleared: false },
      { type: 'shortcut', callback_id: 'x', user: { id: 'UCUST' }, team: { id: h.fake.teamId }, trigger_id: 't' },
      { type: 'block_actions', user: { id: 'UCUST' }, team: { id: h.fake.teamId }, actions: [{ type: 'button', action_id: 'someone_elses_button', block_id: 'b' }] },
    ]) {
      const t0 = performance.now();
      expect((await postForm(h.url, SECRET, { payload: JSON.stringify(payload) })).status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('url_verification answers the challenge; Slack\'s unsigned ssl_check gets a 200 and runs nothing', async () => {
    h = await startHarness();
    const res = await postEvent(h.url, SECRET, { token: 'legacy', challenge: 'abc123', type: 'url_verification' });
    expect(await res.json()).toEqual({ challenge: 'abc123' });
    const ssl = await postForm(h.url, SECRET, { ssl_check: '1', token: 'legacy', payload: JSON.stringify(dm(h.fake, { text: 'smuggled' })) }, { unsigned: true });
    expect(ssl.status).toBe(200);
    await sleep(50);
    expect(h.convs.handled).toHaveLength(0);
  });
});

describe('request timestamps', () => {
  it.each([
    ['6 minutes in the future', 6 * 60],
    ['a day in the future', 24 * 3600],
    ['6 minutes old', -6 * 60],
  ])('a correctly signed request stamped %s is refused with 401 and runs nothing', async (_name, offset) => {
    const drops = watchDrops();
    h = await startHarness({ deps: { onDropped: drops.onDropped } });
    const raw = JSON.stringify(dm(h.fake, { text: 'replayed later' }));
    const res = await postRaw(h.url, SECRET, raw, 'application/json', { headers: signedHeaders(SECRET, raw, Math.floor(Date.now() / 1000) + offset) });
    expect(res.status).toBe(401);
    await sleep(50);
    expect(h.convs.handled).toHaveLength(0);
    expect(drops.reasons).toEqual(['unauthenticated']);
  });

  it('a request stamped 4 minutes in the future (clock skew) is still accepted', async () => {
    h = await startHarness();
    const raw = JSON.stringify(dm(h.fake, { text: 'slightly ahead' }));
    const res = await postRaw(h.url, SECRET, raw, 'application/json', { headers: signedHeaders(SECRET, raw, Math.floor(Date.now() / 1000) + 4 * 60) });
    expect(res.status).toBe(200);
    expect(h.convs.handled.map((m) => m.text)).toEqual(['slightly ahead']);
  });
});

describe('dedupe keys', () => {
  it.each([
    ['empty', ''],
    ['whitespace', '   '],
    ['absurdly long', 'x'.repeat(5000)],
    ['a number', 12345],
    ['an object', { id: 'x' }],
    ['null', null],
    ['with a newline', 'abc\ndef'],
  ])('a %s client_msg_id falls back to channel:ts: answered once, every retry acknowledged', async (_name, odd) => {
    h = await startHarness();
    const hh = h;
    const ts = nextTs();
    const body = dm(hh.fake, { text: 'odd key', ts, extra: { client_msg_id: odd } });
    const statuses: number[] = [];
    for (let retry = 0; retry < 3; retry += 1) statuses.push((await postEvent(hh.url, SECRET, body, retry ? { retryNum: retry } : {})).status);
    expect(statuses).toEqual([200, 200, 200]);
    await hh.fake.waitFor(() => posts(hh).length === 1);
    await sleep(50);
    expect(hh.convs.turns).toHaveLength(1);
    expect(hh.convs.handled[0]?.id).toBe(`D0CUST:${ts}`);
  });

  it('a sound client_msg_id is kept, so the message and app_mention events of one message are one message', async () => {
    h = await startHarness();
    const ts = nextTs();
    const mention = eventBody(h.fake, { type: 'app_mention', channel: 'C0GEN', user: 'UCUST', text: `<@${h.fake.botUserId}> hi`, ts, client_msg_id: '8a0b7c64-1f2e-4d3c-9b8a-0123456789ab', team: h.fake.teamId });
    await postEvent(h.url, SECRET, mention);
    expect(h.convs.handled[0]?.id).toBe('8a0b7c64-1f2e-4d3c-9b8a-0123456789ab');
  });

  it('a permanent input error is acknowledged, not retried into a loop; a transient one still gets a 500', async () => {
    let failure: Error | undefined = new AppError('bad_input', 'message id must be 1..1000 characters');
    const seen: InboundMessage[] = [];
    const conversations: ConversationsPort = {
      async handle(msg) {
        seen.push(msg);
        if (failure) throw failure;
        return { accepted: true };
      },
      async notifyThread() {},
      deliverStaffReplies: async () => [],
      hasThread: async () => false,
    };
    const drops = watchDrops();
    h = await startHarness({ conversations, deps: { onDropped: drops.onDropped } });
    const body = dm(h.fake, { text: 'cannot be stored' });
    expect((await postEvent(h.url, SECRET, body)).status).toBe(200);
    expect((await postEvent(h.url, SECRET, body, { retryNum: 1 })).status).toBe(200);
    expect(seen).toHaveLength(1); // the retry was recognised, not processed again
    expect(drops.reasons).toEqual(['rejected']);
    failure = new Error('disk full');
    const other = dm(h.fake, { text: 'store down' });
    expect((await postEvent(h.url, SECRET, other)).status).toBe(500);
    failure = undefined;
    expect((await postEvent(h.url, SECRET, other, { retryNum: 1 })).status).toBe(200);
    expect(seen.map((m) => m.text)).toEqual(['cannot be stored', 'store down', 'store down']);
  });
});

describe('who is ignored, and how', () => {
  it('DMs from Slackbot are ignored like other robots', async () => {
    h = await startHarness();
    for (const extra of [{}, { subtype: 'slackbot_response' }]) {
      expect((await postEvent(h.url, SECRET, dm(h.fake, { user: 'USLACKBOT', text: 'Reminder: pay the invoice', channel: 'D0SLACKBOT', extra }))).status).toBe(200);
    }
    await sleep(100);
    expect(h.convs.handled).toHaveLength(0);
    expect(posts(h)).toHaveLength(0);
  });

  it('messages, clicks and commands from another workspace are logged at debug and counted', async () => {
    const drops = watchDrops();
    const cap = captureLogger('debug');
    h = await startHarness({ deps: { onDropped: drops.onDropped, log: cap.log } });
    await postEvent(h.url, SECRET, { ...dm(h.fake, { text: 'other workspace' }), team_id: 'T0OTHER' });
    await postEvent(h.url, SECRET, dm(h.fake, { text: 'external user', extra: { team: 'T0OTHER', user_team: 'T0OTHER' } }));
    await postForm(h.url, SECRET, { command: '/ticket', text: 'list', team_id: 'T0OTHER', channel_id: 'C0GEN', user_id: 'UEXT', response_url: `${h.fake.baseUrl}/respond/x`, trigger_id: 't' });
    await sleep(100);
    expect(h.convs.handled).toHaveLength(0);
    expect(drops.count('foreign_workspace')).toBe(3);
    const lines = cap.records().filter((r) => String(r['msg']).includes('another workspace'));
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l['level']).toBe(20);
  });
});
