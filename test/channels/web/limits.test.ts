/** Limits of the web API through real HTTP: CORS allow-list, per-address, per-customer and per-key rate limits, body size. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startWeb, type WebHarness } from './harness.js';

let h: WebHarness;
beforeAll(async () => {
  h = await startWeb({
    WEB_CORS_ORIGINS: 'https://app.example.com', WEB_RATE_PER_IP_MINUTE: '5', WEB_RATE_PER_CUSTOMER_MINUTE: '3', WEB_RATE_PER_KEY_MINUTE: '8', WEB_MAX_BODY_BYTES: '1024',
  });
});
afterAll(async () => h.close());

describe('web API limits', () => {
  it('CORS: the allowed origin gets its headers (preflight and request); another origin and backend headers get none', async () => {
    const pre = await fetch(`${h.base}/api/v1/me`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('authorization, content-type');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).not.toContain('x-helpline-customer');
    const evil = await fetch(`${h.base}/api/v1/me`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const minter = await h.key(['tokens:mint']);
    const real = await fetch(`${h.base}/api/v1/me`, { headers: { origin: 'https://app.example.com', authorization: `Bearer ${minter}` } });
    expect(real.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect((await fetch(`${h.base}/api/v1/me`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${minter}` } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('413 for a body over WEB_MAX_BODY_BYTES, in the API\'s error shape, and nothing stored', async () => {
    const actor = await h.key(['chat:act-as-customer']);
    const ledger = h.repos.snapshot().ledger.length;
    const r = await call(h.base, 'POST', '/api/v1/threads/th_00000000000000000000000000000001/messages', {
      headers: { authorization: `Bearer ${actor}`, 'x-helpline-customer': 'cus_001' }, body: { clientMessageId: 'abcdefgh123', text: 'x'.repeat(2000) },
    });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    expect(h.repos.snapshot().ledger.length).toBe(ledger);
  });

  it('429 per customer (whatever credential) and per API key, with Retry-After; other customers unaffected', async () => {
    const minter = await h.key(['tokens:mint', 'chat:act-as-customer']);
    const token = (await call(h.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${minter}` }, body: { customerId: 'cus_002' } })).json.token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await call(h.base, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status);
    statuses.push((await call(h.base, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${minter}`, 'x-helpline-customer': 'cus_002' } })).status);
    const limited = await call(h.base, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(h.base, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${minter}`, 'x-helpline-customer': 'cus_003' } })).status).toBe(200);
    // The key itself: 8 a minute (the mint, acting for cus_002 and cus_003, 5 more; the token's calls are not the key's), then 429.
    const more: number[] = [];
    for (let i = 0; i < 7; i++) more.push((await call(h.base, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${minter}` } })).status);
    expect(more).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('429 per client address for callers without an API key, before any other work', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await call(h.base, 'GET', '/api/v1/me')).status);
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThan(0);
    expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
    const r = await call(h.base, 'POST', '/api/v1/threads');
    expect(r.status).toBe(429);
    expect(r.json).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('this address') } });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    // The health endpoint is not part of the API and is not limited.
    expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  });
});
