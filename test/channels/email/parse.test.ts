import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { parseRawEmail } from '../../../src/channels/email/reading/parse.js';
import { compose, fixture, options } from './fixtures/build.js';

function nested(depth: number): Buffer {
  const head = ['From: nest@example.com', 'To: support@helpline.test', 'Subject: deep', 'Message-ID: <deep@example.com>', 'MIME-Version: 1.0'];
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    close = `\r\n--b${i}--\r\n${close}`;
  }
  return Buffer.from(`${head.join('\r\n')}\r\n${open}Content-Type: text/plain\r\n\r\ninnermost text${close}`);
}

describe('parsing under limits', () => {
  it('quarantines a message above the size cap without parsing it', async () => {
    const huge = Buffer.concat([compose({ 'Message-ID': '<huge@example.com>' }), Buffer.alloc(30 * 1024 * 1024, 0x61)]);
    const started = performance.now();
    const a = await analyzeEmail(huge, options());
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(a.action).toBe('quarantine');
    expect(a.reason).toMatch(/^too large/);
    expect(a.messageId).toBe('<huge@example.com>');
  });

  it('quarantines on parse timeout and the next message is still handled', async () => {
    const attachment = Buffer.alloc(6 * 1024 * 1024, 0x41).toString('base64').replace(/.{76}/g, '$&\r\n');
    const body = `--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--x--`;
    const big = compose(['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="x"'], body);
    const a = await analyzeEmail(big, options({ parseTimeoutMs: 1, maxBytes: 20 * 1024 * 1024 }));
    expect(a).toMatchObject({ action: 'quarantine', reason: 'parse timeout' });
    const next = await analyzeEmail(fixture('customer-plain.eml'), options());
    expect(next.action).toBe('reply');
  });

  it('survives a missing closing boundary and lists attachments by name only', async () => {
    const a = await analyzeEmail(fixture('missing-boundary.eml'), options());
    expect(a.action).toBe('reply');
    expect(a.text).toBe('The body of a message whose closing boundary never comes.');
    expect(a.attachments).toEqual([{ filename: '.._.._etc_statement.pdf', contentType: 'application/pdf', size: 48 }]);
  });

  it('survives an unknown charset', async () => {
    const a = await analyzeEmail(fixture('invalid-charset.eml'), options());
    expect(a.action).toBe('reply');
    expect(a.text).toMatch(/^Bonjour, ma carte est bloqu.+e depuis hier\.$/);
  });

  it('reads moderately nested MIME', async () => {
    const a = await analyzeEmail(nested(40), options());
    expect(a.action).toBe('reply');
    expect(a.text).toBe('innermost text');
  });

  it('handles deep MIME nesting within the time cap (parsed or quarantined, never a crash)', async () => {
    const started = performance.now();
    const a = await analyzeEmail(nested(3000), options({ parseTimeoutMs: 5_000 }));
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(['reply', 'quarantine']).toContain(a.action);
    if (a.action === 'reply') expect(a.text).toContain('innermost text');
  });

  it('reports garbage as a message without sender instead of throwing', async () => {
    const outcome = await parseRawEmail(Buffer.from('\u0000\u0001 not a mail at all \r\n\r\n\u00ff'), { maxBytes: 1024, parseTimeoutMs: 1000 });
    expect(outcome.ok).toBe(true);
    const a = await analyzeEmail(Buffer.from('garbage without headers'), options());
    expect(a).toMatchObject({ action: 'quarantine', reason: 'no usable From address' });
  });
});
