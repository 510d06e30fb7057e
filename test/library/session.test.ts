/**
 * Helpline as a library, in process: sessions of a customer the embedding code vouches for, on the web channel's
 * threads (the same conversations, identity and approvals as every channel), with the demo data in memory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiKeys } from '../../src/channels/web/index.js';
import type { ModelPort } from '../../src/agent/index.js';
import { silentLogger } from '../../src/config/logger.js';
import { createHelpline, type Helpline } from '../../src/library/index.js';
import { call } from '../channels/web/harness.js';

const open: Helpline[] = [];
async function start(opts: Parameters<typeof createHelpline>[0] = {}): Promise<Helpline> {
  const h = await createHelpline({ log: silentLogger(), ...opts });
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe('createHelpline', () => {
  it('runs no channel, answers with the offline assistant from the demo data, and the reply names the real balance', async () => {
    const h = await start();
    expect(h.model).toMatch(/offline assistant/);
    expect(h.app.channels).toEqual(['web']);
    expect(h.app.storeLocation).toBe('provided');
    const reply = await h.session({ customerId: 'cus_001' }).chat("What's my balance?");
    for (const b of await h.app.support.accounts.balance({ kind: 'customer', customerId: 'cus_001' })) expect(reply.text).toContain(b.formatted);
    expect(reply).toMatchObject({ approvals: [], handoff: false, threadId: expect.stringMatching(/^th_[0-9a-f]{32}$/) });
  });

  it('refuses an unknown customer with not_found, and records nothing for them', async () => {
    const h = await start();
    const s = h.session({ customerId: 'cus_nobody' });
    await expect(s.chat('hello')).rejects.toMatchObject({ name: 'AppError', code: 'not_found' });
    await expect(s.history()).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.session({ customerId: 'web:cus_001' }).chat('hello')).rejects.toMatchObject({ code: 'not_found' });
    expect(await h.app.repos.conversations.listForCustomer('cus_nobody', 10)).toEqual([]);
  });

  it('keeps one thread per session: a follow-up is read against the history, reset starts a new thread', async () => {
    const h = await start();
    const s = h.session({ customerId: 'cus_001' });
    const ask = await s.chat('I lost my card');
    expect(ask.text).toMatch(/Which card/);
    const lost = await s.chat('The one ending 4179');
    expect(lost.threadId).toBe(ask.threadId);
    expect(lost.text).toMatch(/ending 4179/);
    expect((await s.history()).map((m) => m.role)).toEqual(['customer', 'assistant', 'customer', 'assistant']);
    expect((await s.history())[2]).toEqual({ role: 'customer', text: 'The one ending 4179' });

    s.reset();
    expect(await s.history()).toEqual([]);
    const fresh = await s.chat('The one ending 4179');
    expect(fresh.threadId).not.toBe(ask.threadId);
    expect(fresh.approvals).toEqual([]);
    // Both threads are the customer's, on the web channel, as the API and staff see them.
    const threads = await h.app.repos.conversations.listForCustomer('cus_001', 10);
    expect(threads.map((t) => t.threadKey).sort()).toEqual([`web:cus_001:${ask.threadId}`, `web:cus_001:${fresh.threadId}`].sort());
    expect(threads.every((t) => t.channel === 'web')).toBe(true);
  });

  it('a sensitive action only opens an approval: the card stays active until staff decide', async () => {
    const h = await start();
    const s = h.session({ customerId: 'cus_001' });
    await s.chat('I lost my card');
    const lost = await s.chat('The one ending 4179');
    expect(lost.approvals).toEqual([{ id: expect.stringMatching(/^apr_/), action: 'card_deactivation', expiresAt: expect.any(String) }]);
    const approval = await h.app.repos.approvals.get(lost.approvals[0]!.id);
    expect(approval).toMatchObject({ status: 'pending', customerId: 'cus_001', channel: 'web', threadKey: `web:cus_001:${lost.threadId}` });
    const card = (await h.app.repos.customers.cardsOf('cus_001')).find((c) => c.last4 === '4179');
    expect(card?.status).toBe('active');
  });

  it('reports a handoff when the model gives up on the message', async () => {
    const refusing: ModelPort = { name: 'refusing model', createMessage: async () => ({ content: [], stop_reason: 'refusal', usage: { input_tokens: 1, output_tokens: 0 } }) };
    const h = await start({ model: refusing });
    const reply = await h.session({ customerId: 'cus_001' }).chat('Tell me something you will refuse');
    expect(reply.handoff).toBe(true);
    expect(reply.text).toMatch(/not able to help with that request/);
  });

  it('is one history with the web API: the API lists and reads the session thread of that customer', async () => {
    const h = await start({ env: { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', WEB_TOKEN_SECRET: 'library-test-secret-0123456789-abcdefghij' } });
    const reply = await h.session({ customerId: 'cus_002' }).chat("What's my balance?");
    const { key } = await createApiKeys({ apiKeys: h.app.repos.apiKeys, clock: () => new Date() }).create('backend', ['chat:act-as-customer']);
    const headers = { authorization: `Bearer ${key}`, 'x-helpline-customer': 'cus_002' };
    const base = h.app.wired.http!.url;
    const list = await call(base, 'GET', '/api/v1/threads', { headers });
    expect(list.json.threads.map((t: { threadId: string }) => t.threadId)).toEqual([reply.threadId]);
    const history = await call(base, 'GET', `/api/v1/threads/${reply.threadId}/messages`, { headers });
    expect(history.json.messages).toEqual([{ role: 'customer', text: "What's my balance?" }, { role: 'assistant', text: reply.text }]);
  });

  it('keeps the data in a given JSON file, created from the bundled seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-library-'));
    try {
      const file = join(dir, 'db.json');
      const h = await start({ dataFile: file });
      const reply = await h.session({ customerId: 'cus_001' }).chat("What's my balance?");
      await h.close();
      expect(h.app.storeLocation).toBe(file);
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(JSON.stringify(saved.conversations)).toContain(reply.text.split('\n')[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after close, a session is refused with unavailable', async () => {
    const h = await start();
    const s = h.session({ customerId: 'cus_001' });
    await s.chat('hello');
    await h.close();
    await expect(s.chat('hello again')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(h.session({ customerId: 'cus_001' }).chat('hi')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('refuses an empty message with bad_input', async () => {
    const h = await start();
    await expect(h.session({ customerId: 'cus_001' }).chat('  ')).rejects.toMatchObject({ code: 'bad_input' });
  });
});
