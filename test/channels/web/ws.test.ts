/**
 * GET /api/v1/ws through a real `ws` client on loopback, against the real app (offline assistant): authentication by the
 * first frame, ownership of subscriptions, answers and later notices arriving live, bad frames, limits and clean-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvePending, call, signedToken, startWeb, type WebHarness } from './harness.js';
import { authedSocket, type Frame, openSocket } from './live-client.js';

let h: WebHarness;
let token: string;
let apiKey: string;

beforeAll(async () => {
  h = await startWeb({ SLACK_STAFF_USER_IDS: 'U_STAFF' }, { webLive: { pingMs: 200 } });
  apiKey = await h.key(['tokens:mint', 'chat:act-as-customer']);
  token = (await call(h.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${apiKey}` }, body: { customerId: 'cus_001' } })).json['token'];
});
afterAll(async () => h.close());

const newThread = async (auth?: string) => (await call(h.base, 'POST', '/api/v1/threads', auth ? { headers: { authorization: `Bearer ${auth}` } } : {})).json['threadId'] as string;
const subscribers = () => h.app.conversations.liveStats().subscribers;
const metric = async (name: string) => {
  const text = await (await fetch(`${h.base}/metrics`)).text();
  return Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
};
const isEvent = (type: string, threadId: string) => (f: Frame) => f['type'] === 'event' && f['threadId'] === threadId && f['event']?.['type'] === type;

describe('web socket', () => {
  it('a customer\'s answer streams in before the turn is done; a staff decision on their card arrives live on the open socket', async () => {
    const s = await authedSocket(h.base, token);
    expect(s.frames[0]).toEqual({ type: 'ready', caller: 'customer' });
    const threadId = await newThread(token);
    s.send({ type: 'subscribe', threadId });
    expect(await s.next((f) => f['type'] === 'subscribed', 'subscribed')).toMatchObject({ threadId, cursor: expect.stringMatching(/:0$/) });

    s.send({ type: 'message', threadId, clientMessageId: 'msg-balance-1', text: "what's my balance?" });
    expect(await s.next((f) => f['type'] === 'accepted', 'accepted')).toEqual({ type: 'accepted', threadId, clientMessageId: 'msg-balance-1', outcome: 'accepted' });
    const reply = await s.next(isEvent('message', threadId), 'the reply');
    const events = s.events(threadId);
    const done = events.findIndex((e) => e['type'] === 'turn_done');
    const texts = events.filter((e) => e['type'] === 'text');
    expect(texts.length).toBeGreaterThan(0);
    expect(events.indexOf(texts[0]!)).toBeLessThan(done);
    expect(reply['event']['text'].startsWith(texts.map((e) => e['text']).join(''))).toBe(true);
    const balance = (await h.app.support.accounts.balance({ kind: 'customer', customerId: 'cus_001' }))[0]!;
    expect(reply['event']).toMatchObject({ kind: 'reply', inReplyToId: `web:cus_001:${threadId}:msg-balance-1` });
    expect(reply['event']['text']).toContain(balance.formatted);
    // Ids follow the thread's sequence, one by one, without a gap.
    expect(events.map((e) => e['seq'])).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e['threadKey'] === undefined)).toBe(true);

    const from = s.frames.length;
    s.send({ type: 'message', threadId, clientMessageId: 'msg-lost-card', text: 'I lost my card ending 6578 last night' });
    await s.next(isEvent('message', threadId), 'the answer about the card', from);
    const before = s.frames.length;
    const decided = await approvePending(h.app, `web:cus_001:${threadId}`, 'card_deactivation');
    const notice = await s.next(isEvent('message', threadId), 'the decision notice', before);
    expect(notice['event']).toMatchObject({ kind: 'notice', text: decided.customerMessage });
    expect(decided.customerMessage).toContain('6578');
    await s.close();
  });

  it('an anonymous socket cannot follow a customer\'s thread: another channel\'s id is not found, a web id is its own (empty) thread', async () => {
    const customer = await authedSocket(h.base, token);
    const threadId = await newThread(token);
    customer.send({ type: 'subscribe', threadId });
    await customer.next((f) => f['type'] === 'subscribed', 'subscribed');
    const anon = await authedSocket(h.base);
    expect(anon.frames[0]).toEqual({ type: 'ready', caller: 'anonymous' });
    const slackThread = `x.${Buffer.from('slack:T1:C1:1700000000.000100').toString('base64url')}`;
    anon.send({ type: 'subscribe', threadId: slackThread });
    expect(await anon.next((f) => f['type'] === 'error', 'refusal')).toMatchObject({ code: 'not_found', threadId: slackThread });
    anon.send({ type: 'subscribe', threadId });
    await anon.next((f) => f['type'] === 'subscribed', 'subscribed');
    await h.app.conversations.notifyThread(`web:cus_001:${threadId}`, 'Your card deactivation was approved.');
    await customer.next(isEvent('message', threadId), 'the notice');
    await new Promise((r) => setTimeout(r, 100));
    expect(anon.events()).toEqual([]);
    await customer.close();
    await anon.close();
  });

  it('refuses an expired, forged or API-key credential, and any frame before auth, with 4401', async () => {
    const cases: unknown[] = [
      { type: 'auth', token: await signedToken({ iat: Math.floor(Date.now() / 1000) - 3600 }) },
      { type: 'auth', token: await signedToken({ secret: 'not-the-server-secret-0123456789-abcdefgh' }) },
      { type: 'auth', token: apiKey },
      { type: 'subscribe', threadId: 'th_00000000000000000000000000000000' },
    ];
    for (const frame of cases) {
      const s = await openSocket(h.base);
      s.send(frame);
      expect(await s.next((f) => f['type'] === 'error', 'the refusal')).toMatchObject({ code: 'unauthorized' });
      expect((await s.closed).code).toBe(4401);
    }
    // The same token signed right is accepted (the refusals above are about the credential, not the shape).
    await (await authedSocket(h.base, await signedToken())).close();
  });

  it('answers bad frames with bad_input and goes on; an oversized frame closes the socket; the process lives on', async () => {
    const s = await authedSocket(h.base, token);
    const bad = ['not json', '{"type":"subscribe"}', '{"type":"launch"}', JSON.stringify({ type: 'message', threadId: 'th_1', clientMessageId: 'x', text: '' }), '[]', 'null'];
    for (const frame of bad) s.send(frame);
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await s.next(() => s.frames.filter((f) => f['type'] === 'error').length === bad.length + 1, 'all refusals');
    expect(s.frames.slice(1).map((f) => f['code'])).toEqual(Array(bad.length + 1).fill('bad_input'));
    s.send({ type: 'auth', token });
    expect(await s.next((f) => f['message'] === 'Already authenticated.', 'second auth')).toMatchObject({ code: 'bad_input' });
    const threadId = await newThread(token);
    s.send({ type: 'subscribe', threadId });
    await s.next((f) => f['type'] === 'subscribed', 'still serving');
    s.send(JSON.stringify({ type: 'message', threadId, clientMessageId: 'big-frame-1', text: 'x'.repeat(17 * 1024) }));
    expect((await s.closed).code).toBe(1009);
    expect((await call(h.base, 'GET', '/healthz')).status).toBe(200);
    // Without an upgrade the endpoint says what it is.
    expect((await call(h.base, 'GET', '/api/v1/ws')).json).toMatchObject({ error: { code: 'bad_request', message: expect.stringContaining('WebSocket') } });
  });

  it('follows at most 20 threads per connection; unsubscribing makes room', async () => {
    const s = await authedSocket(h.base);
    const ids = Array.from({ length: 21 }, (_, i) => `th_${i.toString(16).padStart(32, 'a')}`);
    for (const threadId of ids) s.send({ type: 'subscribe', threadId });
    expect(await s.next((f) => f['type'] === 'error', 'the cap')).toMatchObject({ code: 'bad_input', threadId: ids[20] });
    expect(s.frames.filter((f) => f['type'] === 'subscribed')).toHaveLength(20);
    s.send({ type: 'unsubscribe', threadId: ids[0] });
    s.send({ type: 'subscribe', threadId: ids[20] });
    await s.next((f) => f['type'] === 'subscribed' && f['threadId'] === ids[20], 'room made');
    await s.close();
  });

  it('limits frames per connection (WEB_RATE_PER_IP_MINUTE) and a customer\'s messages across connections (WEB_RATE_PER_CUSTOMER_MINUTE)', async () => {
    const limited = await startWeb({ WEB_RATE_PER_IP_MINUTE: '5', WEB_RATE_PER_CUSTOMER_MINUTE: '3' });
    try {
      const s = await authedSocket(limited.base);
      for (let i = 0; i < 6; i++) s.send({ type: 'unsubscribe', threadId: 'th_00000000000000000000000000000000' });
      expect(await s.next((f) => f['type'] === 'error', 'the limit')).toMatchObject({ code: 'rate_limited' });
      expect(s.frames.filter((f) => f['type'] === 'unsubscribed')).toHaveLength(4);
      await s.close();

      // Per customer: each authentication and each message counts, whichever connection it comes on.
      const key = await limited.key(['tokens:mint']);
      const t = (await call(limited.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${key}` }, body: { customerId: 'cus_002' } })).json['token'];
      const a = await authedSocket(limited.base, t);
      const b = await authedSocket(limited.base, t);
      const threadId = 'th_0123456789abcdef0123456789abcdef';
      a.send({ type: 'message', threadId, clientMessageId: 'limit-msg-a', text: 'hello' });
      expect(await a.next((f) => f['type'] === 'accepted' || f['type'] === 'error', 'first message')).toMatchObject({ type: 'accepted' });
      b.send({ type: 'message', threadId, clientMessageId: 'limit-msg-b', text: 'hello again' });
      expect(await b.next((f) => f['type'] === 'error', 'refusal')).toMatchObject({ code: 'rate_limited', threadId });
      const c = await openSocket(limited.base);
      c.send({ type: 'auth', token: t });
      expect(await c.next((f) => f['type'] === 'error', 'refusal')).toMatchObject({ code: 'rate_limited' });
      expect((await c.closed).code).toBe(4429);
      for (const x of [a, b]) await x.close();
    } finally {
      await limited.close();
    }
  });

  it('closes the socket when its token expires (4401), so a connection never outlives its credential', async () => {
    const s = await authedSocket(h.base, await signedToken({ ttlSeconds: 1 }));
    expect((await s.closed).code).toBe(4401);
    expect(s.frames.at(-1)).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('ends its subscriptions when the client goes (also without a close frame); /metrics counts sessions, messages and bytes', async () => {
    const opened = await metric('helpline_web_sessions_total{transport="ws"}');
    const open = await metric('helpline_web_sessions_open{transport="ws"}');
    // Every socket of the tests above has gone: none of their subscriptions is left.
    await expect.poll(subscribers).toBe(0);
    const base = 0;
    const a = await authedSocket(h.base, token);
    const b = await authedSocket(h.base, token);
    for (const s of [a, b]) for (const id of [await newThread(token), await newThread(token)]) s.send({ type: 'subscribe', threadId: id });
    await a.next(() => a.frames.filter((f) => f['type'] === 'subscribed').length === 2, 'a subscribed');
    await b.next(() => b.frames.filter((f) => f['type'] === 'subscribed').length === 2, 'b subscribed');
    expect(subscribers()).toBe(base + 4);
    expect(await metric('helpline_web_sessions_open{transport="ws"}')).toBe(open + 2);
    await a.close();
    b.ws.terminate();
    await b.closed;
    await expect.poll(subscribers).toBe(base);
    await expect.poll(() => metric('helpline_web_sessions_open{transport="ws"}')).toBe(open);
    expect(await metric('helpline_web_sessions_total{transport="ws"}')).toBe(opened + 2);
    expect(await metric('helpline_web_messages_total{transport="ws"}')).toBeGreaterThanOrEqual(2);
    expect(await metric('helpline_web_streamed_bytes_total{transport="ws"}')).toBeGreaterThan(0);
  });

  it('drops a client that stops answering pings', async () => {
    const open = await metric('helpline_web_sessions_open{transport="ws"}');
    const s = await authedSocket(h.base, token);
    s.send({ type: 'subscribe', threadId: await newThread(token) });
    await s.next((f) => f['type'] === 'subscribed', 'subscribed');
    const base = subscribers();
    expect(await metric('helpline_web_sessions_open{transport="ws"}')).toBe(open + 1);
    // ws answers pings itself: stop reading the socket, so no pong goes back (a client gone without a word).
    (s.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await expect.poll(() => metric('helpline_web_sessions_open{transport="ws"}'), { timeout: 3000 }).toBe(open);
    expect(subscribers()).toBe(base - 1);
    s.ws.terminate();
  });
});
