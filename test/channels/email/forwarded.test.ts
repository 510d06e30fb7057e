import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { findForward } from '../../../src/channels/email/text/forwarded.js';
import { compose, options } from './fixtures/build.js';

const SHOP = 'From: Shop <shop@x.example>\nDate: Sat, 1 Mar 2025 10:00\nSubject: Invoice 17\nTo: ada@example.com\n\nYou owe 10 EUR. Pay at http://pay.x.example';
const FORWARDED = '[Forwarded message]\nFrom: Shop <shop@x.example>\nDate: Sat, 1 Mar 2025 10:00\nSubject: Invoice 17\nTo: ada@example.com\n\nYou owe 10 EUR. Pay at http://pay.x.example';

async function textOf(headers: Record<string, string> | string[], body: string): Promise<string> {
  return (await analyzeEmail(compose(headers, body), options())).text;
}

describe('mail the customer forwards to us', () => {
  it('keeps a Gmail forward under the note "see the mail below", marked as forwarded', async () => {
    const body = `see the mail below, is this invoice real?\n\nAda\n\n---------- Forwarded message ---------\n${SHOP}`;
    expect(await textOf({ Subject: 'Fwd: Invoice 17' }, body)).toBe(`see the mail below, is this invoice real?\n\nAda\n\n${FORWARDED}`);
    // The separator alone makes it a forward when the subject was edited.
    expect(await textOf({ Subject: 'Is this real?' }, body)).toBe(`see the mail below, is this invoice real?\n\nAda\n\n${FORWARDED}`);
  });

  it('keeps Apple Mail and Thunderbird forwards, quoted or not', async () => {
    expect(await textOf({ Subject: 'Invoice 17' }, `Can you check this?\n\nBegin forwarded message:\n\n${SHOP}`)).toBe(`Can you check this?\n\n${FORWARDED}`);
    const quoted = SHOP.split('\n').map((l) => `> ${l}`.trimEnd()).join('\n');
    expect(await textOf({ Subject: 'Invoice 17' }, `Can you check this?\n\n> Begin forwarded message:\n>\n${quoted}`)).toBe(`Can you check this?\n\n${FORWARDED}`);
    expect(await textOf({ Subject: 'Fwd: Invoice 17' }, `Real?\n\n-------- Forwarded Message --------\n${SHOP}`)).toBe(`Real?\n\n${FORWARDED}`);
  });

  it('keeps "-------- Original Message --------" introduced by FYI / see below in a mail that is not a reply', async () => {
    expect(await textOf({ Subject: 'Invoice 17' }, `FYI\n\n-------- Original Message --------\n${SHOP}`)).toBe(`FYI\n\n${FORWARDED}`);
    expect(await textOf({ Subject: 'Rechnung' }, `Siehe unten.\n\n-----Ursprüngliche Nachricht-----\n${SHOP}`)).toBe(`Siehe unten.\n\n${FORWARDED}`);
  });

  it('keeps an Outlook forward (FW: subject, From/Sent/To/Subject block) and a forward with no note at all', async () => {
    const outlook = 'Please advise.\n\n________________________________\nFrom: Shop <shop@x.example>\nSent: Saturday, March 1, 2025 10:00 AM\nTo: Ada <ada@example.com>\nSubject: Invoice 17\n\nYou owe 10 EUR.';
    expect(await textOf({ Subject: 'FW: Invoice 17' }, outlook)).toBe('Please advise.\n\n[Forwarded message]\nFrom: Shop <shop@x.example>\nSent: Saturday, March 1, 2025 10:00 AM\nTo: Ada <ada@example.com>\nSubject: Invoice 17\n\nYou owe 10 EUR.');
    expect(await textOf({ Subject: 'WG: Rechnung' }, `-----Ursprüngliche Nachricht-----\n${SHOP}`)).toBe(FORWARDED);
  });

  it('finds the forward inside HTML quotes (Gmail HTML-only forward)', async () => {
    const html = '<div dir="ltr">see the mail below<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong>Shop</strong> &lt;shop@x.example&gt;<br>Date: Sat, 1 Mar 2025 10:00<br>Subject: Invoice 17<br>To: &lt;ada@example.com&gt;<br></div><br><div>You owe 10 EUR.</div></div></div>';
    const text = await textOf(['Subject: Fwd: Invoice 17', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8'], html);
    expect(text).toBe('see the mail below\n\n[Forwarded message]\nFrom: Shop <shop@x.example>\nDate: Sat, 1 Mar 2025 10:00\nSubject: Invoice 17\nTo: <ada@example.com>\n\nYou owe 10 EUR.');
  });

  it('still strips true reply history', async () => {
    const history = 'See below.\n\n-----Original Message-----\nFrom: Helpline <support@helpline.test>\nSent: Monday\nTo: Ada\nSubject: Help\n\nWhich card?';
    expect(await textOf({ Subject: 'RE: Help', 'In-Reply-To': '<ours@helpline.test>' }, history)).toBe('See below.');
    expect(await textOf({ Subject: 'RE: FW: Invoice' }, history)).toBe('See below.');
    // "On … wrote:" is reply history even under a forward subject.
    expect(await textOf({ Subject: 'Fwd: Help' }, 'Thanks!\n\nOn Mon, 3 Mar 2025 at 10:00, Helpline <support@helpline.test> wrote:\n> Which card?')).toBe('Thanks!');
    // An ordinary note above quoted headers is a reply, not a forward.
    expect(await textOf({ Subject: 'Help' }, 'The card ending 4242.\n\nFrom: Helpline <support@helpline.test>\nSent: Monday\nTo: Ada\nSubject: Help\n\nWhich card?')).toBe('The card ending 4242.');
  });

  it('splits note and forwarded mail the way Discourse extracts an embedded mail', () => {
    expect(findForward('FYI\n\n-----Original Message-----\nFrom: a@x.example\nSent: Monday\nTo: b@x.example\nSubject: s\n\nbody', 'Help')).toEqual({
      note: 'FYI',
      forwarded: 'From: a@x.example\nSent: Monday\nTo: b@x.example\nSubject: s\n\nbody',
    });
    expect(findForward('just text, nothing embedded', 'Fwd: x')).toBeUndefined();
  });
});
