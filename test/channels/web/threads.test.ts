/** The REST conversation API through real HTTP on a real app (offline model): threads, messages, history, ownership, idempotency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startWeb, type WebHarness } from './harness.js';

let h: WebHarness;
let actor: string;
beforeAll(async () => {
  h = await startWeb();
  actor = await h.key(['chat:act-as-customer']);
});
afterAll(async () => h.close());

const as = (customer?: string): Record<string, string> => (customer ? { authorization: `Bearer ${actor}`, 'x-helpline-customer': customer } : {});
let n = 0;
const clientId = () => `msg-${Date.now()}-${n++}`;

async function start(customer?: string): Promise<string> {
  const r = await call(h.base, 'POST', '/api/v1/threads', { headers: as(customer) });
  expect(r.status).toBe(201);
  return r.json.threadId as string;
}
const send = (threadId: string, text: string, customer?: string, id = clientId()) =>
  call(h.base, 'POST', `/api/v1/threads/${threadId}/messages`, { headers: as(customer), body: { clientMessageId: id, text } });
const history = (threadId: string, customer?: string) => call(h.base, 'GET', `/api/v1/threads/${threadId}/messages`, { headers: as(customer) });

describe('web conversations API', () => {
  it('a customer sends a message and gets the reply from their own data; the history shows both', async () => {
    const t = await start('cus_001');
    const r = await send(t, 'Which cards do I have?', 'cus_001');
    console.log('[web] customer reply:', JSON.stringify(r.json));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ threadId: t, status: 'answered', reply: { kind: 'reply' } });
    expect(r.json.reply.text).toContain('Mastercard ending 4179');
    const hist = await history(t, 'cus_001');
    expect(hist.json.channel).toBe('web');
    expect(hist.json.messages[0]).toEqual({ role: 'customer', text: 'Which cards do I have?' });
    expect(hist.json.messages.at(-1)).toEqual({ role: 'assistant', text: r.json.reply.text });
    expect(JSON.stringify(hist.json)).not.toMatch(/tool_use|tool_result|tool_data/);
  });

  it('an anonymous visitor chats in their own thread, gets no account data and cannot list threads', async () => {
    const t = await start();
    const r = await send(t, 'Which cards do I have?');
    console.log('[web] anonymous reply:', JSON.stringify(r.json));
    expect(r.status).toBe(200);
    expect(r.json.reply.text).not.toMatch(/ending \d{4}|4179/i);
    expect(r.json.reply.text).toContain('identity isn\'t verified');
    expect((await history(t)).json.messages).toHaveLength(2);
    expect((await call(h.base, 'GET', '/api/v1/threads')).status).toBe(401);
    // The same id under a customer is that customer's (empty) thread, never the visitor's.
    expect((await history(t, 'cus_002')).json.messages).toEqual([]);
  });

  it('a retried POST (same clientMessageId) is answered once: same reply, one ledger entry, one message in the transcript', async () => {
    const t = await start('cus_002');
    const id = clientId();
    const [a, b] = await Promise.all([send(t, 'Hello, what can you do?', 'cus_002', id), send(t, 'Hello, what can you do?', 'cus_002', id)]);
    const c = await send(t, 'Hello, what can you do?', 'cus_002', id);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect(b.json.reply).toEqual(a.json.reply);
    expect(c.json.reply).toEqual(a.json.reply);
    const ledger = h.repos.snapshot().ledger.filter((e) => e.threadKey.endsWith(t));
    expect(ledger).toHaveLength(1);
    expect((await history(t, 'cus_002')).json.messages.filter((m: { role: string }) => m.role === 'customer')).toHaveLength(1);
  });

  it('lists a customer\'s threads across channels and reads another channel\'s thread only for its owner', async () => {
    await h.repos.conversations.touch('slack:T1:D1:1.0', { channel: 'slack', callerKind: 'customer', customerId: 'cus_003', at: new Date().toISOString() });
    await h.repos.conversations.saveTranscript('slack:T1:D1:1.0', {
      channel: 'slack', messages: [{ role: 'user', content: [{ type: 'text', text: 'from slack' }] }, { role: 'assistant', content: [{ type: 'text', text: 'hi on slack' }] }],
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, appliedMessageIds: [], at: new Date().toISOString(),
    });
    const web = await start('cus_003');
    await send(web, 'Hello', 'cus_003');
    const list = await call(h.base, 'GET', '/api/v1/threads', { headers: as('cus_003') });
    expect(list.json.threads.map((t: { channel: string }) => t.channel)).toEqual(['web', 'slack']);
    const slackId = list.json.threads[1].threadId as string;
    expect((await history(slackId, 'cus_003')).json.messages).toEqual([{ role: 'customer', text: 'from slack' }, { role: 'assistant', text: 'hi on slack' }]);
    expect((await history(slackId, 'cus_001')).status).toBe(404);
    expect((await history(slackId)).status).toBe(404);
    // Messages go only to web threads.
    expect((await send(slackId, 'hi', 'cus_003')).status).toBe(403);
  });

  it('a notice to a web thread (e.g. an approval decided) shows in its history', async () => {
    const t = await start('cus_001');
    await send(t, 'Hello', 'cus_001');
    await h.app.conversations.notifyThread(`web:cus_001:${t}`, 'Your card deactivation was approved.');
    expect((await history(t, 'cus_001')).json.messages.at(-1)).toEqual({ role: 'notice', text: 'Your card deactivation was approved.' });
  });

  it('validates every request: body, ids, an API key without a customer', async () => {
    const t = await start('cus_001');
    for (const body of [{}, { clientMessageId: 'short', text: 'x' }, { clientMessageId: 'abcdefgh12', text: '' }, { clientMessageId: 'abcdefgh12', text: 'x'.repeat(4001) },
      { clientMessageId: 'abcdefgh12', text: 'hi', extra: true }]) {
      const r = await call(h.base, 'POST', `/api/v1/threads/${t}/messages`, { headers: as('cus_001'), body });
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('bad_request');
    }
    expect((await send('th_nothex', 'hi', 'cus_001')).status).toBe(404);
    expect((await call(h.base, 'POST', '/api/v1/threads', { headers: { authorization: `Bearer ${actor}` } })).json.error.code).toBe('bad_request');
    expect((await call(h.base, 'GET', '/api/v1/threads?limit=0', { headers: as('cus_001') })).status).toBe(400);
    const wrongType = await fetch(`${h.base}/api/v1/threads/${t}/messages`, { method: 'POST', headers: { ...as('cus_001'), 'content-type': 'text/plain' }, body: 'hi' });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });
});
