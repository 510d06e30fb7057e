import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { readMail } from '../../../src/channels/email/reading/read-mail.js';
import { createReadPool } from '../../../src/channels/email/reading/read-pool.js';
import { compose, fixture, options } from './fixtures/build.js';

/**
 * Mail built to hurt: each kind of bomb goes through the worker-thread reader while the event loop of this
 * thread is watched. No message may hold it for 100 ms, each comes back decided (answered or quarantined),
 * and an ordinary message read afterwards is read as before.
 */
const MiB = 1024 * 1024;
const head = ['From: Bomber <bomber@example.com>', 'To: support@helpline.test', 'Subject: hello', 'MIME-Version: 1.0'];
const mail = (headers: string[], body: string) => Buffer.from(`${[...head, ...headers].join('\r\n')}\r\n\r\n${body}`);
const divs = (n: number, word: string) => `${'<div>'.repeat(n)}${word}${'</div>'.repeat(n)}`;

function bombs(): Record<string, Buffer> {
  const parts = (n: number, part: (i: number) => string) => `${Array.from({ length: n }, (_, i) => `--p\r\n${part(i)}\r\n`).join('')}--p--\r\n`;
  let mimeNest = '';
  let mimeClose = '';
  for (let i = 0; i < 5000; i++) {
    mimeNest += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    mimeClose = `\r\n--b${i}--\r\n${mimeClose}`;
  }
  return {
    'html nesting, 1 MiB': mail(['Message-ID: <n1@example.com>', 'Content-Type: text/html; charset=utf-8'], divs(Math.floor(MiB / 11), 'nested-words')),
    'html nesting, 8.6 MiB': mail(['Message-ID: <n8@example.com>', 'Content-Type: text/html; charset=utf-8'], divs(Math.floor(8.6 * MiB / 11), 'deep-words')),
    'html nesting, unclosed tables': mail(['Message-ID: <nt@example.com>', 'Content-Type: text/html'], `${'<table><tr><td>'.repeat(150_000)}table-words`),
    'headers, 100,000 fields': mail(['Message-ID: <h@example.com>', ...Array.from({ length: 100_000 }, (_, i) => `X-Filler-${i}: value ${i}`)], 'header bomb body'),
    'one folded header of 4 MiB': mail(['Message-ID: <f@example.com>', `X-Long: ${'a'.repeat(70).concat('\r\n ').repeat(Math.floor(4 * MiB / 73))}`], 'folded body'),
    'parts, 20,000 siblings': mail(['Message-ID: <p@example.com>', 'Content-Type: multipart/mixed; boundary="p"'], parts(20_000, (i) => `Content-Type: text/plain\r\n\r\npart ${i}`)),
    'MIME nesting, 5,000 levels': mail(['Message-ID: <m@example.com>'], `${mimeNest}Content-Type: text/plain\r\n\r\ninnermost${mimeClose}`),
    'references, 200,000 ids': mail(['Message-ID: <r@example.com>', `References: ${Array.from({ length: 200_000 }, (_, i) => `<id${i}@example.com>`).join(' ')}`], 'reference bomb'),
    'attachments, 3,000 of them': mail(['Message-ID: <a@example.com>', 'Content-Type: multipart/mixed; boundary="p"'], parts(3_000, (i) => `Content-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(2048, i % 256).toString('base64')}`)),
    'encoded words, 100,000 in the subject': mail(['Message-ID: <e@example.com>', `X-Subject-Note: x`, `Subject: ${'=?utf-8?B?w6k=?= '.repeat(100_000)}`], 'encoded-word bomb'),
    'one line of 8 MiB': mail(['Message-ID: <l@example.com>'], 'x'.repeat(8 * MiB)),
  };
}

const pool = createReadPool();
afterAll(() => pool.close());

describe('reading mail in the worker pool', () => {
  it('reads an ordinary message exactly as on this thread', async () => {
    const raw = fixture('customer-reply.eml');
    const limits = { maxBytes: 10 * MiB, parseTimeoutMs: 30_000, maxTextChars: 8_000 };
    expect(await pool.read(raw, limits)).toEqual(await readMail(raw, limits));
  });

  it('never holds the event loop for 100 ms, whatever the message, and decides every one', async () => {
    const all = bombs();
    await analyzeEmail(fixture('customer-plain.eml'), options({ reader: pool, parseTimeoutMs: 30_000 })); // worker loaded
    const outcomes: Record<string, string> = {};
    const worst: Record<string, number> = {};
    for (const [name, raw] of Object.entries(all)) {
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      const a = await analyzeEmail(raw, options({ reader: pool, maxBytes: 10 * MiB, parseTimeoutMs: 8_000 }));
      h.disable();
      worst[name] = Math.round(h.max / 1e6);
      outcomes[name] = `${a.action}:${a.class}${a.action === "quarantine" ? ` (${a.reason})` : ""}`;
      expect(['reply', 'quarantine'], name).toContain(a.action);
    }
    console.log(`[read-pool] bombs: ${JSON.stringify(outcomes)}; worst event-loop delay per bomb (ms): ${JSON.stringify(worst)}`);
    for (const [name, ms] of Object.entries(worst)) expect(ms, name).toBeLessThan(100);
    // The nesting bombs are answered with their words, not dropped: depth is capped, text kept.
    expect(outcomes['html nesting, 1 MiB']).toBe('reply:person');
    const after = await analyzeEmail(fixture('customer-plain.eml'), options({ reader: pool }));
    expect(after).toMatchObject({ action: 'reply', class: 'person' });
  }, 180_000);

  it('answers the words inside deeply nested HTML', async () => {
    const a = await analyzeEmail(bombs()['html nesting, 1 MiB'] as Buffer, options({ reader: pool, parseTimeoutMs: 20_000 }));
    expect(a.text).toContain('nested-words');
  }, 60_000);

  it('terminates a read over its time limit, quarantines that message, and reads the next one', async () => {
    const attachment = Buffer.alloc(6 * MiB, 0x41).toString('base64').replace(/.{76}/g, '$&\r\n');
    const big = compose(['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="x"'], `--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--x--`);
    const a = await analyzeEmail(big, options({ reader: pool, parseTimeoutMs: 20, maxBytes: 20 * MiB }));
    expect(a).toMatchObject({ action: 'quarantine', class: 'unreadable', reason: 'parse timeout' });
    const next = await analyzeEmail(fixture('customer-plain.eml'), options({ reader: pool }));
    expect(next).toMatchObject({ action: 'reply', class: 'person' });
  }, 60_000);

  it('answers reads in order across several workers, and a closed pool rejects what it had not read', async () => {
    const two = createReadPool({ size: 2 });
    const limits = { maxBytes: 10 * MiB, parseTimeoutMs: 30_000, maxTextChars: 8_000 };
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => two.read(compose({ 'Message-ID': `<m${i}@example.com>` }), limits)));
    expect(ids.map((o) => (o.ok ? o.mail.messageId : o.reason))).toEqual(Array.from({ length: 6 }, (_, i) => `<m${i}@example.com>`));
    const pending = two.read(bombs()['html nesting, 8.6 MiB'] as Buffer, limits);
    await two.close();
    await expect(pending).rejects.toMatchObject({ code: 'unavailable' });
    const again = await two.read(fixture('customer-plain.eml'), limits);
    expect(again.ok).toBe(true);
    await two.close();
  }, 60_000);
});
