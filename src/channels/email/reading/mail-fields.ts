import { domainToUnicode } from 'node:url';
import type { AddressObject, HeaderLines } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';

/** Field extraction from mailparser's objects into plain data: mailboxes, attachment names and part types. */
export interface Mailbox { address: string; name?: string }

const PLAIN_ADDRESS = /^[^\s@<>()",;:]{1,64}@[^\s@<>()",;:]{1,255}$/u;

/** The mailboxes of an address header (group members flattened); only plain `local@domain` addresses are kept. */
export function mailboxes(obj: AddressObject | AddressObject[] | undefined): Mailbox[] {
  const list = Array.isArray(obj) ? obj : obj ? [obj] : [];
  const out: Mailbox[] = [];
  for (const o of list) {
    for (const v of o.value) {
      for (const m of v.group ?? [v]) {
        const address = (m.address ?? '').trim().toLowerCase();
        if (PLAIN_ADDRESS.test(address)) out.push({ address, ...(m.name?.trim() ? { name: m.name.trim().slice(0, 200) } : {}) });
      }
    }
  }
  return out;
}

export function safeFilename(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f/\\]/gu, '_').trim().slice(0, 255);
  return cleaned || '(unnamed)';
}

/** mailparser leaves the type undefined for some broken headers (`Content-Type: ; name=…`). */
export function partType(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : 'application/octet-stream';
}

/** `local@domain` as mailparser reports it: lower case, IDN domain in Unicode. */
function comparable(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.trim().toLowerCase();
  const domain = address.slice(at + 1).trim().toLowerCase();
  return `${address.slice(0, at).trim().toLowerCase()}@${domain.includes('xn--') ? domainToUnicode(domain) || domain : domain}`;
}

/** The addr-specs written literally in the raw `name` header fields (no RFC 2047 decoding), comparable form. */
export function literalAddresses(headerLines: HeaderLines, name: string): Set<string> {
  const out = new Set<string>();
  for (const h of headerLines) {
    if (h.key !== name) continue;
    const bytes = Buffer.from(h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/gu, ' ').slice(0, 10_000), 'latin1');
    // Raw UTF-8 addresses (RFC 6532) are read as UTF-8; anything else stays as the bytes were.
    const utf8 = bytes.toString('utf8');
    const value = utf8.includes('\ufffd') ? bytes.toString('latin1') : utf8;
    for (const a of addressparser(value, { flatten: true })) if (a.address) out.add(comparable(a.address));
  }
  return out;
}

/**
 * Keep only the mailboxes whose address is written literally in the raw header. RFC 2047 §5 forbids encoded-words
 * in an addr-spec, so an address that only appears after decoding (`=?utf-8?Q?ada?=@example.com`, or an encoded
 * display name that decodes to `Name <x@y>`) is not the sender's address and must not count as one.
 */
export function keepLiteralAddresses(obj: AddressObject | AddressObject[] | undefined, literal: Set<string>): void {
  for (const o of Array.isArray(obj) ? obj : obj ? [obj] : []) {
    for (const v of o.value) {
      if (v.group) v.group = v.group.filter((m) => literal.has(comparable(m.address ?? '')));
      else if (v.address && !literal.has(comparable(v.address))) v.address = '';
    }
  }
}
