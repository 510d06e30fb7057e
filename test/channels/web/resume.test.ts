/**
 * Resuming live events without loss or repetition: clients that drop mid-turn (the real Claude adapter streaming from
 * the local fake Messages API, paced) and come back with their last event id get exactly what an uninterrupted client got.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeAnthropic, toolUse, type FakeAnthropic } from '../../helpers/fake-anthropic.js';
import { call, startWeb, type WebHarness } from './harness.js';
import { authedSocket, type Frame, openSse } from './live-client.js';

let h: WebHarness;
let fake: FakeAnthropic;
let token: string;

beforeAll(async () => {
  fake = await startFakeAnthropic({ chunkChars: 4, chunkDelayMs: 15 });
  h = await startWeb({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: 'claude-test-1', ANTHROPIC_TIMEOUT_MS: '10000', ANTHROPIC_MAX_RETRIES: '0' });
  const key = await h.key(['tokens:mint']);
  token = (await call(h.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${key}` }, body: { customerId: 'cus_001' } })).json['token'];
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const ANSWER = 'Your checking account is in good shape today, and nothing unusual happened on your cards this week.';
const isEnd = (e: Frame) => e['type'] === 'message' && e['kind'] === 'reply';

describe('resuming live events', () => {
  it('a socket and an SSE client that drop mid-turn resume after their last id and end up with exactly the uninterrupted events', async () => {
    // A tool call first (text before it is retracted), then the streamed answer.
    fake.script(toolUse('get_account_balance', {}, { text: 'Let me check that for you.' }), reply(ANSWER));
    const threadId = (await call(h.base, 'POST', '/api/v1/threads', { headers: { authorization: `Bearer ${token}` } })).json['threadId'] as string;
    const steady = await authedSocket(h.base, token);
    const dropping = await authedSocket(h.base, token);
    const sse = await openSse(`${h.base}/api/v1/threads/${threadId}/events`, { authorization: `Bearer ${token}` });
    for (const s of [steady, dropping]) {
      s.send({ type: 'subscribe', threadId });
      await s.next((f) => f['type'] === 'subscribed', 'subscribed');
    }
    steady.send({ type: 'message', threadId, clientMessageId: 'resume-msg-1', text: 'how are my accounts?' });

    // Both drop after a few pieces of the answer, while the model is still writing.
    await dropping.next(() => dropping.events(threadId).filter((e) => e['type'] === 'text').length >= 3, 'some text');
    await dropping.close();
    const socketSeen = dropping.events(threadId);
    await sse.next(() => sse.events.filter((e) => e.data['type'] === 'text').length >= 4, 'some text over SSE');
    await sse.close();
    const sseSeen = sse.events.map((e) => e.data);
    expect(socketSeen.some(isEnd) || sseSeen.some(isEnd)).toBe(false);

    const back = await authedSocket(h.base, token);
    back.send({ type: 'subscribe', threadId, after: socketSeen.at(-1)!['id'] });
    const sseBack = await openSse(`${h.base}/api/v1/threads/${threadId}/events`, { authorization: `Bearer ${token}`, 'last-event-id': sse.events.at(-1)!.id! });
    await steady.next((f) => f['type'] === 'event' && isEnd(f['event']), 'the reply');
    await back.next((f) => f['type'] === 'event' && isEnd(f['event']), 'the reply after resuming');
    await sseBack.next((e) => isEnd(e.data), 'the reply after resuming over SSE');

    const whole = steady.events(threadId);
    expect(whole.map((e) => e['type'])).toContain('retract');
    expect(whole.at(-1)).toMatchObject({ type: 'message', kind: 'reply', text: ANSWER });
    expect([...socketSeen, ...back.events(threadId)]).toEqual(whole);
    expect([...sseSeen, ...sseBack.events.map((e) => e.data)]).toEqual(whole);
    // The pieces not retracted begin the answer.
    const lastRetract = whole.map((e) => e['type']).lastIndexOf('retract');
    expect(ANSWER.startsWith(whole.slice(lastRetract + 1).filter((e) => e['type'] === 'text').map((e) => e['text']).join(''))).toBe(true);
    for (const c of [steady, back]) await c.close();
    await sseBack.close();
  });

  it('a cursor the server no longer has gets resync, then the live events', async () => {
    const threadId = (await call(h.base, 'POST', '/api/v1/threads', { headers: { authorization: `Bearer ${token}` } })).json['threadId'] as string;
    const s = await authedSocket(h.base, token);
    s.send({ type: 'subscribe', threadId, after: 'an-old-process.7:42' });
    await s.next((f) => f['type'] === 'event', 'resync');
    expect(s.events(threadId)).toEqual([{ type: 'resync' }]);
    await h.app.conversations.notifyThread(`web:cus_001:${threadId}`, 'A staff member replied to your ticket.');
    await s.next((f) => f['type'] === 'event' && f['event']['type'] === 'message', 'the notice');
    expect(s.events(threadId)[1]).toMatchObject({ type: 'message', kind: 'notice', seq: 1 });
    await s.close();
  });
});
