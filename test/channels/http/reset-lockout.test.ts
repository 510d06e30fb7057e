/**
 * Nobody can lock a customer out of a password reset: only failed verifications count, the client address comes
 * from a trusted proxy's X-Forwarded-For (and from nowhere else), a link that verifies is never throttled, and an
 * unknown token id costs the same scrypt work as a known one. Real support on a memory store, real HTTP on loopback.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/index.js';
import { createResetPage, startHttpServer, type HttpServer } from '../../../src/channels/http/index.js';
import { dbSchema } from '../../../src/store/schema.js';
import { createSupport, type Caller } from '../../../src/support/index.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';
import { linkInOutbox } from '../../helpers/system-mail.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const STAFF: Caller = { kind: 'staff', staffId: 'U0STAFF0001' };

async function makeSupport() {
  const store = await reposFor(dbSchema.parse(JSON.parse(readFileSync(root('data/seed.json'), 'utf8'))));
  const support = createSupport({
    repos: store, kbDir: root('data/kb'), staff: { isStaff: (id) => id === 'U0STAFF0001' },
    approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'https://help.example.com',
  });
  return { store, support };
}
type Harness = Awaited<ReturnType<typeof makeSupport>>;

/** An approved password change for `customerId`: the token of the emailed link. */
async function issueToken(h: Harness, customerId: string): Promise<string> {
  const pending = await h.support.approvals.requestPasswordChange({ kind: 'customer', customerId }, {}, 'I forgot my password');
  await h.support.approvals.decide(STAFF, { approvalId: pending.approvalId, decision: 'approve' });
  return new URL(await linkInOutbox(h.support, h.store, `password-reset:${pending.approvalId}`)).pathname.split('/').pop() as string;
}

const junk = () => `rst_${randomBytes(9).toString('hex')}.${randomBytes(32).toString('base64url')}`;
const passwordHash = async (h: Harness, customerId: string) => (await storedRows(h.store)).customers.find((c) => c.id === customerId)?.passwordHash;

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(h: Harness, opts: { trustedProxies?: string[]; perAddress?: number; perToken?: number } = {}) {
  const limits = opts.perAddress === undefined ? undefined : { perAddress: opts.perAddress, perToken: opts.perToken ?? 5, windowMs: 15 * 60_000 };
  const server = await startHttpServer({
    host: '127.0.0.1', port: 0, log: silentLogger(), checks: {},
    resetPage: createResetPage({ passwords: h.support.passwords, log: silentLogger(), limits, trustedProxies: opts.trustedProxies }),
  });
  servers.push(server);
  return server.url;
}

const get = (url: string, token: string, xff?: string) => fetch(`${url}/reset/${token}`, { headers: xff ? { 'x-forwarded-for': xff } : {} });

/** Opens the link and submits a new password with the form's CSRF pair, as a browser would; returns both statuses. */
async function resetVia(url: string, token: string, password: string, xff?: string) {
  const form = await get(url, token, xff);
  const html = await form.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', cookie, ...(xff ? { 'x-forwarded-for': xff } : {}) };
  const done = await fetch(`${url}/reset/${token}`, { method: 'POST', headers, body: new URLSearchParams({ csrf, password, confirm: password }).toString() });
  return { form: form.status, done: done.status, text: await done.text() };
}

