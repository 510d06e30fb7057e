/** GET /api/v1/threads/:threadId/events through plain fetch streaming, against the real app (offline assistant) on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, signedToken, startWeb, type WebHarness } from './harness.js';
import { authedSocket, openSse } from './live-client.js';

let h: WebHarness;
let token: string;
let apiKey: string;

beforeAll(async () => {
  h = await startWeb({}, { webLive: { heartbeatMs: 50 } });
  apiKey = await h.key(['tokens:mint', 'chat:act-as-customer']);
  token = (await call(h.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${apiKey}` }, body: { customerId: 'cus_001' } })).json['token'];
});
afterAll(async () => h.close());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const newThread = async () => (await call(h.base, 'POST', '/api/v1/threads', { headers: bearer(token) })).json['threadId'] as string;
const events = (threadId: string, query = '') => `${h.base}/api/v1/threads/${threadId}/events${query}`;
const say = (threadId: string, clientMessageId: string, text: string) =>
  call(h.base, 'POST', `/api/v1/threads/${threadId}/messages`, { headers: bearer(token), body: { clientMessageId, text } });

describe('server-sent events', () => {
  it('streams a turn with ?access_token=: ids on every event, text before the turn is done, the reply, heartbeats', async () => {
    const threadId = await newThread();
    const sse = await openSse(events(threadId, `?access_token=${token}`));
    expect(sse.status).toBe(200);
    expect(sse.headers.get('cache-control')).toBe('no-store');
    const answer = await say(threadId, 'sse-balance-1', "what's my balance?");
    expect(answer.json['status']).toBe('answered');
    const reply = await sse.next((e) => e.data['type'] === 'message', 'the reply');
    expect(reply.data).toMatchObject({ kind: 'reply', text: answer.json['reply']['text'] });
    const types = sse.events.map((e) => e.data['type']);
    expect(types.indexOf('text')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('text')).toBeLessThan(types.indexOf('turn_done'));
    for (const e of sse.events) expect(e.id).toBe(e.data['id']);
    await expect.poll(() => sse.comments.filter((c) => c === 'keepalive').length).toBeGreaterThan(1);
    await sse.close();
  });

  it('takes REST credentials in headers, a token but never an API key in the URL, and only the caller\'s threads', async () => {
    const threadId = await newThread();
    const viaKey = await openSse(events(threadId), { ...bearer(apiKey), 'x-helpline-customer': 'cus_001' });
    expect(viaKey.status).toBe(200);
    await viaKey.close();
    const keyInUrl = await openSse(events(threadId, `?access_token=${apiKey}`));
    expect([keyInUrl.status, JSON.parse(await keyInUrl.body).error.code]).toEqual([401, 'unauthorized']);
    const both = await openSse(events(threadId, `?access_token=${token}`), bearer(token));
    expect(both.status).toBe(400);
    const forged = await openSse(events(threadId, `?access_token=${token.slice(0, -4)}AAAA`));
    expect(forged.status).toBe(401);
    const slackThread = `x.${Buffer.from('slack:T1:C1:1700000000.000100').toString('base64url')}`;
    const foreign = await openSse(events(slackThread), bearer(token));
    expect([foreign.status, JSON.parse(await foreign.body).error.code]).toEqual([404, 'not_found']);
    const badCursor = await openSse(events(threadId, '?after=x'), bearer(token));
    expect(badCursor.status).toBe(400);
  });

  it('resumes after Last-Event-ID or ?after= with exactly the later events; an unknown cursor gets resync first', async () => {
    const threadId = await newThread();
    const first = await openSse(events(threadId), bearer(token));
    await say(threadId, 'sse-resume-1', "what's my balance?");
    await first.next((e) => e.data['type'] === 'message', 'the reply');
    await first.close();
    const all = first.events;
    expect(all.length).toBeGreaterThan(3);
    const cut = 2;
    for (const resumed of [
      await openSse(events(threadId), { ...bearer(token), 'last-event-id': all[cut - 1]!.id! }),
      await openSse(events(threadId, `?after=${encodeURIComponent(all[cut - 1]!.id!)}`), bearer(token)),
    ]) {
      await resumed.next((e) => e.data['type'] === 'message', 'the replayed reply');
      expect(resumed.events).toEqual(all.slice(cut));
      await resumed.close();
    }
    const stale = await openSse(events(threadId), { ...bearer(token), 'last-event-id': 'gone.1:3' });
    await stale.next(() => stale.events.length > 0, 'resync');
    expect(stale.events[0]).toEqual({ id: undefined, data: { type: 'resync' } });
    await stale.close();
  });

  it('ends the stream when the token in the URL expires', async () => {
    const sse = await openSse(events(await newThread(), `?access_token=${await signedToken({ ttlSeconds: 1 })}`));
    expect(sse.status).toBe(200);
    const started = Date.now();
    await sse.body;
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ends the subscription when the client disconnects', async () => {
    const subscribers = () => h.app.conversations.liveStats().subscribers;
    // Every client of the tests above has gone: none of their subscriptions is left.
    await expect.poll(subscribers).toBe(0);
    const sse = await openSse(events(await newThread()), bearer(token));
    expect(subscribers()).toBe(1);
    await sse.close();
    await expect.poll(subscribers).toBe(0);
    const text = await (await fetch(`${h.base}/metrics`)).text();
    expect(text).toMatch(/^helpline_web_sessions_open\{transport="sse"\} 0$/m);
    expect(Number(/^helpline_web_streamed_bytes_total\{transport="sse"\} (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});

describe('stopping with live clients', () => {
  it('the app stops promptly with a socket and an SSE stream open; both clients see the end', async () => {
    const other = await startWeb();
    const t = await call(other.base, 'POST', '/api/v1/threads');
    const sse = await openSse(`${other.base}/api/v1/threads/${t.json['threadId']}/events`);
    const ws = await authedSocket(other.base);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await sse.body).toBe('');
    expect((await ws.closed).code).toBeGreaterThan(1000);
  });
});
