/**
 * Listing new mail and downloading it in chunks, against a real Dovecot: UIDs come from SEARCH with sizes asked
 * only for large messages, and a batch's sources arrive chunk by chunk with the next chunk already downloading
 * when the current one is handed out.
 */
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkedSources, listNew, SMALL_BYTES, type Guard } from '../../../src/channels/email/inbound/imap-batch.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { rawMail } from '../../helpers/email-bot-fixtures.js';

const guard: Guard = (p) => p;

describe.skipIf(!dovecotAvailable())('IMAP listing and chunked download (Dovecot)', () => {
  let dovecot: Dovecot;
  let client: ImapFlow;
  beforeAll(async () => {
    dovecot = await startDovecot();
    for (let i = 1; i <= 7; i++) {
      const body = i === 4 ? 'x'.repeat(SMALL_BYTES + 1000) : `Question ${i}`;
      await dovecot.append(rawMail({ from: `c${i}@customer.test`, subject: `Q${i}`, messageId: `<q${i}@customer.test>`, body }));
    }
    client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
    client.on('error', () => undefined);
    await client.connect();
    await client.mailboxOpen('INBOX');
  }, 60_000);
  afterAll(async () => {
    await client?.logout().catch(() => undefined);
    await dovecot?.stop();
  });

  it('lists new UIDs in order; only the large message has its size fetched; nothing new is empty', async () => {
    const refs = await listNew(client, 2, '1', guard);
    expect(refs.map((r) => r.uid)).toEqual([3, 4, 5, 6, 7]);
    const big = refs.find((r) => r.uid === 4);
    expect(big?.size).toBeGreaterThan(SMALL_BYTES);
    expect(refs.filter((r) => r.uid !== 4).every((r) => r.size === undefined && r.maxSize === SMALL_BYTES)).toBe(true);
    // `UID 8:*` matches the newest message (7) on the server; it is not new
    expect(await listNew(client, 7, '1', guard)).toEqual([]);
  });

  it('a SEARCH the server refuses (imapflow answers false) fails the pass instead of looking like no new mail', async () => {
    const refusing = (which: number) => {
      let n = 0;
      return new Proxy(client, {
        get(target, prop, receiver) {
          if (prop !== 'search') return Reflect.get(target, prop, receiver) as unknown;
          return (...args: unknown[]) => (++n === which ? Promise.resolve(false) : (target.search as (...a: unknown[]) => unknown).apply(target, args));
        },
      });
    };
    await expect(listNew(refusing(1), 0, '1', guard)).rejects.toMatchObject({ code: 'unavailable' });
    await expect(listNew(refusing(2), 0, '1', guard)).rejects.toMatchObject({ code: 'unavailable' }); // the LARGER one
  });

  it('hands out chunks in UID order with their sources in, the next chunk already downloading', async () => {
    const refs = await listNew(client, 0, '1', guard);
    const ranges: string[] = [];
    const spied = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'fetch') return Reflect.get(target, prop, receiver) as unknown;
        return (range: string, ...rest: unknown[]) => {
          ranges.push(range);
          return (target.fetch as (...a: unknown[]) => unknown).call(target, range, ...rest);
        };
      },
    });
    const big = (r: { size?: number | undefined }) => (r.size ?? 0) > SMALL_BYTES;
    const { sources, chunks } = chunkedSources(spied, refs, { chunkSize: 3, chunkBytes: 1 << 20, maxBytes: 10 << 20, guard, skip: big, ids: new Map([[4, '<q4@customer.test>']]) });
    const seen: Array<{ uids: number[]; fetchesStarted: number; withSource: number[] }> = [];
    for await (const chunk of chunks()) {
      seen.push({ uids: chunk.map((r) => r.uid), fetchesStarted: ranges.length, withSource: chunk.filter((r) => sources.has(r.uid)).map((r) => r.uid) });
    }
    expect(seen.map((s) => s.uids)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(seen.map((s) => s.fetchesStarted)).toEqual([2, 3, 3]); // chunk n+1 requested before chunk n is handled
    expect(seen.map((s) => s.withSource)).toEqual([[1, 2, 3], [5, 6], [7]]); // the skipped large one is not downloaded
    expect(ranges).toEqual(['1:3', '5:6', '7']);
    expect(refs.map((r) => r.envelopeMessageId)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `<q${i}@customer.test>`));
  });
});
