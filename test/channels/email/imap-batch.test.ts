/**
 * The batch pieces of the IMAP catch-up: bounded batches, compact UID sets, and the mailbox position that
 * only moves over messages whose decision is recorded (a message still in flight or failed holds it back,
 * so a crash never skips it).
 */
import { describe, expect, it } from 'vitest';
import { pickBatch, uidSet } from '../../../src/channels/email/inbound/imap-batch.js';
import { createPosition } from '../../../src/channels/email/inbound/imap-position.js';
import { reposFor } from '../../helpers/test-engine.js';

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

  it('advances the position only over contiguously recorded UIDs, in the transaction that records the decision', async () => {
    const repos = await reposFor();
    const pos = createPosition({ mailbox: 'INBOX', uidValidity: '7', uids: [3, 4, 6, 9], clock: () => new Date('2026-01-01T00:00:00Z') });
    const record = async (uid: number) => {
      await repos.transaction((tx) => pos.record(tx, uid));
      pos.recorded(uid);
    };
    const lastUid = async () => (await repos.email.mailbox('INBOX'))?.lastUid;
    await record(4);
    expect(await repos.email.mailbox('INBOX')).toBeUndefined(); // UID 3 is not decided yet
    await record(6);
    expect(await lastUid()).toBeUndefined();
    await record(3);
    expect(await lastUid()).toBe(6);
    await record(9);
    expect(await repos.email.mailbox('INBOX')).toMatchObject({ uidValidity: '7', lastUid: 9 });
  });

  it('does not count a decision whose transaction rolled back, and catches up on flush after out-of-order commits', async () => {
    const repos = await reposFor();
    const pos = createPosition({ mailbox: 'INBOX', uidValidity: '7', uids: [1, 2, 3], clock: () => new Date('2026-01-01T00:00:00Z') });
    await expect(repos.transaction(async (tx) => {
      await pos.record(tx, 1);
      throw new Error('decision not written');
    })).rejects.toThrow('decision not written');
    expect(await repos.email.mailbox('INBOX')).toBeUndefined(); // rolled back with the decision
    // 2's transaction runs while 1 is undecided (writes nothing), 1's before 2 is known committed (writes 1).
    await repos.transaction((tx) => pos.record(tx, 2));
    await repos.transaction((tx) => pos.record(tx, 1));
    pos.recorded(2);
    pos.recorded(1);
    expect((await repos.email.mailbox('INBOX'))?.lastUid).toBe(1);
    await pos.flush(repos);
    expect((await repos.email.mailbox('INBOX'))?.lastUid).toBe(2); // UID 3 still holds it
  });
});
