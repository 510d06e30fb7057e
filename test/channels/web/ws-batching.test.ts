/**
 * GET /api/v1/ws writes the frames of one tick together (routes-ws.ts corks the connection until the next tick):
 * a model that reports hundreds of pieces at once must still reach the client as that many frames, whole and in
 * order, followed by the reply, on a real `ws` client over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelPort } from '../../../src/agent/index.js';
import { call, signedToken, startWeb, type WebHarness } from './harness.js';
import { authedSocket, type Frame } from './live-client.js';

const WORDS = Array.from({ length: 400 }, (_, i) => `word${i}`);
const REPLY = WORDS.join(' ');

/** Reports every word of its reply as its own piece, all in the same tick, then answers. */
const burstModel: ModelPort = {
  name: 'burst model',
  async createMessage(_req, opts) {
    for (const [i, w] of WORDS.entries()) opts?.onEvent?.({ type: 'text', index: 0, text: i === 0 ? w : ` ${w}` });
    return { content: [{ type: 'text', text: REPLY }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } };
  },
};

let h: WebHarness;
beforeAll(async () => {
  h = await startWeb({}, { model: burstModel });
});
afterAll(async () => h.close());

describe('web socket writes', () => {
  it('hundreds of events published in one tick arrive as separate frames, whole and in order, then the reply', async () => {
    const token = await signedToken({ customerId: 'cus_001' });
    const threadId = (await call(h.base, 'POST', '/api/v1/threads', { headers: { authorization: `Bearer ${token}` } })).json['threadId'] as string;
    const s = await authedSocket(h.base, token);
    s.send({ type: 'subscribe', threadId });
    await s.next((f) => f['type'] === 'subscribed', 'subscribed');
    s.send({ type: 'message', threadId, clientMessageId: 'burst-msg-1', text: 'Tell me everything.' });
    const reply = await s.next((f) => f['type'] === 'event' && f['event']?.['type'] === 'message', 'the reply');
    expect(reply['event']).toMatchObject({ kind: 'reply', text: REPLY });

    const events = s.events(threadId);
    const seqs = events.map((e: Frame) => e['seq'] as number);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i)); // none lost, none reordered
    const texts = events.filter((e: Frame) => e['type'] === 'text');
    expect(texts.length).toBeGreaterThan(300); // one frame per piece the policy released, not one merged frame
    // The streamed pieces, in order, are the reply up to its last word (which arrives with the reply itself).
    expect(texts.map((e: Frame) => e['text']).join('').trim()).toBe(WORDS.slice(0, -1).join(' '));
    await s.close();
  });
});
