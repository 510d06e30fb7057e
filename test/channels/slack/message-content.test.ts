/**
 * What the agent is given for a message, as Slack clients render it: forwarded and shared messages, rich-text
 * blocks, files we cannot open, and very long messages (read in full up to Slack's own limit; past ours, cut with
 * the customer told). Through the real Bolt app in HTTP mode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postEvent } from '../../helpers/slack-sign.js';
import { dm, SECRET, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function textOf(extra: Record<string, unknown>, text = ''): Promise<string> {
  h = await startHarness();
  const hh = h;
  const body = dm(hh.fake, { text, extra });
  expect((await postEvent(hh.url, SECRET, body)).status).toBe(200);
  const msg = await hh.fake.waitFor(() => hh.convs.handled[0]);
  return msg.text;
}

const richText = (elements: unknown[]) => [{ type: 'rich_text', block_id: 'b1', elements }];

describe('forwarded and shared messages', () => {
  it('a forwarded message with no comment: its author and text, never "(empty message)"', async () => {
    const text = await textOf({
      attachments: [{
        is_share: true, author_id: 'U0BOB', author_name: 'Bob Stone', channel_id: 'C0GEN', channel_name: 'general', ts: '1700000000.000100',
        fallback: '[November 20th] Bob Stone: My card was charged twice for the same order', text: 'My card was charged twice for the same order',
        from_url: 'https://fake.slack.test/archives/C0GEN/p1700000000000100', mrkdwn_in: ['text'], footer: 'Posted in #general',
      }],
    });
    expect(text).not.toContain('(empty message)');
    expect(text).toContain('Forwarded message from Bob Stone in #general');
    expect(text).toContain('> My card was charged twice for the same order');
  });

  it('a shared message with a comment: the comment first, then the message read from its blocks', async () => {
    const text = await textOf({
      attachments: [{
        is_share: true, is_msg_unfurl: false, author_name: 'Ada Lovelace', fallback: 'older text', text: '',
        message_blocks: [{ team: 'T0TEAM', channel: 'C0GEN', ts: '1700000000.000200', message: { blocks: richText([
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'Transfer ' }, { type: 'text', text: 'TX-991', style: { code: true } }, { type: 'text', text: ' never arrived' }] },
        ]) } }],
      }],
    }, 'see below, this is still open');
    expect(text.startsWith('see below, this is still open')).toBe(true);
    expect(text).toContain('Forwarded message from Ada Lovelace');
    expect(text).toContain('> Transfer TX-991 never arrived');
    expect(text).not.toContain('older text');
  });

  it('a message link unfurl is read as the linked message; an ordinary link preview adds nothing', async () => {
    const text = await textOf({
      attachments: [
        { is_msg_unfurl: true, author_name: 'Support Bot', text: 'Your dispute D-17 was opened', fallback: 'x', original_url: 'https://fake.slack.test/archives/C1/p1' },
        { from_url: 'https://example.com/article', title: 'Some web article', text: 'A long description of a web page', service_name: 'example.com' },
      ],
    }, 'what about <https://fake.slack.test/archives/C1/p1>?');
    expect(text).toContain('Linked message from Support Bot');
    expect(text).toContain('> Your dispute D-17 was opened');
    expect(text).not.toContain('A long description of a web page');
  });

  it('an attachment-only message with odd fields is read where it can be and never breaks the handler', async () => {
    const text = await textOf({ attachments: [null, 7, 'x', { title: 'Card statement', text: 42, fallback: 'Card statement for November' }, { is_share: true, message_blocks: 'nope', text: null }] });
    expect(text).toContain('Card statement');
    expect(text).toContain('[Forwarded message]');
  });
});

describe('rich-text messages whose text is empty', () => {
  it('are read from their blocks: sections, lists, quotes, code, links, mentions, emoji', async () => {
    h = await startHarness();
    const hh = h;
    const body = dm(hh.fake, {
      text: '',
      extra: {
        blocks: richText([
          { type: 'rich_text_section', elements: [{ type: 'user', user_id: hh.fake.botUserId }, { type: 'text', text: ' I need help with:\n' }] },
          { type: 'rich_text_list', style: 'ordered', indent: 0, elements: [
            { type: 'rich_text_section', elements: [{ type: 'text', text: 'a blocked card' }] },
            { type: 'rich_text_section', elements: [{ type: 'text', text: 'my address' }, { type: 'emoji', name: 'house', unicode: '1f3e0' }] },
          ] },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted words' }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'ERR-42' }] },
          { type: 'rich_text_section', elements: [{ type: 'link', url: 'https://bank.example/help', text: 'your help page' }, { type: 'text', text: ' cc ' }, { type: 'user', user_id: 'U0BOB' }] },
        ]),
      },
    });
    await postEvent(hh.url, SECRET, body);
    const { text } = await hh.fake.waitFor(() => hh.convs.handled[0]);
    expect(text).toContain('I need help with:');
    expect(text).not.toContain(hh.fake.botUserId);
    expect(text).toContain('1. a blocked card');
    expect(text).toContain('2. my address🏠');
    expect(text).toContain('> quoted words');
    expect(text).toContain('ERR-42');
    expect(text).toContain('your help page (https://bank.example/help) cc @U0BOB');
  });
});

describe('files', () => {
  it('a file share says plainly which file could not be opened', async () => {
    const text = await textOf({
      subtype: 'file_share',
      files: [
        { id: 'F1', name: 'statement-nov.pdf', title: 'statement-nov.pdf', filetype: 'pdf', pretty_type: 'PDF', mimetype: 'application/pdf', size: 48211 },
        { id: 'F2', mode: 'hidden_by_limit' },
      ],
    }, 'here is my statement');
    expect(text).toContain('here is my statement');
    expect(text).toContain('[the customer attached a file (statement-nov.pdf, PDF) that I cannot open]');
    expect(text).toContain('that is no longer available]');
  });

  it('a file with no text at all is not an "(empty message)"', async () => {
    const text = await textOf({ subtype: 'file_share', files: [{ id: 'F3', name: 'photo.jpg', filetype: 'jpg', mimetype: 'image/jpeg' }] });
    expect(text).toBe('[the customer attached a file (photo.jpg, jpg) that I cannot open]');
  });
});

describe('very long messages', () => {
  it('a 40,000-character message (Slack\'s own limit) reaches the agent whole, with no notice', async () => {
    h = await startHarness();
    const hh = h;
    const long = Array.from({ length: 4000 }, (_, i) => `word${String(i).padStart(4, '0')}.`).join(' ').slice(0, 39_999).concat('!');
    expect(long).toHaveLength(40_000);
    const body = dm(hh.fake, { text: long });
    await postEvent(hh.url, SECRET, body);
    const msg = await hh.fake.waitFor(() => hh.convs.handled[0]);
    expect(msg.text).toBe(long);
    await hh.fake.waitFor(() => hh.convs.turns.length === 1);
    await hh.channel.idle();
    expect(hh.fake.callsOf('chat.postMessage').filter((c) => /characters long/.test(String(c.args['text'])))).toHaveLength(0);
  });

  it('past the limit (a long message plus a forwarded one) the cut is marked for the agent and the customer is told in the thread', async () => {
    h = await startHarness();
    const hh = h;
    const long = 'a'.repeat(39_990);
    const forwarded = 'b '.repeat(10_000);
    const body = dm(hh.fake, { text: long, extra: { attachments: [{ is_share: true, author_name: 'Bob', text: forwarded }] } });
    await postEvent(hh.url, SECRET, body);
    const msg = await hh.fake.waitFor(() => hh.convs.handled[0]);
    expect(msg.text.startsWith(long)).toBe(true);
    expect(msg.text).toMatch(/\[Helpline note: this message was 6\d,\d{3}|this message was 6\d{4} characters long; only the first 4\d{4} are shown above/);
    const notice = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').find((c) => /characters long/.test(String(c.args['text']))));
    expect(notice.args).toMatchObject({ channel: 'D0CUST', thread_ts: body.event.ts });
    expect(String(notice.args['text'])).toMatch(/Your message was 6\d,\d{3} characters long, .* I read the first 4\d,\d{3} characters/);
  });
});
