import type { AddressObject } from 'mailparser';

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
