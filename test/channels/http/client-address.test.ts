/**
 * Who the reset page counts a failure against, seen from outside: a client over its failure limit gets 429 for
 * its next junk token, anyone else still gets 404. Real HTTP on loopback through the reset page.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/index.js';
import { createResetPage, startHttpServer, type HttpServer, type PasswordResetPort } from '../../../src/channels/http/index.js';

/** Every token is unknown: only the failure counting is under test here. */
const nothingValid: PasswordResetPort = {
  inspectToken: async () => ({ valid: false, reason: 'unknown' }),
  resetWithToken: async () => {
    throw new Error('no token is valid');
  },
};

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(trustedProxies: string[]) {
  server = await startHttpServer({
    host: '127.0.0.1', port: 0, log: silentLogger(), checks: {},
    resetPage: createResetPage({ passwords: nothingValid, log: silentLogger(), trustedProxies, limits: { perAddress: 2, perToken: 100, windowMs: 60_000 } }),
  });
  const url = server.url;
  /** One junk token with this X-Forwarded-For: 404 while its client is under the limit, 429 after. */
  return async (xff: string) => {
    const res = await fetch(`${url}/reset/rst_${randomBytes(9).toString('hex')}.${randomBytes(32).toString('base64url')}`, { headers: { 'x-forwarded-for': xff } });
    await res.arrayBuffer();
    return res.status;
  };
}

describe('client address behind trusted proxies', () => {
  it('an IPv6 client is counted per /64, so rotating addresses inside it does not reset the count', async () => {
    const junk = await start(['loopback']);
    expect([await junk('2001:db8:1:2::1'), await junk('2001:db8:1:2:ffff::9'), await junk('2001:0db8:0001:0002:0:0:0:abcd')]).toEqual([404, 404, 429]);
    expect(await junk('2001:db8:1:3::1')).toBe(404);
  });

  it('an IPv4-mapped IPv6 entry is the same client as the IPv4 address', async () => {
    const junk = await start(['loopback']);
    expect([await junk('192.0.2.10'), await junk('::ffff:192.0.2.10'), await junk('192.0.2.10:51234')]).toEqual([404, 404, 429]);
    expect(await junk('192.0.2.11')).toBe(404);
  });

  it('walks back through every trusted hop to the first untrusted one; all trusted means the left-most', async () => {
    const junk = await start(['loopback', '10.0.0.0/8']);
    expect([await junk('192.0.2.50, 203.0.113.9, 10.0.0.5'), await junk('198.51.100.1, 203.0.113.9, 10.1.2.3'), await junk('203.0.113.9')]).toEqual([404, 404, 429]);
    expect([await junk('10.0.0.7, 10.0.0.5'), await junk('10.0.0.7'), await junk('10.0.0.5')]).toEqual([404, 404, 404]);
    expect(await junk('10.0.0.7')).toBe(429);
  });

  it('a malformed right-most entry cannot be rotated to escape the count: the trusted hop that passed it is the client', async () => {
    const junk = await start(['loopback']);
    expect([await junk('not-an-ip-1'), await junk('not-an-ip-2'), await junk('203.0.113.1, not-an-ip-3')]).toEqual([404, 404, 429]);
    expect(await junk('203.0.113.1')).toBe(404);
  });

  it('refuses a trusted-proxy list it cannot read, rather than trusting the wrong peers', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '0.0.0.0/0', '10.0.0.0/', '::1/129']) {
      expect(() => createResetPage({ passwords: nothingValid, log: silentLogger(), trustedProxies: [bad] }), bad).toThrow(expect.objectContaining({ code: 'config' }));
    }
  });
});
