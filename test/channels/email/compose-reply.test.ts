import { describe, expect, it } from 'vitest';
import { domainOf, fromAddress, newMessageId, replyReferences, replySubject, textToHtml, ticketTokenOf } from '../../../src/channels/email/outbound/compose-reply.js';

describe('composing a reply', () => {
  it('makes one Re: prefix, keeps a ticket token, and adds the thread ticket when the subject has none', () => {
    expect(replySubject('Card blocked')).toBe('Re: Card blocked');
    expect(replySubject('RE: Re:  AW: Card blocked')).toBe('Re: Card blocked');
    expect(replySubject('Re: Card blocked [T-1001]', 'T-2002')).toBe('Re: Card blocked [T-1001]');
    expect(replySubject('Card blocked [#T-1001]')).toBe('Re: Card blocked [#T-1001]');
    expect(replySubject('Card blocked', 'T-1001')).toBe('Re: Card blocked [T-1001]');
    expect(replySubject('Card blocked', 'not-a-ticket')).toBe('Re: Card blocked');
    expect(replySubject('')).toBe('Re: Your message to support');
    expect(replySubject('line\r\nBcc: victim@x.test')).toBe('Re: line Bcc: victim@x.test');
    expect(ticketTokenOf('Re: x [t-77]')).toBe('T-77');
  });

  it('generates our own Message-ID on the From domain, unique per call', () => {
    expect(fromAddress('Helpline Support <support@helpline.test>')).toBe('support@helpline.test');
    expect(domainOf('support@Helpline.TEST')).toBe('helpline.test');
    const a = newMessageId('Helpline <support@helpline.test>');
    expect(a).toMatch(/^<[0-9a-f-]{36}@helpline\.test>$/);
    expect(newMessageId('support@helpline.test')).not.toBe(a);
  });

  it('bounds References to the root plus the last ten, ending with the message answered', () => {
    const chain = Array.from({ length: 30 }, (_, i) => `<m${i}@x.test>`);
    const refs = replyReferences(chain, '<last@x.test>');
    expect(refs).toHaveLength(11);
    expect(refs[0]).toBe('<m0@x.test>');
    expect(refs.at(-1)).toBe('<last@x.test>');
    expect(replyReferences(['m1@x.test', '<m1@x.test>'], 'm2@x.test')).toEqual(['<m1@x.test>', '<m2@x.test>']);
  });

  it('escapes every character of the text in the HTML part', () => {
    const html = textToHtml('Hi <b>you</b> & "co"\nline two\n\n<script>alert(1)</script>');
    expect(html).toContain('<p>Hi &lt;b&gt;you&lt;/b&gt; &amp; &quot;co&quot;<br>\nline two</p>');
    expect(html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).not.toContain('<script>');
  });
});
