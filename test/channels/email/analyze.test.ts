import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { compose, fixture, options } from './fixtures/build.js';

describe('analyzeEmail', () => {
  it('turns a verified customer email into a reply decision with clean text', async () => {
    const a = await analyzeEmail(fixture('customer-plain.eml'), options());
    expect(a).toMatchObject({
      action: 'reply',
      reason: 'ok',
      sender: { address: 'alice@example.com', name: 'Alice Example', verified: true, verification: 'dmarc=pass (mx.helpline.test)' },
      threadKey: 'email:<first-message@mail.example.com>',
      subject: 'My card was declined',
      messageId: '<first-message@mail.example.com>',
      references: [],
      attachments: [],
    });
    expect(a.text).toBe('Hi,\n\nmy card ending 4242 was declined at the supermarket this morning.\nCan you tell me why?\n\nThanks,\nAlice');
  });

  it('strips quoted history and the mobile signature from a reply', async () => {
    const a = await analyzeEmail(fixture('customer-reply.eml'), options());
    expect(a.text).toBe('Yes, it was the card ending 4242. I am in Lisbon this week.');
    expect(a.sender.verification).toBe('dkim=pass header.d=mail.example.com (mx.helpline.test)');
  });

  it('reads HTML-only mail as text, without styles, images or the quoted part', async () => {
    const a = await analyzeEmail(fixture('html-only.eml'), options());
    expect(a.subject).toBe('Adresse ändern');
    expect(a.text).toBe('Hallo,\n\nbitte ändert meine Adresse auf Hauptstraße 5.\n\nDanke!');
  });

  it('caps the text the model sees', async () => {
    const a = await analyzeEmail(compose({}, 'word '.repeat(10_000)), options({ maxTextChars: 500 }));
    expect(a.text.length).toBeLessThanOrEqual(500);
    expect(a.text).toMatch(/truncated]$/);
  });

  it('keeps a bare forward readable rather than empty', async () => {
    const a = await analyzeEmail(compose({}, '---------- Forwarded message ---------\nFrom: Shop <shop@x.example>\nDate: today\nSubject: Invoice\nTo: me\n\nYou owe 10 EUR.'), options());
    expect(a.text).toContain('You owe 10 EUR.');
  });

  it('never throws, whatever the bytes', async () => {
    for (const raw of [Buffer.alloc(0), Buffer.from('\r\n\r\n'), Buffer.from('From: <>\r\nContent-Type: multipart/mixed\r\n\r\n--\r\n'), Buffer.from([0xff, 0xfe, 0x00, 0x41])]) {
      const a = await analyzeEmail(raw, options());
      expect(['reply', 'ignore', 'quarantine']).toContain(a.action);
    }
  });
});
