import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { aligned, parseAuthenticationResults, verifySenderAuth } from '../../../src/channels/email/analysis/sender-auth.js';
import { compose, fixture, options } from './fixtures/build.js';

const base = { fromAddresses: ['alice@example.com'], trustedAuthservId: 'mx.helpline.test', verifySender: true };

describe('sender verification', () => {
  it('parses Authentication-Results with comments, versions and properties', () => {
    const r = parseAuthenticationResults('MX.Helpline.test 1; dkim=pass (2048-bit key) header.d=Example.com header.s=s1; dmarc=pass (p=none dis=none) header.from=example.com');
    expect(r.authservId).toBe('mx.helpline.test');
    expect(r.results).toEqual([
      { method: 'dkim', result: 'pass', props: { 'header.d': 'example.com', 'header.s': 's1' } },
      { method: 'dmarc', result: 'pass', props: { 'header.from': 'example.com' } },
    ]);
  });

  it('drops nested comments but keeps parentheses inside quotes and stray closing ones', () => {
    const r = parseAuthenticationResults('mx.helpline.test (outer (inner; dmarc=fail) still); dkim=pass header.b="a(b)c" header.d=example.com) ; spf=pass');
    expect(r.authservId).toBe('mx.helpline.test');
    expect(r.results).toEqual([
      { method: 'dkim', result: 'pass', props: { 'header.b': 'a(b)c', 'header.d': 'example.com)' } },
      { method: 'spf', result: 'pass', props: {} },
    ]);
    // An unclosed comment hides everything after it.
    expect(parseAuthenticationResults('mx.helpline.test; dkim=pass (unclosed; dmarc=pass header.from=example.com').results)
      .toEqual([{ method: 'dkim', result: 'pass', props: {} }]);
  });

  it('accepts DMARC pass or aligned DKIM pass from the trusted server only', () => {
    expect(verifySenderAuth({ ...base, authResults: ['mx.helpline.test; dmarc=pass header.from=example.com'] }).verified).toBe(true);
    expect(verifySenderAuth({ ...base, authResults: ['mx.helpline.test; dkim=pass header.d=example.com'] }).verified).toBe(true);
    expect(verifySenderAuth({ ...base, authResults: ['mx.helpline.test; dkim=pass header.i=@news.example.com'] }).verified).toBe(true);
    expect(verifySenderAuth({ ...base, authResults: ['mx.helpline.test; dkim=pass header.d=evil.example; spf=pass'] }).verified).toBe(false);
    expect(verifySenderAuth({ ...base, authResults: ['mx.helpline.test; dmarc=pass header.from=evil.example'] }).verified).toBe(false);
    expect(verifySenderAuth({ ...base, authResults: ['attacker.example; dmarc=pass header.from=example.com'] })).toEqual({
      verified: false,
      verification: 'no trusted Authentication-Results',
    });
    expect(verifySenderAuth({ ...base, trustedAuthservId: undefined, authResults: ['mx.helpline.test; dmarc=pass'] }).verified).toBe(false);
  });

  it('trusts only the first header from our server: a forged pass below a real fail does not count', async () => {
    const a = await analyzeEmail(fixture('forged-auth-results.eml'), options());
    expect(a.sender).toMatchObject({ address: 'alice@example.com', verified: false });
    expect(a.sender.verification).toContain('dmarc=fail');
    // Our server said DMARC failed: the From is forged, so nothing is sent to it.
    expect(a.sender.forged).toBe(true);
    expect(a.action).toBe('ignore');
    expect(a.reason).toMatch(/DMARC/);
  });

  it('a sender that is merely unverified (no DMARC verdict) still gets general help', () => {
    const r = verifySenderAuth({ fromAddresses: ['x@example.com'], ambiguousFrom: false, authResults: ['mx.helpline.test; spf=none; dkim=none'], trustedAuthservId: 'mx.helpline.test', verifySender: true });
    expect(r).toMatchObject({ verified: false });
    expect(r.forged).toBeUndefined();
  });

  it('checks alignment by domain and subdomain, never by suffix tricks', () => {
    expect(aligned('example.com', 'mail.example.com')).toBe(true);
    expect(aligned('mail.example.com', 'example.com')).toBe(true);
    expect(aligned('notexample.com', 'example.com')).toBe(false);
    expect(aligned('com', 'example.com')).toBe(false);
  });

  it('never lets the display name or Reply-To change the sender', async () => {
    const a = await analyzeEmail(fixture('display-name-trick.eml'), options());
    expect(a.sender.address).toBe('mallory@evil.example');
    expect(a.sender.name).toBe('support@bank.example');
  });

  it('leaves several or ambiguous From addresses unverified', async () => {
    const ar = 'Authentication-Results: mx.helpline.test; dmarc=pass header.from=example.com';
    expect((await analyzeEmail(compose([ar, 'From: alice@example.com, bob@example.com']), options())).sender).toMatchObject({ verified: false, verification: 'multiple From addresses' });
    expect((await analyzeEmail(compose([ar, 'From: Bank <alice@example.com> <x@evil.example>']), options())).sender.verified).toBe(false);
    expect((await analyzeEmail(compose([ar, 'From: alice@example.com']), options())).sender.verified).toBe(true);
  });

  it('never takes an address that exists only after RFC 2047 decoding (encoded-word in the addr-spec)', async () => {
    const a = await analyzeEmail(fixture('encoded-local-part.eml'), options());
    expect(a).toMatchObject({ action: 'quarantine', class: 'no-sender', reason: 'no usable From address' });
    expect(a.sender).toMatchObject({ address: '', verified: false });
    const ar = 'Authentication-Results: mx.helpline.test; dmarc=pass header.from=example.com';
    for (const from of ['=?utf-8?Q?alice?=@example.com', '<=?utf-8?B?YWxpY2U=?=@example.com>', `=?utf-8?B?${Buffer.from('Alice <alice@example.com>').toString('base64')}?=`]) {
      const b = await analyzeEmail(compose([ar, `From: ${from}`]), options());
      expect([b.action, b.sender.address, b.sender.verified], from).toEqual(['quarantine', '', false]);
    }
    // Encoded display names, raw UTF-8 and IDN addresses are written literally and stay usable.
    expect((await analyzeEmail(compose([ar, 'From: =?utf-8?Q?Al=C3=AFce?= <alice@example.com>']), options())).sender).toMatchObject({ address: 'alice@example.com', name: 'Alïce', verified: true });
    expect((await analyzeEmail(compose(['From: Jöhn <jöhn@exämple.com>']), options())).sender.address).toBe('jöhn@exämple.com');
    expect((await analyzeEmail(compose(['From: John <john@xn--exmple-cua.com>']), options())).sender.address).toBe('john@exämple.com');
  });

  it('trusts the From address when verification is turned off for a trusted relay', async () => {
    const a = await analyzeEmail(compose({ From: 'alice@example.com' }), options({ verifySender: false, trustedAuthservId: undefined }));
    expect(a.sender).toEqual({ address: 'alice@example.com', verified: true, verification: 'verification disabled (trusted relay)' });
  });
});
