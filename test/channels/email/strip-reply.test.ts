import { describe, expect, it } from 'vitest';
import { stripReply } from '../../../src/channels/email/text/strip-reply.js';

describe('stripReply', () => {
  it('keeps a top-posted reply and drops the attribution and quote below it', () => {
    const text = 'Thanks, that worked!\n\nOn Mon, Nov 2, 2026 at 10:00 AM Helpline <support@helpline.test> wrote:\n> Try again now.\n> Helpline';
    expect(stripReply(text)).toBe('Thanks, that worked!');
  });

  it('handles an attribution wrapped over two lines', () => {
    const text = 'Yes please.\n\nOn Thu, Jun 20, 2013 at 4:18 PM, Helpline Support <\nsupport@helpline.test> wrote:\n\n> Shall we block the card?';
    expect(stripReply(text)).toBe('Yes please.');
  });

  it('keeps the new text of a bottom-posted reply', () => {
    const text = 'On 2 Nov 2026, at 10:00, Helpline wrote:\n\n> Which card?\n\nThe one ending 4242.';
    expect(stripReply(text)).toBe('The one ending 4242.');
  });

  it('keeps interleaved answers with the quotes they answer, minus the trailing quote', () => {
    const text = 'On Mon, Nov 2, 2026 at 10:00 AM Helpline <s@h.test> wrote:\n> Which card?\nThe one ending 4242.\n> Where are you?\nIn Lisbon.\n> Helpline';
    expect(stripReply(text)).toBe('> Which card?\nThe one ending 4242.\n> Where are you?\nIn Lisbon.');
  });

  it('cuts a usenet signature and an Outlook header block', () => {
    expect(stripReply('Please close my account.\n\n-- \nJohn Doe\nACME Inc.')).toBe('Please close my account.');
    const outlook = 'See below.\n\nFrom: Helpline <support@helpline.test>\nSent: Monday, 2 November 2026 10:00\nTo: John\nSubject: Re: card\n\nOld text';
    expect(stripReply(outlook)).toBe('See below.');
  });

  it('understands attributions and separators in other languages', () => {
    expect(stripReply('Danke!\n\nAm 02.11.2026 um 10:00 schrieb Helpline <support@helpline.test>:\n> Alt')).toBe('Danke!');
    expect(stripReply('Merci.\n\nLe 2 nov. 2026 à 10:00, Helpline <support@helpline.test> a écrit :\n> Ancien')).toBe('Merci.');
    expect(stripReply('Gracias.\n\n-----Mensaje original-----\nDe: Helpline\nEnviado: lunes\nPara: Juan\nAsunto: tarjeta')).toBe('Gracias.');
    expect(stripReply('Grazie.\n\nIl giorno lun 2 nov 2026 alle ore 10:00 Helpline <s@h.test> ha scritto:\n> Vecchio')).toBe('Grazie.');
  });

  it('drops mobile signatures but keeps ordinary text that mentions sending', () => {
    expect(stripReply('Card is blocked again.\n\nSent from my iPhone')).toBe('Card is blocked again.');
    expect(stripReply('Card is blocked again.\n\nVon meinem iPhone gesendet')).toBe('Card is blocked again.');
    expect(stripReply('I sent the form yesterday.\nIt was sent from the post office.')).toBe('I sent the form yesterday.\nIt was sent from the post office.');
  });

  it('cuts Lotus Notes reply headers: "Forwarded by", "Message from", the hide-details line, Notes header blocks', () => {
    const notes = 'The card ending 4242.\n\nInactive hide details for Helpline---03/03/2025 10:00:00 AM---Which card?\nHelpline---03/03/2025 10:00:00 AM---Which card?\n\nFrom:\tHelpline <support@helpline.test>\nTo:\tAda/Org@Org\nDate:\t03/03/2025 10:00 AM\nSubject:\tHelp\n\nWhich card?';
    expect(stripReply(notes)).toBe('The card ending 4242.');
    expect(stripReply('Done, thanks.\n\n----- Forwarded by Ada Lovelace/Org on 03/03/2025 10:00 AM -----\n\nold text')).toBe('Done, thanks.');
    expect(stripReply('Done.\n\n----- Message from "Helpline" <support@helpline.test> on Mon, 3 Mar 2025 10:00:00 +0000 -----\nTo: Ada\nSubject: Help\n\nold')).toBe('Done.');
    expect(stripReply('Done.\n\nFrom:\tHelpline\nSent by:\tnotes@org.example\nTo:\tAda\nPlease respond to:\tHelpline\n\nold')).toBe('Done.');
  });

  it('cuts Outlook header blocks in more languages and on one line', () => {
    const blocks = [
      '差出人: Helpline\n送信日時: 2025年3月3日 10:00\n宛先: Ada\n件名: Help',
      '发件人: Helpline\n发送时间: 2025年3月3日 10:00\n收件人: Ada\n主题: Help',
      '寄件者: Helpline\n寄件日期: 2025年3月3日\n收件者: Ada\n主旨: Help',
      '보낸 사람: Helpline\n보낸 날짜: 2025년 3월 3일\n받는 사람: Ada\n제목: Help',
      'Od: Helpline\nOdesláno: 3. března 2025\nKomu: Ada\nPředmět: Help',
      'Від: Helpline\nНадіслано: 3 березня 2025\nКому: Ada\nТема: Help',
      'Από: Helpline\nΣτάλθηκε: 3 Μαρτίου 2025\nΠρος: Ada\nΘέμα: Help',
      'De: Helpline\nEnviada em: 3 de março de 2025\nPara: Ada\nAssunto: Help',
      'From: Helpline <support@helpline.test> Sent: Monday, March 3, 2025 10:00 To: Ada Subject: Help',
    ];
    for (const block of blocks) expect(stripReply(`The card ending 4242.\n\n${block}\n\nWhich card?`), block).toBe('The card ending 4242.');
    // One quoted header field inside ordinary text is not a block.
    expect(stripReply('I wrote to them.\nFrom: my old address to: the new one.\nStill nothing.')).toBe('I wrote to them.\nFrom: my old address to: the new one.\nStill nothing.');
  });

  it('leaves code blocks and ordinary dashes alone', () => {
    const text = 'Error output:\n```\n####\n--\n```\nThis is not a ---------- delimiter.';
    expect(stripReply(text)).toBe(text);
  });

  it('keeps a message that is only a quote as it is', () => {
    expect(stripReply('> Only a quote here.')).toBe('> Only a quote here.');
    expect(stripReply('   \n\n ')).toBe('');
  });

  it('stays fast on adversarial input', () => {
    const cases = [
      'On '.repeat(200_000),
      `${'a'.repeat(50_000)} wrote${' '.repeat(50_000)}x`,
      Array.from({ length: 20_000 }, (_, i) => `On ${i} <x${i}@y.z`).join('\n'),
      `${'>'.repeat(100_000)}\n`.repeat(5),
      `From: ${'x: '.repeat(30_000)}\n`.repeat(10),
      `2016-03-03 ${'1'.repeat(80_000)}`,
    ];
    for (const text of cases) {
      const started = performance.now();
      stripReply(text);
      expect(performance.now() - started).toBeLessThan(1_500);
    }
  });

  it('ignores input beyond the cap', () => {
    const text = `Keep this.\n${'filler line\n'.repeat(20)}`;
    expect(stripReply(`${text}${'x'.repeat(1000)}`, { maxInputChars: 11 })).toBe('Keep this.');
  });
});
