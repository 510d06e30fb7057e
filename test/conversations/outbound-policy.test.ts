import { describe, expect, it } from 'vitest';
import { allowedLinkDomains, createOutboundPolicy, LINK_REMOVED } from '../../src/conversations/outbound-policy.js';

const policy = createOutboundPolicy({ allowedLinkDomains: allowedLinkDomains(['bank.example'], 'https://help.bank.example/base') });

describe('outbound link policy', () => {
  it.each([
    ['Please log in at https://evil.example/login to keep your account.', `Please log in at ${LINK_REMOVED} to keep your account.`],
    ['Visit www.evil.example now', `Visit ${LINK_REMOVED} now`],
    ['go to evil-bank.co.uk/verify?x=1', `go to ${LINK_REMOVED}`],
    ['visit evil-bank.com today', `visit ${LINK_REMOVED} today`],
    ['go to login.evil.com.', `go to ${LINK_REMOVED}.`],
    ['Slack <https://evil.example/x|Click here>', `Slack <${LINK_REMOVED}|Click here>`],
    ['md [here](https://evil.example/a)', `md [here](${LINK_REMOVED})`],
    ['lookalike https://bank.example.evil.com/x', `lookalike ${LINK_REMOVED}`],
    ['ftp://files.evil.example/a.exe', LINK_REMOVED],
    ['HTTPS://EVIL.EXAMPLE/A', LINK_REMOVED],
  ])('removes %s', (input, output) => {
    expect(policy.apply(input)).toEqual({ text: output, removed: 1 });
  });

  it.each([
    'See https://bank.example/fees.',
    'Our help pages: https://help.bank.example/reset and https://www.bank.example',
    'Write to support@bank.example or call +44 20 7946 0000.',
    'A 19.9% APR, e.g. on file.txt with node.js',
    'Your ticket T-1001 is open.',
    'Amounts like 1,234.56 GBP and dates 2026-12-05.',
  ])('keeps %s', (input) => {
    expect(policy.apply(input)).toEqual({ text: input, removed: 0 });
  });

  it('is linear on hostile input', () => {
    const started = performance.now();
    policy.apply(`${'a.'.repeat(200_000)}com ${'http://'.repeat(50_000)}`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
