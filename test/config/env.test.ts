import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

describe('HTTP listener settings', () => {
  it('an empty port (e.g. `OPS_PORT=` from a compose file) means unset, not port 0', () => {
    const c = loadConfig({ HTTP_PORT: '', OPS_PORT: '  ', LOG_LEVEL: 'silent' });
    expect(c.http.port).toBeUndefined();
    expect(c.http.ops).toBeUndefined();
  });

  it('OPS_PORT gives a separate listener, on 127.0.0.1 unless OPS_HOST says otherwise', () => {
    expect(loadConfig({ HTTP_PORT: '8080', OPS_PORT: '9090', LOG_LEVEL: 'silent' }).http).toEqual({ port: 8080, host: '127.0.0.1', trustedProxies: [], ops: { port: 9090, host: '127.0.0.1' } });
    expect(loadConfig({ OPS_PORT: '9090', OPS_HOST: '10.0.0.5', LOG_LEVEL: 'silent' }).http.ops).toEqual({ port: 9090, host: '10.0.0.5' });
  });

  it('HTTP_TRUSTED_PROXIES is a list, empty by default; a bad entry stops start-up naming the variable', async () => {
    expect(loadConfig({ HTTP_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8', LOG_LEVEL: 'silent' }).http.trustedProxies).toEqual(['loopback', '10.0.0.0/8']);
    const { createResetPage } = await import('../../src/channels/http/index.js');
    const { silentLogger } = await import('../../src/config/logger.js');
    const passwords = { inspectToken: async () => ({ valid: false as const, reason: 'unknown' as const }), resetWithToken: async () => ({ customerId: 'x' }) };
    expect(() => createResetPage({ passwords, log: silentLogger(), trustedProxies: ['not-an-ip'] })).toThrow(/HTTP_TRUSTED_PROXIES|proxy|not-an-ip/i);
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ OPS_PORT: '70000', LOG_LEVEL: 'silent' })).toThrow(/OPS_PORT/);
  });
});

describe('dev mailbox settings', () => {
  const base = { LOG_LEVEL: 'silent' };
  const email = {
    EMAIL_IMAP_HOST: 'imap.test', EMAIL_IMAP_USER: 'u', EMAIL_IMAP_PASSWORD: 'p', EMAIL_SMTP_HOST: 'smtp.test', EMAIL_FROM: 'a@b.test', EMAIL_VERIFY_SENDER: 'false',
  };

  it('is on only with no mail server, outside production, unless DEV_MAILBOX=off', () => {
    expect(loadConfig(base).devMailbox.enabled).toBe(true);
    expect(loadConfig({ ...base, ...email }).devMailbox.enabled).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).devMailbox.enabled).toBe(false);
    expect(loadConfig({ ...base, DEV_MAILBOX: 'off' }).devMailbox.enabled).toBe(false);
    expect(() => loadConfig({ ...base, DEV_MAILBOX: 'yes' })).toThrow(/DEV_MAILBOX/);
  });

  it('without HTTP_PORT, `npm start` serves its page on PUBLIC_BASE_URL\'s loopback port (where the links point)', async () => {
    const { devHttpPort } = await import('../../src/launch.js');
    expect(devHttpPort(loadConfig(base))).toBe(8080);
    expect(devHttpPort(loadConfig({ ...base, PUBLIC_BASE_URL: 'http://localhost:3000' }))).toBe(3000);
    expect(devHttpPort(loadConfig({ ...base, HTTP_PORT: '9000' }))).toBeUndefined(); // HTTP_PORT serves it
    expect(devHttpPort(loadConfig({ ...base, PUBLIC_BASE_URL: 'https://help.example.com' }))).toBeUndefined();
    expect(devHttpPort(loadConfig({ ...base, NODE_ENV: 'production' }))).toBeUndefined();
  });
});
