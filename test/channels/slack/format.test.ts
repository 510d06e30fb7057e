import { describe, expect, it } from 'vitest';
import { escapeSlack, formatReply, slackToPlain, toMrkdwn } from '../../../src/channels/slack/format.js';
import { splitForSlack } from '../../../src/channels/slack/split.js';

const hostile = 'Hey <!channel> and <!here|here> <!everyone> ping <@U123> in <#C999|general> go to <https://evil.example|bank.com> & relax';

describe('escapeSlack / toMrkdwn', () => {
  it('never lets customer text form a mention, channel link or disguised link', () => {
    const out = toMrkdwn(hostile);
    expect(out).not.toMatch(/<[!@#]/);
    expect(out).not.toMatch(/<https?:/);
    expect(out).not.toContain('<');
    expect(out).not.toContain('>');
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('&lt;@U123&gt;');
    expect(out).toContain('&lt;https://evil.example|bank.com&gt;');
    expect(out).toContain('&amp; relax');
  });

  it('escapes an already-escaped entity again so it shows literally', () => {
    expect(escapeSlack('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('renders model Markdown as Slack mrkdwn', () => {
    expect(toMrkdwn('This is **important** and *subtle* and ~~old~~')).toBe('This is *important* and _subtle_ and ~old~');
    expect(toMrkdwn('See [the help page](https://help.example/cards) now')).toBe('See the help page (https://help.example/cards) now');
    expect(toMrkdwn('[bank.com](https://evil.example)')).toBe('bank.com (https://evil.example)');
    expect(toMrkdwn('## Your cards\n- one\n- two')).toBe('*Your cards*\n• one\n• two');
    expect(toMrkdwn('> quoted <b>')).toBe('> quoted &lt;b&gt;');
  });

  it('leaves code alone apart from escaping', () => {
    expect(toMrkdwn('run `a **b** <c>` then\n```js\nif (a < b && **c**) {}\n```')).toBe('run `a **b** &lt;c&gt;` then\n```\nif (a &lt; b &amp;&amp; **c**) {}\n```');
  });
});

describe('splitForSlack', () => {
  it('splits 50,000 characters into messages under the limit without losing text', () => {
    const para = 'word '.repeat(150).trim();
    const text = Array.from({ length: 70 }, (_, i) => `${i} ${para}`).join('\n\n').slice(0, 50_000);
    const parts = splitForSlack(text);
    expect(parts.length).toBeGreaterThan(16);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3000);
    const joined = parts.join(' ').replace(/\s+/g, ' ');
    expect(joined === text.replace(/\s+/g, ' ').trim()).toBe(true);
  });

  it('prefers paragraph boundaries', () => {
    const a = 'a'.repeat(2000);
    const b = 'b'.repeat(2000);
    expect(splitForSlack(`${a}\n\n${b}`)).toEqual([a, b]);
  });

  it('never cuts an entity, even in text without spaces', () => {
    const parts = splitForSlack(escapeSlack('<'.repeat(5000)));
    for (const p of parts) {
      expect(p).toMatch(/^(&lt;)+$/);
      expect(p.length).toBeLessThanOrEqual(3000);
    }
    expect(parts.join('')).toBe('&lt;'.repeat(5000));
  });

  it('closes and reopens a code block that has to be cut', () => {
    const code = Array.from({ length: 300 }, (_, i) => `line ${i} of the code`).join('\n');
    const parts = splitForSlack(`Intro\n\n\`\`\`\n${code}\n\`\`\`\n\nOutro`);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect((p.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it('caps a runaway reply with a note', () => {
    const parts = splitForSlack('x '.repeat(200_000), 3000, 5);
    expect(parts).toHaveLength(5);
    expect(parts[4]).toContain('reply shortened');
  });

  it('formatReply of hostile 50k text is safe in every part', () => {
    const parts = formatReply(`${hostile}\n\n${'z'.repeat(50_000)}`);
    expect(parts.length).toBeGreaterThan(16);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(3000);
      expect(p).not.toMatch(/<[!@#h]/);
    }
  });
});

describe('slackToPlain', () => {
  it('turns incoming Slack markup into plain text and drops the bot mention', () => {
    expect(slackToPlain('<@UBOT> my card &lt;1234&gt; &amp; <https://x.example|site> <!here> <@U9>', 'UBOT')).toBe('my card <1234> & site (https://x.example) @here @U9');
  });
});
