/**
 * Batch pieces of the IMAP catch-up: listing new messages, choosing a bounded batch of them, downloading their
 * sources a chunk per ranged FETCH (not one round trip per message). The mailbox position is imap-position.ts.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../../errors.js';
import type { MessageRef } from './record.js';
import { rawMessageId } from '../reading/parse-headers.js';

export type Guard = <T>(p: Promise<T>, what: string) => Promise<T>;

/** One message's source, for one not in the batch download. */
export async function download(client: ImapFlow, uid: number, limit: number, guard: Guard): Promise<Buffer> {
  const m = await guard(client.fetchOne(String(uid), { uid: true, source: { start: 0, maxLength: limit + 1 } }, { uid: true }), 'download');
  if (!m || m.source === undefined) throw new AppError('not_found', `message UID ${uid} is gone from the mailbox`);
  return m.source;
}

export async function moveTo(client: ImapFlow, uid: number, folder: string, guard: Guard): Promise<void> {
  await guard(client.mailboxCreate(folder), 'create folder').catch(() => undefined); // exists already: fine
  await guard(client.messageMove(String(uid), folder, { uid: true }), 'move');
}

/**
 * Messages up to this size are listed without asking for their size; batches and chunks count each of them as this
 * big (64 KB: a 4 MB chunk still holds 50, a 32 MB batch 500), so their memory stays bounded.
 */
export const SMALL_BYTES = 64 * 1024;

/**
 * The messages above `lastUid`, oldest first: their UIDs in one SEARCH, and the exact size only of those LARGER
 * than SMALL_BYTES (one more SEARCH over the same UIDs and a FETCH of their sizes), instead of a FETCH response
 * per message. `UID n:*` also matches the newest old message when nothing is new: results ≤ lastUid are dropped.
 */
export async function listNew(client: ImapFlow, lastUid: number, uidValidity: string, guard: Guard): Promise<MessageRef[]> {
  const found = await guard(client.search({ uid: `${lastUid + 1}:*` }, { uid: true }), 'search');
  if (!found) throw new AppError('unavailable', 'IMAP SEARCH for new mail failed'); // imapflow answers false to NO/BAD
  const uids = found.filter((u) => u > lastUid).sort((a, b) => a - b);
  const top = uids.at(-1);
  if (top === undefined) return [];
  const large = await guard(client.search({ uid: `${lastUid + 1}:${top}`, larger: SMALL_BYTES }, { uid: true }), 'search');
  if (!large) throw new AppError('unavailable', 'IMAP SEARCH LARGER failed');
  const big = new Set(large.filter((u) => u > lastUid));
  const sizes = new Map<number, number>();
  if (big.size > 0) {
    await guard((async () => {
      for await (const m of client.fetch(uidSet([...big].sort((a, b) => a - b)), { uid: true, size: true }, { uid: true })) if (typeof m.size === 'number') sizes.set(m.uid, m.size);
    })(), 'fetch sizes');
  }
  // a large one whose size did not come back (expunged meanwhile) keeps no bound: counted at the per-message cap
  return uids.map((uid) => (big.has(uid) ? { uid, uidValidity, size: sizes.get(uid) } : { uid, uidValidity, maxSize: SMALL_BYTES }));
}

/** The oldest refs up to `maxCount` messages and about `maxBytes` of sources (always at least one). */
export function pickBatch(refs: readonly MessageRef[], maxCount: number, maxBytes: number, perMessageCap: number): MessageRef[] {
  const out: MessageRef[] = [];
  let bytes = 0;
  for (const r of refs) {
    if (out.length >= maxCount) break;
    const b = Math.min(r.size ?? r.maxSize ?? perMessageCap, perMessageCap + 1);
    if (out.length > 0 && bytes + b > maxBytes) break;
    out.push(r);
    bytes += b;
  }
  return out;
}

/** `refs` cut in order into consecutive chunks of at most `maxCount` messages and about `maxBytes` each. */
export function chunksOf(refs: readonly MessageRef[], maxCount: number, maxBytes: number, perMessageCap: number): MessageRef[][] {
  const out: MessageRef[][] = [];
  for (let i = 0; i < refs.length; ) {
    const chunk = pickBatch(refs.slice(i, i + maxCount), maxCount, maxBytes, perMessageCap);
    out.push(chunk);
    i += chunk.length;
  }
  return out;
}

export interface ChunkOptions {
  chunkSize: number;
  chunkBytes: number;
  maxBytes: number;
  guard: Guard;
  /** Messages not downloaded (too large); their Message-ID comes from `ids`. */
  skip: (r: MessageRef) => boolean;
  ids: ReadonlyMap<number, string>;
}

/**
 * The sources of `batch`, downloaded chunk by chunk (one FETCH each): `chunks()` yields each chunk, in UID
 * order, once its sources are in `sources` and each ref has its `envelopeMessageId`, and the next chunk is
 * already downloading, so the first messages are handled without waiting for the whole batch.
 */
export function chunkedSources(client: ImapFlow, batch: readonly MessageRef[], o: ChunkOptions) {
  const sources = new Map<number, Buffer>();
  const load = async (chunk: readonly MessageRef[]): Promise<void> => {
    for (const [uid, src] of await fetchSources(client, chunk.filter((r) => !o.skip(r)), o.maxBytes, o.guard)) sources.set(uid, src);
    for (const r of chunk) {
      const src = sources.get(r.uid);
      r.envelopeMessageId = src ? rawMessageId(src) : o.ids.get(r.uid); // lets a decided message be skipped unparsed
    }
  };
  const list = chunksOf(batch, o.chunkSize, o.chunkBytes, o.maxBytes);
  async function* chunks(): AsyncGenerator<MessageRef[]> {
    let next = list[0] ? load(list[0]) : undefined;
    for (let i = 0; i < list.length; i++) {
      await next;
      const following = list[i + 1];
      next = following ? load(following) : undefined;
      next?.catch(() => undefined); // seen by the next round, unless the caller stopped early
      yield list[i] as MessageRef[];
    }
  }
  return { sources, chunks };
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
