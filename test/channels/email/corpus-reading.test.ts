import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bodyParts, type BodyPart } from '../../../src/channels/email/reading/body-parts.js';
import { findForward } from '../../../src/channels/email/text/forwarded.js';
import { headerStart, normalizeRaw } from '../../../src/channels/email/reading/raw-normalize.js';
import { readMail } from '../../../src/channels/email/reading/read-mail.js';
import { stripReply } from '../../../src/channels/email/text/strip-reply.js';
import { htmlToPlainText } from '../../../src/channels/email/text/text-body.js';

/**
 * Reading real-world mail nobody here wrote (../shared/corpora/email, read in place; skipped with a notice when
 * absent): forwards, Outlook/hr reply sections, every body part, charsets, junk before the header section.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = path.resolve(repoRoot, '../shared/corpora/email');
const present = existsSync(path.join(corpus, 'EMAIL_INDEX.tsv'));
if (!present) console.log(`[corpus-reading.test] ${corpus} not found — real-world reading tests skipped`);

const limits = { maxBytes: 10 * 1024 * 1024, parseTimeoutMs: 5_000, maxTextChars: 8_000 };
const share = (ok: number, n: number) => `${ok}/${n}`;
const squash = (s: string) => s.replace(/[ \t]+$/gmu, '').replace(/\n{3,}/gu, '\n\n').trim();

function rawFiles(): string[] {
  return readFileSync(path.join(corpus, 'EMAIL_INDEX.tsv'), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.split('\t')[0] ?? '');
}

function flatten(parts: BodyPart[]): string {
  return parts.map((p) => (p.kind === 'message' ? `${p.text}\n${flatten(p.parts ?? [])}` : p.kind === 'html' ? htmlToPlainText(p.text) : p.text)).join('\n');
}

describe.skipIf(!present)('reading real-world mail', () => {
  it('splits forwards like the discourse trimmer extracts embedded mail (measured 9/10: an "On … wrote:" chain is not a forward)', () => {
    const dir = path.join(corpus, 'discourse+email_reply_trimmer/test');
    const files = readdirSync(path.join(dir, 'embedded'));
    const failed = files.filter((f) => {
      const found = findForward(readFileSync(path.join(dir, 'emails', f), 'utf8'), 'Fwd: corpus');
      const embedded = readFileSync(path.join(dir, 'embedded', f), 'utf8');
      const before = readFileSync(path.join(dir, 'before', f), 'utf8');
      return !found || squash(found.forwarded) !== squash(embedded) || stripReply(found.note) !== stripReply(before);
    });
    console.log(`[corpus-reading] discourse embedded set: ${share(files.length - failed.length, files.length)} (mismatches: ${failed.join(', ') || 'none'})`);
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.length - failed.length).toBeGreaterThanOrEqual(9);
  });

  it('cuts the talon HTML reply sections (Outlook for Mac, reply under <hr>, quotes sharing a block)', async () => {
    const dir = path.join(corpus, 'mailgun+talon/tests/fixtures');
    const html = (f: string) => stripReply(htmlToPlainText(readFileSync(path.join(dir, f), 'utf8'))).replace(/\s+/gu, '');
    expect(html('OLK_SRC_BODY_SECTION.html')).toBe('Reply');
    expect(html('reply-separated-by-hr.html')).toBe('HithereBob');
    const shared = await readMail(readFileSync(path.join(dir, 'reply-quotations-share-block.eml')), limits);
    expect(shared.ok && shared.mail.text.startsWith('Hi Katharine.')).toBe(true);
    expect(shared.ok && shared.mail.text).not.toContain('New Booking Inquiry');
  });

  it('finds every text body part the stalwart parser finds (measured 23/25: it also joins two plain alternatives and keeps bytes after base64 padding)', () => {
    const root = path.join(corpus, 'stalwartlabs+mail-parser/resources/eml');
    let n = 0;
    const failed: string[] = [];
    for (const dir of readdirSync(root).filter((d) => d !== 'malformed')) {
      for (const f of readdirSync(path.join(root, dir)).filter((x) => x.endsWith('.eml'))) {
        const specFile = path.join(root, dir, f.replace(/\.eml$/u, '.json'));
        if (!existsSync(specFile)) continue;
        const spec = JSON.parse(readFileSync(specFile, 'utf8')) as { text_body?: number[]; parts: Array<{ body?: { Text?: string } }> };
        const texts = (spec.text_body ?? []).map((i) => spec.parts[i]?.body?.Text).filter((t): t is string => typeof t === 'string');
        if (texts.length === 0) continue;
        n++;
        const got = flatten(bodyParts(normalizeRaw(readFileSync(path.join(root, dir, f))))).replace(/\s+/gu, ' ');
        if (!texts.every((t) => got.includes(t.replace(/\s+/gu, ' ').trim()))) failed.push(`${dir}/${f}`);
      }
    }
    console.log(`[corpus-reading] stalwart text bodies: ${share(n - failed.length, n)} (mismatches: ${failed.join(', ') || 'none'})`);
    expect(n).toBeGreaterThan(20);
    expect(n - failed.length).toBeGreaterThanOrEqual(23);
  });

  it('reads every raw mail without mojibake, and gives a sender to mail with junk before its header section', async () => {
    const garbled: string[] = [];
    const junkWithoutSender: string[] = [];
    let junk = 0;
    for (const file of rawFiles()) {
      const raw = readFileSync(path.join(corpus, file));
      const read = await readMail(raw, limits);
      if (!read.ok) continue;
      if (/\ufffd|Ã[\u0080-\u00bf]/u.test(read.mail.text)) garbled.push(file);
      if (headerStart(raw) > 0) {
        junk++;
        if (read.mail.from.length === 0) junkWithoutSender.push(file);
      }
    }
    console.log(`[corpus-reading] text with replacement characters or mojibake: ${garbled.length} (${garbled.join(', ') || 'none'}); mail with junk before the header: ${junk}, without sender: ${junkWithoutSender.length}`);
    // Measured 2: a body whose base64 is broken and a UTF-16 part sent as 8-bit binary (read before: 6).
    expect(garbled.length).toBeLessThanOrEqual(2);
    expect(junk).toBeGreaterThan(10);
    expect(junkWithoutSender).toEqual([]);
  }, 60_000);
});
