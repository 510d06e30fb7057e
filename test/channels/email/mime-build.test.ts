import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, formatAddress } from '../../../src/channels/email/outbound/mime-build.js';
import type { SmtpMessage } from '../../../src/channels/email/outbound/smtp-sender.js';

const base: SmtpMessage = {
  from: 'Acme Support <support@acme.example>',
  to: 'ana@customers.example',
  subject: 'Re: Where is my card? [T-1042]',
  messageId: '<reply-1@acme.example>',
  inReplyTo: '<q-1@customers.example>',
  references: ['<root@customers.example>', '<q-1@customers.example>'],
  text: 'Hello Ana,\n\nYour card ships today.\n',
  html: '<p>Hello Ana,</p><p>Your card ships today.</p>',
  autoSubmitted: 'auto-replied',
};

describe('buildMime', () => {
  it('is read back by a mail parser with every header and both bodies intact', async () => {
    const raw = buildMime(base, new Date('2026-12-02T10:00:00Z'));
    const m = await simpleParser(raw);
    expect(m.from?.value[0]).toEqual({ name: 'Acme Support', address: 'support@acme.example' });
    expect(m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined).toBe('ana@customers.example');
    expect(m.subject).toBe('Re: Where is my card? [T-1042]');
    expect(m.messageId).toBe('<reply-1@acme.example>');
    expect(m.inReplyTo).toBe('<q-1@customers.example>');
    expect(m.references).toEqual(['<root@customers.example>', '<q-1@customers.example>']);
    expect(m.date?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(m.headers.get('auto-submitted')).toBe('auto-replied');
    expect(m.headers.get('x-auto-response-suppress')).toBe('All');
    expect(m.text).toBe('Hello Ana,\n\nYour card ships today.\n');
    expect(m.html).toBe('<p>Hello Ana,</p><p>Your card ships today.</p>');
    expect((m.headers.get('content-type') as { value: string }).value).toBe('multipart/alternative');
  });

  it('uses CRLF line ends only and keeps every line within 78 characters', () => {
    const long = `${'word '.repeat(60)}\n${'x'.repeat(300)}\n`;
    const raw = buildMime({ ...base, subject: `Re: ${'long subject '.repeat(20)}`, text: long, html: undefined, references: Array.from({ length: 11 }, (_, i) => `<ref-${i}-${'a'.repeat(30)}@customers.example>`) });
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('carries non-ASCII text in the subject, the display name and the body', async () => {
    const raw = buildMime({ ...base, from: 'Službа Поддержки <support@acme.example>', subject: 'Re: Ümlaut & emoji 🎉 in the subject', text: 'Grüße — ça va? 🎉\n', html: undefined });
    expect(raw).toMatch(/^[\x00-\x7f]*$/); // 7-bit on the wire
    const m = await simpleParser(raw);
    expect(m.subject).toBe('Re: Ümlaut & emoji 🎉 in the subject');
    expect(m.from?.value[0]?.name).toBe('Službа Поддержки');
    expect(m.text).toBe('Grüße — ça va? 🎉\n');
    expect((m.headers.get('content-type') as { value: string }).value).toBe('text/plain');
  });

  it('keeps a body line that is a single dot and lines starting with "From " as text', async () => {
    const text = 'first\n.\n.leading dot\nFrom here on\nlast';
    const m = await simpleParser(buildMime({ ...base, text, html: undefined }));
    expect(m.text?.trimEnd()).toBe(text);
  });

  it('cannot be made to add a header through CR/LF in any field', async () => {
    const raw = buildMime({ ...base, subject: 'Hi\r\nBcc: victim@evil.example', to: 'ana@customers.example\r\nX-Evil: 1', inReplyTo: '<a@b>\nX-Injected: yes' });
    const m = await simpleParser(raw);
    expect(m.headers.has('bcc')).toBe(false);
    expect(m.headers.has('x-evil')).toBe(false);
    expect(m.headers.has('x-injected')).toBe(false);
    expect(m.subject).toBe('Hi Bcc: victim@evil.example');
  });

  it('drops control characters a customer can put in a subject or a Message-ID', async () => {
    const raw = buildMime({ ...base, subject: 'Re: a\u0000b\u001bc\u007fd\tz', inReplyTo: '<x\u0007y@customers.example>', references: ['<r\u0000@x>'] });
    expect(raw).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    const m = await simpleParser(raw);
    expect(m.subject).toBe('Re: abcd\tz'); // a tab is allowed in a header
    expect(m.inReplyTo).toBe('<xy@customers.example>');
  });

  it('writes an international domain in ASCII and quotes a local part that needs it', () => {
    expect(formatAddress('ana@jõgeva.ee')).toBe('ana@xn--jgeva-dua.ee');
    expect(formatAddress('Ana <ana@jõgeva.ee>')).toBe('Ana <ana@xn--jgeva-dua.ee>');
    expect(formatAddress('"john.doe"@example.com')).toBe('"john.doe"@example.com'); // already quoted: as is
    expect(formatAddress('john..doe@example.com')).toBe('"john..doe"@example.com');
    expect(formatAddress('first.last+tag@example.com')).toBe('first.last+tag@example.com');
  });

  it('quotes or encodes display names so they stay one address', () => {
    expect(formatAddress('support@acme.example')).toBe('support@acme.example');
    expect(formatAddress('Acme Support <support@acme.example>')).toBe('Acme Support <support@acme.example>');
    expect(formatAddress('Acme, Inc. <support@acme.example>')).toBe('"Acme, Inc." <support@acme.example>');
    expect(formatAddress('"Acme Support" <support@acme.example>')).toBe('Acme Support <support@acme.example>');
    expect(formatAddress('Ana "the" Lee <ana@customers.example>')).toBe('"Ana \\"the\\" Lee" <ana@customers.example>');
    expect(formatAddress('"Support \\"Team\\"" <s@acme.example>')).toBe('"Support \\"Team\\"" <s@acme.example>'); // escaped once, not twice
  });
});
