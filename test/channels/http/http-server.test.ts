import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, silentLogger } from '../../../src/config/index.js';
import { AppError } from '../../../src/errors.js';
import { createResetPage, startHttpServer, type HttpServer, type PasswordResetPort } from '../../../src/channels/http/index.js';

/** A reset port with real single-use semantics over an in-memory map, for testing the page itself. */
function fakePasswords(tokens: Record<string, 'valid' | 'used' | 'expired'>) {
  const set: string[] = [];
  const port: PasswordResetPort = {
    async inspectToken(token) {
      const s = tokens[token];
      if (!s) return { valid: false, reason: 'unknown' };
      if (s !== 'valid') return { valid: false, reason: s };
      return { valid: true, customerId: 'cus_001', email: 'ada@example.com' };
    },
    async resetWithToken(token, pw) {
      if (tokens[token] !== 'valid') throw new AppError('conflict', 'used');
      if (pw.length < 12) throw new AppError('bad_input', 'The password must be at least 12 characters long.');
      tokens[token] = 'used';
      set.push(pw);
      return { customerId: 'cus_001' };
    },
  };
  return { port, set };
}

const TOKEN = 'tok1.' + 'a'.repeat(43);
const USED = 'tok2.' + 'c'.repeat(43);
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: { checks?: Record<string, () => true | string>; tokens?: Record<string, 'valid' | 'used' | 'expired'>; perToken?: number } = {}) {
  const metrics = createMetrics({ defaultMetrics: false });
  const pw = fakePasswords(opts.tokens ?? { [TOKEN]: 'valid' });
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    checks: opts.checks ?? { store: () => true },
    metrics: { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() },
    resetPage: createResetPage({ passwords: pw.port, log: silentLogger(), limits: { perToken: opts.perToken ?? 5, perAddress: 100, windowMs: 60_000 } }),
  });
  return { url: server.url, metrics, pw };
}

async function getForm(url: string) {
  const res = await fetch(`${url}/reset/${TOKEN}`);
  const html = await res.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { res, html, csrf, cookie };
}

function post(url: string, body: Record<string, string>, cookie: string) {
  return fetch(`${url}/reset/${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams(body).toString() });
}

describe('http server', () => {
  it('answers healthz, and readyz names the failing part with 503', async () => {
    const { url } = await start({ checks: { store: () => true, imap: () => 'IMAP session not connected' } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { failing: string[]; checks: Record<string, string> };
    expect(body.failing).toEqual(['imap']);
    expect(body.checks['imap']).toBe('IMAP session not connected');
  });

  it('readyz is 200 when every check passes', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('serves Prometheus text with helpline metrics', async () => {
    const { url, metrics } = await start();
    metrics.inbound.inc({ channel: 'slack', outcome: 'accepted' });
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/helpline_inbound_messages_total\{channel="slack",outcome="accepted"\} 1/);
  });
});

describe('password reset page', () => {
  it('shows a form with secure headers and no caching', async () => {
    const { url } = await start();
    const { res, html, csrf, cookie } = await getForm(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(html).toContain('a…@example.com');
    expect(html).not.toContain('ada@example.com');
    expect(csrf).not.toBe('');
    expect(cookie).toBe(`helpline_csrf=${csrf}`);
  });

  it('sets the password once; the link is refused afterwards', async () => {
    const { url, pw } = await start();
    const { csrf, cookie } = await getForm(url);
    const ok = await post(url, { csrf, password: 'correct horse battery', confirm: 'correct horse battery' }, cookie);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Your password has been changed');
    expect(pw.set).toEqual(['correct horse battery']);
    const again = await fetch(`${url}/reset/${TOKEN}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already been used');
  });

  it('rejects a POST without the CSRF cookie or with a wrong value, changing nothing', async () => {
    const { url, pw } = await start();
    const { csrf } = await getForm(url);
    expect((await post(url, { csrf, password: 'correct horse battery', confirm: 'correct horse battery' }, '')).status).toBe(403);
    expect((await post(url, { csrf: (csrf.startsWith('x') ? 'y' : 'x') + csrf.slice(1), password: 'correct horse battery', confirm: 'correct horse battery' }, `helpline_csrf=${csrf}`)).status).toBe(403);
    expect(pw.set).toEqual([]);
  });

  it('says when the confirmation does not match or the policy fails, and keeps the token usable', async () => {
    const { url, pw } = await start();
    const { csrf, cookie } = await getForm(url);
    const mismatch = await post(url, { csrf, password: 'correct horse battery', confirm: 'correct horse batterx' }, cookie);
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('do not match');
    const short = await post(url, { csrf, password: 'short', confirm: 'short' }, cookie);
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 12');
    expect(pw.set).toEqual([]);
  });

  it('refuses unknown, expired and malformed tokens with a clear page', async () => {
    const { url } = await start({ tokens: { [TOKEN]: 'expired' } });
    const expired = await fetch(`${url}/reset/${TOKEN}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    expect((await fetch(`${url}/reset/nope.${'b'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${url}/reset/%3Cscript%3E`)).status).toBe(404);
  });

  it('throttles failures per token, never a link that verifies', async () => {
    const { url } = await start({ perToken: 3, tokens: { [TOKEN]: 'valid', [USED]: 'used' } });
    const valid: number[] = [];
    const used: number[] = [];
    for (let i = 0; i < 5; i++) {
      valid.push((await fetch(`${url}/reset/${TOKEN}`)).status);
      used.push((await fetch(`${url}/reset/${USED}`)).status);
    }
    expect(used).toEqual([410, 410, 410, 429, 429]);
    expect(valid).toEqual([200, 200, 200, 200, 200]);
  });

  it('counts a bad CSRF pair on a valid link against that link, and the real form still submits', async () => {
    const { url, pw } = await start({ perToken: 2 });
    const { csrf, cookie } = await getForm(url);
    const forged: number[] = [];
    for (let i = 0; i < 4; i++) forged.push((await post(url, { csrf: 'forged', password: 'correct horse battery', confirm: 'correct horse battery' }, 'helpline_csrf=forged')).status);
    expect(forged).toEqual([403, 403, 429, 429]);
    expect((await post(url, { csrf, password: 'correct horse battery', confirm: 'correct horse battery' }, cookie)).status).toBe(200);
    expect(pw.set).toEqual(['correct horse battery']);
  });
});
