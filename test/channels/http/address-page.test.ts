/**
 * The address-confirmation page an address change's emailed link opens: real support on a memory store, real HTTP on
 * loopback. GET shows the requested address; only a CSRF-valid POST applies it, once.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createAddressPage, startHttpServer, type HttpServer } from '../../../src/channels/http/index.js';
import { capturingLogger } from '../../conversations/fakes.js';
import { ANN, makeSupport, snapshot, type Harness } from '../../support/fixture.js';
import { systemMails } from '../../support/repo-view.js';

const BERLIN = { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' };
const ANN_HOME = { line1: '1 Oak St', city: 'Springfield', postalCode: '12345', country: 'US' };

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Ann asks for a move to Berlin; the token of the link we emailed her. */
async function requestMove(h: Harness, address: typeof BERLIN = BERLIN): Promise<string> {
  await h.support.accounts.updateAddress(ANN, address);
  const mail = (await systemMails(h.repos)).filter((o) => o.payload['subject'] === 'Confirm your new postal address').at(-1);
  // minted as the outbox worker mints it when the mail leaves
  const text = mail ? await h.support.systemMail.render(mail.payload) : '';
  const link = /https:\/\/help\.example\.com(\/confirm-address\/\S+)/.exec(text)?.[1] ?? '';
  return link.replace('/confirm-address/', '');
}

async function start(h: Harness, opts: { perAddress?: number } = {}) {
  const { log, lines } = capturingLogger();
  const page = createAddressPage({ addressChanges: h.support.accounts, log, limits: { perToken: 5, perAddress: opts.perAddress ?? 100, windowMs: 60_000 } });
  server = await startHttpServer({ host: '127.0.0.1', port: 0, log, checks: {}, confirmAddressPage: page });
  return { url: server.url, lines };
}

async function getForm(url: string, token: string) {
  const res = await fetch(`${url}/confirm-address/${token}`);
  const html = await res.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { res, html, csrf, cookie };
}

const post = (url: string, token: string, csrf: string, cookie: string) =>
  fetch(`${url}/confirm-address/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ csrf }).toString() });

const addressOfAnn = async (h: Harness) => (await h.support.accounts.details(ANN)).customer.address;

describe('address confirmation page', () => {
  it('GET shows the requested address and a Confirm button, with secure headers, and changes nothing', async () => {
    const h = await makeSupport();
    const token = await requestMove(h);
    const { url } = await start(h);
    const { res, html, csrf, cookie } = await getForm(url, token);
    expect(res.status).toBe(200);
    expect(html).toContain('5 New Way');
    expect(html).toContain('10115 Berlin');
    expect(html).toContain('id="confirm"');
    expect(html).not.toContain('Ann.Lee@example.com');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(cookie).toBe(`helpline_address_csrf=${csrf}`);
    expect(res.headers.get('set-cookie')).toContain('Path=/confirm-address/; HttpOnly; SameSite=Strict');
    expect(await addressOfAnn(h)).toEqual(ANN_HOME);
    expect((await fetch(`${url}/static/reset.css`)).status).toBe(200);
  });

  it('POST without the CSRF pair is refused; with it the address changes once; a replay is refused', async () => {
    const h = await makeSupport();
    const token = await requestMove(h);
    const { url, lines } = await start(h);
    const { csrf, cookie } = await getForm(url, token);
    expect((await post(url, token, csrf, '')).status).toBe(403);
    expect((await post(url, token, 'forged', 'helpline_address_csrf=forged')).status).toBe(403);
    expect(await addressOfAnn(h)).toEqual(ANN_HOME);

    const ok = await post(url, token, csrf, cookie);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('The postal address on your account is now');
    expect(await addressOfAnn(h)).toEqual(BERLIN);
    const notices = (await systemMails(h.repos)).filter((o) => o.payload['subject'] === 'Your postal address was changed');
    expect(notices.map((n) => n.payload['to'])).toEqual(['Ann.Lee@example.com']);

    const before = await snapshot(h);
    const replay = await post(url, token, csrf, cookie);
    expect(replay.status).toBe(410);
    expect(await replay.text()).toContain('already been confirmed');
    const again = await fetch(`${url}/confirm-address/${token}`);
    expect(again.status).toBe(410);
    expect(await snapshot(h)).toEqual(before);
    // The link is a capability: never in a log line.
    expect(lines.join('\n')).not.toContain(token.split('.').at(-1));
    expect(lines.join('\n')).toContain('address change confirmed by link');
  });

  it('refuses a link replaced by a newer request, an expired one, and unknown or malformed ones, with a clear page', async () => {
    const h = await makeSupport();
    const older = await requestMove(h);
    const newer = await requestMove(h, { line1: '7 Rue Neuve', city: 'Paris', postalCode: '75001', country: 'FR' });
    const { url } = await start(h);
    const replaced = await fetch(`${url}/confirm-address/${older}`);
    expect(replaced.status).toBe(410);
    expect(await replaced.text()).toContain('newer address change');
    expect((await fetch(`${url}/confirm-address/adr_0123456789abcdef01.${randomBytes(32).toString('base64url')}`)).status).toBe(404);
    expect((await fetch(`${url}/confirm-address/%3Cscript%3E`)).status).toBe(404);
    expect((await fetch(`${url}/confirm-address/%E0%A4%A`)).status).toBe(404);
    h.advance(31);
    const expired = await fetch(`${url}/confirm-address/${newer}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    expect(await addressOfAnn(h)).toEqual(ANN_HOME);
  });

  it('counts only failures: junk from the customer\'s address is throttled, her valid link still works', async () => {
    const h = await makeSupport();
    const token = await requestMove(h);
    const { url } = await start(h, { perAddress: 3 });
    const junk: number[] = [];
    for (let i = 0; i < 5; i++) junk.push((await fetch(`${url}/confirm-address/adr_${randomBytes(9).toString('hex')}.${randomBytes(32).toString('base64url')}`)).status);
    expect(junk).toEqual([404, 404, 404, 429, 429]);
    const { res, csrf, cookie } = await getForm(url, token);
    expect(res.status).toBe(200);
    expect((await post(url, token, csrf, cookie)).status).toBe(200);
    expect(await addressOfAnn(h)).toEqual(BERLIN);
  });
});
