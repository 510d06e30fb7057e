import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { bodyParts } from '../../../src/channels/email/reading/body-parts.js';
import { compose, fixture, options } from './fixtures/build.js';

const mime = (type: string, body: string) => compose(['MIME-Version: 1.0', `Content-Type: ${type}`], body);

describe('reading every inline body part, as mail clients display them', () => {
  it('keeps the HTML message of a multipart/mixed and the text signature part after it', async () => {
    const a = await analyzeEmail(fixture('mixed-html-signature.eml'), options());
    expect(a.text).toBe('Could you send me the statement for February?\nThe card ends in 4242.\n\nAda Lovelace\nAnalytical Engines Ltd');
    expect(a.attachments).toEqual([{ filename: 'form.pdf', contentType: 'application/pdf', size: 9 }]);
  });

  it('reads sibling text and HTML parts in their order', async () => {
    const body = '--b\nContent-Type: text/plain\n\nFirst, the plain part.\n--b\nContent-Type: text/html\n\n<p>Then <i>the HTML part</i>.</p>\n--b\nContent-Type: text/plain\n\nLast, plain again.\n--b--';
    expect((await analyzeEmail(mime('multipart/mixed; boundary="b"', body), options())).text).toBe('First, the plain part.\n\nThen the HTML part.\n\nLast, plain again.');
  });

  it('prefers the plain alternative, takes HTML when the plain one is empty, and reads only the root of multipart/related', () => {
    const alt = (plain: string) =>
      `--a\r\nContent-Type: text/plain\r\n\r\n${plain}\r\n--a\r\nContent-Type: multipart/related; boundary="r"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n--r\r\nContent-Type: text/html\r\nContent-ID: <x>\r\n\r\n<p>not shown</p>\r\n--r--\r\n--a--\r\n`;
    const head = 'From: a@example.com\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n';
    expect(bodyParts(Buffer.from(head + alt('plain version')))).toEqual([{ kind: 'text', text: 'plain version' }]);
    expect(bodyParts(Buffer.from(head + alt('  ')))).toEqual([{ kind: 'html', text: '<p>html version</p>' }]);
  });

  it('shows the body of a multipart without a boundary parameter as text', async () => {
    const a = await analyzeEmail(fixture('multipart-no-boundary.eml'), options());
    expect(a).toMatchObject({ action: 'reply', text: 'My transfer of 120 EUR on Friday has not arrived yet.' });
  });

  it('shows the body as text when the declared boundary never appears, and finds the boundary the body really uses', async () => {
    const plain = await analyzeEmail(mime('multipart/alternative; boundary="zzz"', 'My card ending 4242 is blocked.'), options());
    expect(plain.text).toBe('My card ending 4242 is blocked.');
    const wrong = await analyzeEmail(mime('multipart/mixed; boundary="zzz"', '--real\nContent-Type: text/plain\n\nThe real part.\n--real\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--real--'), options());
    expect(wrong.text).toBe('The real part.');
  });

  it('decodes transfer encodings and format=flowed without joining lines of different quote depth', () => {
    const head = (ct: string, cte: string) => `From: a@example.com\r\nContent-Type: ${ct}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n`;
    expect(bodyParts(Buffer.from(head('text/plain; charset=utf-8', 'base64') + Buffer.from('Grüße').toString('base64') + '\r\nignored after padding')))
      .toEqual([{ kind: 'text', text: 'Grüße' }]);
    expect(bodyParts(Buffer.from(head('text/plain; charset=iso-8859-1', 'quoted-printable') + 'caf=E9 cr=\r\n=E8me'))).toEqual([{ kind: 'text', text: 'café crème' }]);
    const flowed = 'On Monday, Helpline wrote:\r\n> Which card \r\n> do you mean? \r\nThe one ending \r\n4242.\r\n-- \r\nAda';
    expect(bodyParts(Buffer.from(head('text/plain; format=flowed', '7bit') + flowed))[0]?.text).toBe('On Monday, Helpline wrote:\n> Which card do you mean? \nThe one ending 4242.\n-- \nAda');
  });

  it('shows a mail forwarded as an attachment below the message, but not the returned mail of a report', async () => {
    const inner = 'From: Shop <shop@x.example>\r\nSubject: Invoice 17\r\nDate: Sat, 1 Mar 2025 10:00:00 +0000\r\n\r\nYou owe 10 EUR.';
    const a = await analyzeEmail(mime('multipart/mixed; boundary="m"', `--m\nContent-Type: text/plain\n\nIs this invoice real?\n--m\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="invoice.eml"\n\n${inner}\n--m--`), options());
    expect(a.text).toBe('Is this invoice real?\n\n[Forwarded message]\nFrom: Shop <shop@x.example>\nDate: Sat, 1 Mar 2025 10:00:00 +0000\nSubject: Invoice 17\n\nYou owe 10 EUR.');
    const report = `From: a@example.com\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--r--`;
    expect(bodyParts(Buffer.from(report))).toEqual([{ kind: 'text', text: 'Delivery failed.' }]);
  });

  it('stays bounded on many parts and deep nesting', () => {
    const many = `From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(5000)}--b--`;
    const started = performance.now();
    expect(bodyParts(Buffer.from(many)).length).toBeLessThanOrEqual(500);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
