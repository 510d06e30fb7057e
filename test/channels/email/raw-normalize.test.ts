import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { normalizeRaw } from '../../../src/channels/email/reading/raw-normalize.js';
import { fixture, options } from './fixtures/build.js';

const HEAD = ['Authentication-Results: mx.helpline.test; dmarc=pass header.from=example.com', 'From: Ada <ada@example.com>', 'To: support@helpline.test', 'Subject: Card', 'Message-ID: <n-1@example.com>'];

function raw(lines: string[], eol: string, before = ''): Buffer {
  return Buffer.from(before + [...lines, '', 'My card ending 4242 is blocked.', 'Please help.', ''].join(eol));
}

describe('raw message canonical form', () => {
  it('reads a message with CR-only line endings as separate header fields', async () => {
    const a = await analyzeEmail(fixture('cr-line-endings.eml'), options());
    expect(a).toMatchObject({ action: 'reply', class: 'person', subject: 'Card blocked', messageId: '<cr-only-1@example.com>' });
    expect(a.sender).toMatchObject({ address: 'ada@example.com', verified: true });
    expect(a.text).toBe('Hello,\n\nmy card ending 4242 is blocked since this morning.\n\nAda');
  });

  it('reads a message whatever its line endings: CR, LF, CRLF or a mix', async () => {
    for (const eol of ['\r', '\n', '\r\n']) {
      const a = await analyzeEmail(raw(HEAD, eol), options());
      expect([a.action, a.sender.address, a.subject, a.text], JSON.stringify(eol)).toEqual(['reply', 'ada@example.com', 'Card', 'My card ending 4242 is blocked.\nPlease help.']);
    }
    const mixed = Buffer.from(`${HEAD.join('\r')}\n\nline one\rline two\r\nline three\n`);
    expect((await analyzeEmail(mixed, options())).text).toBe('line one\nline two\nline three');
  });

  it('skips blank lines, an mbox From line and a byte-order mark before the header section', async () => {
    const a = await analyzeEmail(fixture('leading-blank-line.eml'), options());
    expect(a).toMatchObject({ action: 'reply', class: 'person', subject: 'Card blocked', text: 'Please unblock my card ending 4242.' });
    expect(a.sender).toMatchObject({ address: 'ada@example.com', verified: true });
    for (const before of ['\r\n', '\r\n\r\n', ' \t\r\n', '\n', 'From ada@example.com Mon Mar  3 10:00:00 2025\n', '\ufeff']) {
      const b = await analyzeEmail(raw(HEAD, '\r\n', before), options());
      expect([b.action, b.sender.address], JSON.stringify(before)).toEqual(['reply', 'ada@example.com']);
    }
  });

  it('leaves canonical input untouched and keeps a header line that merely starts with "From:"', () => {
    const canonical = raw(HEAD, '\r\n');
    expect(normalizeRaw(canonical)).toBe(canonical);
    expect(normalizeRaw(Buffer.from('From: a@b.example\r\n\r\nx')).toString()).toBe('From: a@b.example\r\n\r\nx');
    expect(normalizeRaw(Buffer.from('\r\n\r\n')).length).toBe(0);
    expect(normalizeRaw(Buffer.from('a\rb\nc\r\nd\n\re')).toString()).toBe('a\r\nb\r\nc\r\nd\r\n\r\ne');
  });

  it('normalises a large message in linear time', () => {
    const big = Buffer.from(`${HEAD.join('\n')}\n\n${'x\r'.repeat(2_000_000)}`);
    const started = performance.now();
    const out = normalizeRaw(big);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(out.length).toBe(big.length + 2_000_000 + HEAD.length + 1);
  });
});
