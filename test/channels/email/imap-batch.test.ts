/**
 * The batch pieces of the IMAP catch-up: bounded batches, compact UID sets, and the mailbox position that
 * only moves over messages whose decision is recorded (a message still in flight or failed holds it back,
 * so a crash never skips it).
 */
import { describe, expect, it } from 'vitest';
import { readSync } from '../../../src/channels/email/email-state.js';
import { createPosition, pickBatch, uidSet } from '../../../src/channels/email/imap-batch.js';
import { emptyDb } from '../../../src/store/schema.js';

const ref = (uid: number, size?: number) => ({ uid, uidValidity: '7', size });

describe('IMAP batches', () => {
  it('takes the oldest messages up to the count and byte caps, but always at least one', () => {
    const refs = [ref(1, 400), ref(2, 400), ref(3, 400), ref(4, 400)];
    expect(pickBatch(refs, 3, 10_000, 1_000).map((r) => r.uid)).toEqual([1, 2, 3]);
    expect(pickBatch(refs, 10, 1_000, 1_000).map((r) => r.uid)).toEqual([1, 2]);
    expect(pickBatch([ref(9, 50_000), ref(10, 10)], 10, 1_000, 100_000).map((r) => r.uid)).toEqual([9]);
    // An oversized message counts only up to the per-message cap (it is not downloaded whole).
    expect(pickBatch([ref(1, 10_000_000), ref(2, 10)], 10, 2_000, 1_000).map((r) => r.uid)).toEqual([1, 2]);
  });

  it('writes UID sets compactly', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
    expect(uidSet([42])).toBe('42');
  });

  it('advances the position only over contiguously recorded UIDs', () => {
    const db = emptyDb();
    const pos = createPosition('7', [3, 4, 6, 9], () => new Date('2026-01-01T00:00:00Z'));
    pos.recorded(db, 4);
    expect(readSync(db)).toBeUndefined(); // UID 3 is not decided yet
    pos.recorded(db, 6);
    expect(readSync(db)).toBeUndefined();
    pos.recorded(db, 3);
    expect(readSync(db)?.lastUid).toBe(6);
    pos.recorded(db, 9);
    expect(readSync(db)).toMatchObject({ uidValidity: '7', lastUid: 9 });
  });
});
