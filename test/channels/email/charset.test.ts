import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { chooseCharset, decodeText } from '../../../src/channels/email/reading/charset.js';
import { fixture, options } from './fixtures/build.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

function eightBit(contentType: string, body: Buffer): Buffer {
  const head = ['Authentication-Results: mx.helpline.test; dmarc=pass header.from=example.com', 'From: Ada <ada@example.com>', 'To: support@helpline.test', 'Subject: Card', 'Message-ID: <c-1@example.com>', 'MIME-Version: 1.0', contentType, 'Content-Transfer-Encoding: 8bit', '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head), body, Buffer.from('\r\n')]);
}

describe('charsets the way mail clients read them', () => {
  it('reads UTF-8 bytes labelled Big5 as UTF-8', async () => {
    const a = await analyzeEmail(fixture('utf8-labelled-big5.eml'), options());
    expect(a.text).toBe('我的卡片被鎖住了，請幫忙解鎖。');
  });

  it('lets valid UTF-8 win over an 8-bit label (ISO-8859-1, windows-1252, KOI8-R)', async () => {
    for (const label of ['iso-8859-1', 'windows-1252', 'koi8-r', 'us-ascii']) {
      const a = await analyzeEmail(eightBit(`Content-Type: text/plain; charset=${label}`, utf8('Grüße aus München, Karte gesperrt.')), options());
      expect(a.text, label).toBe('Grüße aus München, Karte gesperrt.');
    }
  });

  it('detects ISO-2022-JP escape sequences when the charset parameter is missing', async () => {
    const a = await analyzeEmail(fixture('iso2022jp-no-charset.eml'), options());
    expect(a.text).toBe('カードが使えません。');
  });

  it('reads 8-bit text without a charset: UTF-8 if valid, else the legacy charset its bytes fit', async () => {
    const cases: Array<[Buffer, string]> = [
      [utf8('Ma carte est bloquée depuis hier.'), 'Ma carte est bloquée depuis hier.'],
      [Buffer.from('Ma carte est bloquée depuis hier, très urgent.', 'latin1'), 'Ma carte est bloquée depuis hier, très urgent.'],
      [Buffer.from('カードが使えません', 'utf8'), 'カードが使えません'],
    ];
    for (const [bytes, text] of cases) expect((await analyzeEmail(eightBit('Content-Type: text/plain', bytes), options())).text).toBe(text);
    // Shift_JIS, windows-1251 and KOI8-R bodies without any label.
    const sjis = Buffer.from([0x83, 0x4a, 0x81, 0x5b, 0x83, 0x68, 0x82, 0xaa, 0x8e, 0x67, 0x82, 0xa6, 0x82, 0xdc, 0x82, 0xb9, 0x82, 0xf1]);
    expect(decodeText(sjis, undefined)).toBe('カードが使えません');
    const cp1251 = Buffer.from([0xec, 0xee, 0xff, 0x20, 0xea, 0xe0, 0xf0, 0xf2, 0xe0, 0x20, 0xe7, 0xe0, 0xe1, 0xeb, 0xee, 0xea, 0xe8, 0xf0, 0xee, 0xe2, 0xe0, 0xed, 0xe0]);
    expect(decodeText(cp1251, undefined)).toBe('моя карта заблокирована');
    const koi8 = Buffer.from([0xcd, 0xcf, 0xd1, 0x20, 0xcb, 0xc1, 0xd2, 0xd4, 0xc1, 0x20, 0xda, 0xc1, 0xc2, 0xcc, 0xcf, 0xcb, 0xc9, 0xd2, 0xcf, 0xd7, 0xc1, 0xce, 0xc1]);
    expect(decodeText(koi8, 'us-ascii')).toBe('моя карта заблокирована');
  });

  it('keeps a plausible label, including multi-byte ones, and handles unknown labels and HTML meta charsets', () => {
    expect(decodeText(Buffer.from('caf\xe9', 'latin1'), 'iso-8859-1')).toBe('café');
    expect(decodeText(Buffer.from([0xa4, 0xa4, 0xa4, 0xe5]), 'big5')).toBe('中文');
    expect(chooseCharset(Buffer.from('plain ascii'), 'iso-8859-15')).toBe('iso-8859-15');
    expect(decodeText(Buffer.from('bloqu\xe9e', 'latin1'), 'x-no-such-charset')).toBe('bloquée');
    expect(decodeText(Buffer.from('bloqu\xe9e', 'latin1'), 'utf-8')).toBe('bloquée');
    expect(decodeText(Buffer.from('<meta charset="koi8-r"><p>\xcd\xcf\xd1</p>', 'latin1'), undefined, { html: true })).toBe('<meta charset="koi8-r"><p>моя</p>');
    // UTF-8 with one stray byte stays UTF-8.
    expect(decodeText(Buffer.concat([utf8('Grüße '), Buffer.from([0xff]), utf8(' München')]), 'utf-8')).toBe('Grüße \ufffd München');
  });
});
