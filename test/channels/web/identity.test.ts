/** Who calls the web API, through real HTTP: API keys (scoped, revocable), customer tokens (short-lived, checked), anonymous. */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../src/channels/web/index.js';
import { call, startWeb, TOKEN_SECRET, type WebHarness } from './harness.js';

let h: WebHarness;
beforeAll(async () => {
  h = await startWeb();
});
afterAll(async () => h.close());

const bearer = (v: string) => ({ authorization: `Bearer ${v}` });
const me = (headers: Record<string, string> = {}) => call(h.base, 'GET', '/api/v1/me', { headers });
const mint = (key: string, body: unknown) => call(h.base, 'POST', '/api/v1/tokens', { headers: bearer(key), body });

async function forge(claims: { sub?: string; aud?: string; iss?: string; expIn?: number; secret?: string }) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + (claims.expIn ?? 600))
    .setIssuer(claims.iss ?? TOKEN_ISSUER).setAudience(claims.aud ?? TOKEN_AUDIENCE);
  if (claims.sub) jwt.setSubject(claims.sub);
  return jwt.sign(new TextEncoder().encode(claims.secret ?? TOKEN_SECRET));
}

describe('web API identity', () => {
  it('no credentials is anonymous; a customer header without a key is refused, never believed', async () => {
    expect((await me()).json).toEqual({ caller: { kind: 'anonymous' } });
    const claimed = await me({ 'x-helpline-customer': 'cus_001' });
    expect(claimed.status).toBe(401);
    expect(claimed.json).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('a key with chat:act-as-customer acts for the named customer; without the scope it is 403; unknown customers 404', async () => {
    const actor = await h.key(['chat:act-as-customer']);
    const minter = await h.key(['tokens:mint']);
    expect((await me({ ...bearer(actor), 'x-helpline-customer': 'cus_002' })).json).toEqual({ caller: { kind: 'customer', customerId: 'cus_002', via: 'api_key' } });
    expect((await me({ ...bearer(minter), 'x-helpline-customer': 'cus_002' })).status).toBe(403);
    expect((await me({ ...bearer(actor), 'x-helpline-customer': 'cus_999' })).json.error.code).toBe('not_found');
    expect((await me(bearer(actor))).json.caller).toMatchObject({ kind: 'backend', scopes: ['chat:act-as-customer'] });
  });

  it('mints a short-lived token the browser then uses; the token carries only its customer', async () => {
    const minter = await h.key(['tokens:mint']);
    const minted = await mint(minter, { customerId: 'cus_001' });
    expect(minted.status).toBe(201);
    expect(minted.headers.get('cache-control')).toBe('no-store');
    expect(minted.json).toMatchObject({ tokenType: 'Bearer', customerId: 'cus_001' });
    const life = Date.parse(minted.json.expiresAt) - Date.now();
    expect(life).toBeGreaterThan(14 * 60_000);
    expect(life).toBeLessThanOrEqual(15 * 60_000 + 1000);
    expect((await me(bearer(minted.json.token))).json).toEqual({ caller: { kind: 'customer', customerId: 'cus_001', via: 'token' } });
    // A token cannot be combined with a customer header to act for someone else.
    expect((await me({ ...bearer(minted.json.token), 'x-helpline-customer': 'cus_002' })).status).toBe(401);
  });

  it('refuses minting without the scope (403), without a key (401), for an unknown customer (404), with a bad body (400)', async () => {
    const actor = await h.key(['chat:act-as-customer']);
    const minter = await h.key(['tokens:mint']);
    expect((await mint(actor, { customerId: 'cus_001' })).status).toBe(403);
    expect((await call(h.base, 'POST', '/api/v1/tokens', { body: { customerId: 'cus_001' } })).status).toBe(401);
    expect((await mint(minter, { customerId: 'cus_999' })).status).toBe(404);
    for (const body of [{}, { customerId: '' }, { customerId: 'cus_001', extra: 1 }, { customerId: '../x' }, '{"customerId":']) {
      const r = await mint(minter, body);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('bad_request');
    }
  });

  it('refuses a revoked or altered key, and tokens that are expired, for another audience or issuer, or signed with another secret', async () => {
    const minter = await h.key(['tokens:mint']);
    const token = (await mint(minter, { customerId: 'cus_001' })).json.token as string;
    await h.revoke(minter);
    expect((await me(bearer(minter))).status).toBe(401);
    expect((await mint(minter, { customerId: 'cus_001' })).status).toBe(401);
    const other = await h.key(['tokens:mint']);
    expect((await me(bearer(`${other.slice(0, -2)}xx`))).status).toBe(401);

    expect((await me(bearer(await forge({ sub: 'cus_001' })))).status).toBe(200);
    for (const bad of [
      await forge({ sub: 'cus_001', expIn: -60 }), await forge({ sub: 'cus_001', aud: 'someone-else' }), await forge({ sub: 'cus_001', iss: 'evil' }),
      await forge({ sub: 'cus_001', secret: 'another-secret-of-enough-length-0123456789' }), await forge({}), await forge({ sub: 'cus_999' }),
      `${token.split('.').slice(0, 2).join('.')}.`, 'not-a-token',
    ]) {
      const r = await me(bearer(bad));
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('unauthorized');
    }
    expect((await me({ authorization: 'Basic abc' })).status).toBe(401);
  });

  it('answers unknown API paths with the same error shape', async () => {
    const r = await call(h.base, 'GET', '/api/v1/nope');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});

describe('web API identity without WEB_TOKEN_SECRET in production', () => {
  it('mints no tokens (503) while API keys still act for customers; a too short secret stops start-up', async () => {
    const prod = await startWeb({ NODE_ENV: 'production', WEB_TOKEN_SECRET: '' });
    try {
      const key = await prod.key(['tokens:mint', 'chat:act-as-customer']);
      const r = await call(prod.base, 'POST', '/api/v1/tokens', { headers: bearer(key), body: { customerId: 'cus_001' } });
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('unavailable');
      expect((await call(prod.base, 'GET', '/api/v1/me', { headers: { ...bearer(key), 'x-helpline-customer': 'cus_001' } })).json.caller.kind).toBe('customer');
      expect((await call(prod.base, 'GET', '/api/v1/me', { headers: bearer(await forge({ sub: 'cus_001' })) })).status).toBe(401);
    } finally {
      await prod.close();
    }
    await expect(startWeb({ WEB_TOKEN_SECRET: 'short' })).rejects.toMatchObject({ code: 'config' });
  });
});
