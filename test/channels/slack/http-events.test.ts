import { afterEach, describe, expect, it } from 'vitest';
import { postEvent, postRaw, signedHeaders } from '../../helpers/slack-sign.js';
import { dm, eventBody, mention, nextTs, SECRET, sleep, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const posts = (hh: Harness) => hh.fake.callsOf('chat.postMessage');

describe('Slack HTTP mode (real Bolt receiver, signed requests)', () => {
  it('answers a DM in its thread, showing a working reaction meanwhile', async () => {
    h = await startHarness();
    const body = dm(h.fake, { text: 'hello there' });
    const res = await postEvent(h.url, SECRET, body);
    expect(res.status).toBe(200);
    const [post] = await h.fake.waitFor(() => posts(h!).length === 1 && posts(h!));
    expect(post?.args).toMatchObject({ channel: 'D0CUST', thread_ts: body.event.ts, text: 'You said: hello there' });
    expect(post?.token).toBe('xoxb-test');
    const msg = h.convs.handled[0];
    expect(msg).toMatchObject({ id: body.event.client_msg_id, channel: 'slack', threadKey: `slack:${h.fake.teamId}:D0CUST:${body.event.ts}`, sender: { id: 'UCUST', verified: true } });
    await h.fake.waitFor(() => h!.fake.callsOf('reactions.remove').length === 1);
    const add = h.fake.callsOf('reactions.add')[0];
    expect(add?.args).toMatchObject({ channel: 'D0CUST', timestamp: body.event.ts, name: 'eyes' });
    expect(h.fake.callsOf('reactions.remove')[0]?.args).toMatchObject({ channel: 'D0CUST', timestamp: body.event.ts, name: 'eyes' });
  });

  it.each([
    ['a wrong signature', (b: string) => ({ headers: { ...signedHeaders('not-the-secret', b) } })],
    ['a stale timestamp (over 5 minutes)', (b: string) => ({ headers: signedHeaders(SECRET, b, Math.floor(Date.now() / 1000) - 6 * 60) })],
    ['missing signature headers', () => ({ unsigned: true })],
  ])('rejects %s with 401 and runs nothing', async (_name, opts) => {
    h = await startHarness();
    const raw = JSON.stringify(dm(h.fake, { text: 'forged' }));
    const res = await postRaw(h.url, SECRET, raw, 'application/json', opts(raw));
    expect(res.status).toBe(401);
    await sleep(100);
    expect(h.convs.handled).toHaveLength(0);
    expect(h.fake.calls.map((c) => c.method)).toEqual(['auth.test']);
  });

  it('answers a channel mention in a thread under the mention, without the mention text', async () => {
    h = await startHarness();
    const body = mention(h.fake, { text: 'what are your opening hours?' });
    await postEvent(h.url, SECRET, body);
    const [post] = await h.fake.waitFor(() => posts(h!).length === 1 && posts(h!));
    expect(post?.args).toMatchObject({ channel: 'C0GEN', thread_ts: body.event.ts, text: 'You said: what are your opening hours?' });
    expect(h.convs.handled[0]?.threadKey).toBe(`slack:${h.fake.teamId}:C0GEN:${body.event.ts}`);
  });

  it('continues the same conversation for a reply in a thread the bot is part of, and ignores other threads', async () => {
    h = await startHarness();
    const root = mention(h.fake, { text: 'first question' });
    await postEvent(h.url, SECRET, root);
    await h.fake.waitFor(() => posts(h!).length === 1);
    const reply = eventBody(h.fake, { type: 'message', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: 'and a follow-up', ts: nextTs(), thread_ts: root.event.ts, client_msg_id: 'cm-follow', team: h.fake.teamId });
    await postEvent(h.url, SECRET, reply);
    await h.fake.waitFor(() => posts(h!).length === 2);
    expect(h.convs.handled.map((m) => m.threadKey)).toEqual([h.convs.handled[0]?.threadKey, h.convs.handled[0]?.threadKey]);
    expect(posts(h)[1]?.args).toMatchObject({ channel: 'C0GEN', thread_ts: root.event.ts });
    // a thread started by someone else that the bot never joined, and a plain channel message
    const unrelated = eventBody(h.fake, { type: 'message', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: 'chatter', ts: nextTs(), thread_ts: '1600000000.000100', parent_user_id: 'UOTHER', team: h.fake.teamId });
    const plain = eventBody(h.fake, { type: 'message', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: 'lunch?', ts: nextTs(), team: h.fake.teamId });
    // a thread under one of the bot's own posts counts as ours even if this process did not track it
    const underBot = eventBody(h.fake, { type: 'message', channel: 'C0OTHER', channel_type: 'channel', user: 'UCUST', text: 'about your message', ts: nextTs(), thread_ts: '1600000000.000200', parent_user_id: h.fake.botUserId, team: h.fake.teamId });
    for (const b of [unrelated, plain, underBot]) await postEvent(h.url, SECRET, b);
    await h.fake.waitFor(() => posts(h!).length === 3);
    await sleep(50);
    expect(h.convs.handled.map((m) => m.text)).toEqual(['first question', 'and a follow-up', 'about your message']);
  });

  it('after a restart, still follows a thread whose conversation is in the store', async () => {
    h = await startHarness();
    // A thread a customer started with a mention before the restart: this process never saw it, the store did.
    const rootTs = '1600000000.000300';
    h.convs.knownThreads.add(`slack:${h.fake.teamId}:C0GEN:${rootTs}`);
    const followUp = eventBody(h.fake, { type: 'message', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: 'any news?', ts: nextTs(), thread_ts: rootTs, parent_user_id: 'UCUST', client_msg_id: 'cm-after-restart', team: h.fake.teamId });
    const stranger = eventBody(h.fake, { type: 'message', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: 'not for the bot', ts: nextTs(), thread_ts: '1600000000.000400', parent_user_id: 'UCUST', team: h.fake.teamId });
    await postEvent(h.url, SECRET, stranger);
    await postEvent(h.url, SECRET, followUp);
    const [post] = await h.fake.waitFor(() => posts(h!).length === 1 && posts(h!));
    expect(post?.args).toMatchObject({ channel: 'C0GEN', thread_ts: rootTs, text: 'You said: any news?' });
    await sleep(50);
    expect(h.convs.handled.map((m) => m.text)).toEqual(['any news?']);
  });

  it('handles an event delivered four times (Slack retries) once: one turn, one reply', async () => {
    h = await startHarness();
    const body = dm(h.fake, { text: 'only once please' });
    const statuses = [];
    for (let retry = 0; retry < 4; retry += 1) statuses.push((await postEvent(h.url, SECRET, body, retry ? { retryNum: retry } : {})).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    await h.fake.waitFor(() => posts(h!).length === 1);
    await sleep(100);
    expect(h.convs.turns).toHaveLength(1);
    expect(posts(h)).toHaveLength(1);
  });

  it('dedupes a redelivery that arrives with a new event_id (same message)', async () => {
    h = await startHarness();
    const first = dm(h.fake, { text: 'same message' });
    const again = { ...first, event_id: 'EvDIFFERENT' };
    await postEvent(h.url, SECRET, first);
    await postEvent(h.url, SECRET, again);
    await h.fake.waitFor(() => posts(h!).length === 1);
    await sleep(80);
    expect(h.convs.turns).toHaveLength(1);
  });

  it('ignores bots, itself, edits, deletions, joins and other workspaces', async () => {
    h = await startHarness();
    const f = h.fake;
    const ignored = [
      dm(f, { text: 'from a bot', extra: { bot_id: 'B999' } }),
      dm(f, { text: 'from an app', extra: { app_id: 'A999' } }),
      dm(f, { text: 'from myself', user: f.botUserId }),
      dm(f, { text: 'edited', extra: { subtype: 'message_changed' } }),
      dm(f, { text: 'deleted', extra: { subtype: 'message_deleted' } }),
      dm(f, { text: 'bot message', extra: { subtype: 'bot_message' } }),
      eventBody(f, { type: 'message', subtype: 'channel_join', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: '<@UCUST> has joined', ts: nextTs() }),
      { ...dm(f, { text: 'other workspace' }), team_id: 'T0OTHER' },
      dm(f, { text: 'other user team', extra: { team: 'T0OTHER', user_team: 'T0OTHER' } }),
    ];
    for (const b of ignored) expect((await postEvent(h.url, SECRET, b)).status).toBe(200);
    await sleep(150);
    expect(h.convs.handled).toHaveLength(0);
    expect(posts(h)).toHaveLength(0);
  });

  it('posts customer-supplied hostile text safely, split under the limit, in order', async () => {
    h = await startHarness();
    const hostile = `Echo: <!channel> <!here> <!everyone> <@U123> <#C999> <https://evil.example|bank.com> ${'spam and eggs '.repeat(3600)}`;
    const body = dm(h.fake, { text: 'please echo', extra: {} });
    const h2 = h;
    // the fake agent echoes the hostile text (as if the model repeated the customer's words)
    h2.convs.port.handle = ((orig) => async (m) => orig({ ...m, text: hostile }))(h2.convs.port.handle.bind(h2.convs.port));
    await postEvent(h.url, SECRET, body);
    const list = await h.fake.waitFor(() => posts(h2).length >= 17 && h2.convs.turns.length === 1 && posts(h2), 10_000);
    await sleep(100);
    const texts = posts(h2).map((c) => String(c.args['text']));
    expect(texts.length).toBe(list.length);
    for (const t of texts) {
      expect(t.length).toBeLessThanOrEqual(3000);
      expect(t).not.toMatch(/<[!@#]|<https?:/);
    }
    expect(texts[0]).toContain('&lt;!channel&gt;');
    expect(texts[0]).toContain('&lt;https://evil.example|bank.com&gt;');
    expect(texts.join(' ').length).toBeGreaterThan(50_000);
    for (const c of posts(h2)) expect(c.args).toMatchObject({ thread_ts: body.event.ts, link_names: 'false', parse: 'none' });
  });

  it('honours a 429 with Retry-After for that channel only: other channels keep flowing; the reply arrives once, after the wait', async () => {
    h = await startHarness();
    const h2 = h;
    h.fake.script('chat.postMessage', { status: 429, retryAfter: 1, when: (a) => a['channel'] === 'D0SLOW' });
    const slow = dm(h.fake, { text: 'slow one', channel: 'D0SLOW' });
    await postEvent(h.url, SECRET, slow);
    const limited = await h.fake.waitFor(() => h2.fake.callsOf('chat.postMessage', { all: true }).find((c) => c.status === 429));
    const fast = dm(h.fake, { text: 'fast one', channel: 'D0FAST', user: 'UOTHER' });
    await postEvent(h.url, SECRET, fast);
    const fastPost = await h.fake.waitFor(() => posts(h2).find((c) => c.args['channel'] === 'D0FAST'));
    expect(fastPost.at - limited.at).toBeLessThan(900);
    const slowPost = await h.fake.waitFor(() => posts(h2).find((c) => c.args['channel'] === 'D0SLOW'), 5000);
    expect(slowPost.at - limited.at).toBeGreaterThanOrEqual(950);
    await sleep(100);
    expect(posts(h2).filter((c) => c.args['channel'] === 'D0SLOW')).toHaveLength(1);
    expect(slowPost.args).toMatchObject({ text: 'You said: slow one', thread_ts: slow.event.ts });
  });
});