async function statuses(n: number, send: (i: number) => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await send(i);
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('reset page: no lockout by junk tokens', () => {
  it('40 junk requests from one address do not stop a valid link from that address (default limits)', async () => {
    const h = await makeSupport();
    const url = await start(h);
    const token = await issueToken(h, 'cus_001');
    const before = await passwordHash(h, 'cus_001');
    const junkStatuses = await statuses(40, () => get(url, junk()));
    expect(junkStatuses.slice(0, 30)).toEqual(Array(30).fill(404));
    expect(junkStatuses.slice(30)).toEqual(Array(10).fill(429));
    const r = await resetVia(url, token, 'a perfectly long passphrase');
    expect(r).toMatchObject({ form: 200, done: 200 });
    expect(r.text).toContain('Your password has been changed');
    expect(await passwordHash(h, 'cus_001')).toMatch(/^scrypt\$/);
    expect(await passwordHash(h, 'cus_001')).not.toBe(before);
  });

  it('behind a trusted proxy: the attacker gets 429 after the failure limit, another client is unaffected, valid links always pass', async () => {
    const h = await makeSupport();
    const url = await start(h, { trustedProxies: ['loopback'], perAddress: 10 });
    const victimToken = await issueToken(h, 'cus_002');
    const attackerOwnToken = await issueToken(h, 'cus_003');
    // The attacker writes whatever it likes to the left; the proxy appends the address it really came from.
    const attacker = await statuses(14, (i) => get(url, junk(), `10.9.${i}.1, 203.0.113.66`));
    expect(attacker).toEqual([...Array(10).fill(404), ...Array(4).fill(429)]);
    expect((await statuses(3, () => get(url, junk(), '198.51.100.7')))).toEqual([404, 404, 404]);
    expect(await resetVia(url, victimToken, 'victim long passphrase', '198.51.100.7')).toMatchObject({ form: 200, done: 200 });
    // Never throttle a link that verifies, even from the address that is over its limit.
    expect(await resetVia(url, attackerOwnToken, 'another long passphrase', '203.0.113.66')).toMatchObject({ form: 200, done: 200 });
    expect(await passwordHash(h, 'cus_002')).toMatch(/^scrypt\$/);
    expect(await passwordHash(h, 'cus_003')).toMatch(/^scrypt\$/);
    expect((await get(url, junk(), '203.0.113.66')).status).toBe(429);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const h = await makeSupport();
    const spoofable = await start(h, { trustedProxies: ['10.0.0.0/8'], perAddress: 5 });
    const viaLoopbackProxy = await start(h, { trustedProxies: ['loopback'], perAddress: 5 });
    const rotating = (url: string) => statuses(8, (i) => get(url, junk(), `198.51.100.${i + 1}`));
    // 127.0.0.1 is not in 10.0.0.0/8: each new X-Forwarded-For is ignored and every junk request is the same client.
    expect(await rotating(spoofable)).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    // The same requests from a trusted peer are eight different clients (the control).
    expect(await rotating(viaLoopbackProxy)).toEqual(Array(8).fill(404));
    const token = await issueToken(h, 'cus_004');
    expect(await resetVia(spoofable, token, 'spoofed peer passphrase', '198.51.100.99')).toMatchObject({ form: 200, done: 200 });
  });
});

describe('reset page: no timing oracle, no blocked event loop', () => {
  it('an unknown token id answers as slowly as a known id with a wrong secret', async () => {
    const h = await makeSupport();
    const url = await start(h, { perAddress: 10_000, perToken: 10_000 });
    const knownId = (await issueToken(h, 'cus_005')).split('.')[0] as string;
    const time = async (token: string) => {
      const t0 = performance.now();
      const res = await get(url, token);
      const body = await res.text();
      return { ms: performance.now() - t0, status: res.status, body };
    };
    for (let i = 0; i < 3; i++) await time(junk()); // warm-up
    const unknown: number[] = [];
    const known: number[] = [];
    const bodies = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const u = await time(junk());
      const k = await time(`${knownId}.${randomBytes(32).toString('base64url')}`);
      expect([u.status, k.status]).toEqual([404, 404]);
      bodies.add(u.body).add(k.body);
      unknown.push(u.ms);
      known.push(k.ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const [mu, mk] = [median(unknown), median(known)];
    console.log(`[reset timing] median over 30: unknown id ${mu.toFixed(2)} ms, known id + wrong secret ${mk.toFixed(2)} ms, ratio ${(Math.max(mu, mk) / Math.min(mu, mk)).toFixed(2)}`);
    expect(bodies.size).toBe(1);
    expect(Math.max(mu, mk) / Math.min(mu, mk)).toBeLessThan(2);
  });

  it('a flood of tokens does not hold the event loop: /healthz answers while they are verified', async () => {
    const h = await makeSupport();
    const url = await start(h, { perAddress: 10_000, perToken: 10_000 });
    const knownId = (await issueToken(h, 'cus_001')).split('.')[0] as string;
    const t0 = performance.now();
    const flood = Array.from({ length: 40 }, () => get(url, `${knownId}.${randomBytes(32).toString('base64url')}`).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    }));
    await Promise.race(flood); // the server is busy with the flood
    const h0 = performance.now();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const healthMs = performance.now() - h0;
    expect(await Promise.all(flood)).toEqual(Array(40).fill(404));
    const floodMs = performance.now() - t0;
    console.log(`[reset flood] 40 wrong secrets in ${floodMs.toFixed(0)} ms; /healthz meanwhile in ${healthMs.toFixed(1)} ms`);
    expect(healthMs).toBeLessThan(floodMs / 4);
  });
});
