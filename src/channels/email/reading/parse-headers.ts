import { createHash } from 'node:crypto';
import type { ParsedMail } from 'mailparser';

/** Raw header access in message order (top first), with folding undone. Names are case-insensitive. */
export interface RawHeaders {
  all(name: string): string[];
  first(name: string): string | undefined;
  has(name: string): boolean;
  /** Every distinct header name present, lower-cased, in first-seen order (for header families such as `x-zendesk-*`). */
  names(): string[];
}

const MAX_HEADER_VALUE = 4000;

/** One header field: lower-cased name, unfolded and capped value. Plain data (it crosses the reader's thread boundary). */
export interface HeaderField { key: string; value: string }

/** The message's header fields in order, unfolded, each value capped. */
export function headerFields(mail: ParsedMail): HeaderField[] {
  return (mail.headerLines ?? []).map((h) => {
    const unfolded = h.line.replace(/\r?\n[ \t]+/gu, ' ');
    const colon = unfolded.indexOf(':');
    const value = colon >= 0 ? unfolded.slice(colon + 1).trim() : '';
    return { key: h.key.toLowerCase(), value: value.length > MAX_HEADER_VALUE ? value.slice(0, MAX_HEADER_VALUE) : value };
  });
}

export function rawHeaders(mail: ParsedMail): RawHeaders {
  return headersOf(headerFields(mail));
}

/** Header access by name through one index built in a single pass (a message may carry thousands of fields). */
export function headersOf(lines: HeaderField[]): RawHeaders {
  const byName = new Map<string, string[]>();
  for (const l of lines) {
    const list = byName.get(l.key);
    if (list) list.push(l.value);
    else byName.set(l.key, [l.value]);
  }
  const all = (name: string) => byName.get(name.toLowerCase()) ?? [];
  return {
    all,
    first: (name) => all(name)[0],
    has: (name) => byName.has(name.toLowerCase()),
    names: () => [...byName.keys()],
  };
}

/** `<a@b>` form; ids without brackets get them, whitespace is removed. */
export function normalizeMessageId(id: string): string | undefined {
  const t = id.trim().replace(/\s+/gu, '');
  if (t === '' || t === '<>') return undefined;
  return t.startsWith('<') && t.endsWith('>') ? t : `<${t.replace(/^<|>$/gu, '')}>`;
}

/** All `<…>` ids in a References / In-Reply-To value (bounded: at most `max`, the most recent kept). */
export function messageIdList(value: string | string[] | undefined, max = 50): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '');
  const ids = joined.slice(0, 100_000).match(/<[^<>\s]{1,500}>/gu) ?? [];
  return [...new Set(ids)].slice(-max);
}

const MAX_HEAD_BYTES = 256 * 1024;

/** The raw header section (up to the first blank line, capped), read without parsing the message. */
export function rawHeaderBlock(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, MAX_HEAD_BYTES)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/u);
  return end >= 0 ? head.slice(0, end) : head;
}

/** The Message-ID found in the raw header section, when there is a usable one. */
export function rawMessageId(raw: Buffer): string | undefined {
  const m = rawHeaderBlock(raw).match(/^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]{1,500}>)/imu);
  return m?.[1];
}

/** Deterministic id for a message without Message-ID: a hash of its header section. */
export function syntheticMessageId(raw: Buffer): string {
  const hash = createHash('sha256').update(rawHeaderBlock(raw), 'latin1').digest('hex').slice(0, 40);
  return `<${hash}@synthetic.helpline.invalid>`;
}
