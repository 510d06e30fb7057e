/**
 * Batch pieces of the IMAP catch-up: choosing a bounded batch of new messages, downloading their sources
 * in ONE ranged FETCH (instead of one round trip per message), and the mailbox position that only moves
 * to the highest UID below which every message's decision is recorded.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../errors.js';
import type { Db } from '../../store/schema.js';
import type { MessageRef } from './email-record.js';
import { writeSync } from './email-state.js';

export type Guard = <T>(p: Promise<T>, what: string) => Promise<T>;

/** One message's source, for one not in the batch download. */
export async function download(client: ImapFlow, uid: number, limit: number, guard: Guard): Promise<Buffer> {
  const m = await guard(client.fetchOne(String(uid), { uid: true, source: { start: 0, maxLength: limit + 1 } }, { uid: true }), 'download');
  if (!m || !m.source) throw new AppError('not_found', `message UID ${uid} is gone from the mailbox`);
  return m.source;
}

export async function moveTo(client: ImapFlow, uid: number, folder: string, guard: Guard): Promise<void> {
  await guard(client.mailboxCreate(folder), 'create folder').catch(() => undefined); // exists already: fine
  await guard(client.messageMove(String(uid), folder, { uid: true }), 'move');
}

/** The oldest refs up to `maxCount` messages and about `maxBytes` of sources (always at least one). */
export function pickBatch(refs: readonly MessageRef[], maxCount: number, maxBytes: number, perMessageCap: number): MessageRef[] {
  const out: MessageRef[] = [];
  let bytes = 0;
  for (const r of refs) {
    if (out.length >= maxCount) break;
    const b = Math.min(r.size ?? perMessageCap, perMessageCap + 1);
    if (out.length > 0 && bytes + b > maxBytes) break;
    out.push(r);
    bytes += b;
  }
  return out;
}

/** `1,3,5:9` for sorted UIDs. */
export function uidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === (uids[j] as number) + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Sources of `refs` (each at most `limit + 1` bytes, so an oversized one still shows as too large) in one
 * FETCH. Messages expunged meanwhile are simply absent from the map.
 */
export async function fetchSources(client: ImapFlow, refs: readonly MessageRef[], limit: number, guard: Guard): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  if (refs.length === 0) return out;
  await guard((async () => {
    const range = uidSet(refs.map((r) => r.uid));
    for await (const m of client.fetch(range, { uid: true, source: { start: 0, maxLength: limit + 1 } }, { uid: true })) {
      if (m.source) out.set(m.uid, m.source);
    }
  })(), 'fetch sources');
  return out;
}

/** Message-IDs (from the envelope) of messages not downloaded, e.g. too large ones, to key their decision. */
export async function fetchMessageIds(client: ImapFlow, refs: readonly MessageRef[], guard: Guard): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (refs.length === 0) return out;
  await guard((async () => {
    for await (const m of client.fetch(uidSet(refs.map((r) => r.uid)), { uid: true, envelope: true }, { uid: true })) {
      if (m.envelope?.messageId) out.set(m.uid, m.envelope.messageId);
    }
  })(), 'fetch message ids');
  return out;
}

/**
 * The mailbox position over one batch (UIDs ascending): `recorded(db, uid)` marks a message decided and,
 * in the same store update, writes `lastUid` = the highest UID with every batch message up to it decided.
 * A message that failed or was not decided yet holds the position below it: nothing is ever skipped.
 */
export function createPosition(uidValidity: string, uids: readonly number[], clock: () => Date) {
  const done = new Set<number>();
  let next = 0;
  return {
    recorded(db: Db, uid: number): void {
      done.add(uid);
      while (next < uids.length && done.has(uids[next] as number)) next++;
      if (next > 0) writeSync(db, uidValidity, uids[next - 1] as number, clock().toISOString());
    },
  };
}
