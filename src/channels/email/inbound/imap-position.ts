/**
 * The mailbox position over one batch (UIDs ascending): `lastUid` only moves to the highest UID with every batch
 * message up to it recorded. A message that failed or is not decided yet holds the position below it, so nothing
 * is ever skipped; a message decided twice (a re-listed one) is skipped by its Message-ID decision.
 *
 * `record(tx, uid)` runs inside the transaction that records the decision about `uid` (decision and position
 * commit together); `recorded(uid)` once it committed. Transactions that commit out of order may leave the written
 * position behind what is recorded: `flush` writes it after the batch.
 */
import type { Repositories } from '../../../store/repos/index.js';

export interface MailboxPosition {
  record(tx: Repositories, uid: number): Promise<void>;
  recorded(uid: number): void;
  flush(repos: Repositories): Promise<void>;
}

export function createPosition(p: { mailbox: string; uidValidity: string; uids: readonly number[]; clock: () => Date }): MailboxPosition {
  const { uids } = p;
  const done = new Set<number>();
  const proposed = new Map<number, number>(); // uid → the position its transaction wrote
  let written = 0;

  /** The highest UID with every batch UID up to it recorded (counting `also`), or 0. */
  const top = (also?: number): number => {
    let i = 0;
    while (i < uids.length && (done.has(uids[i] as number) || uids[i] === also)) i++;
    return i > 0 ? (uids[i - 1] as number) : 0;
  };
  const advance = (repos: Repositories, lastUid: number) =>
    repos.email.advanceMailbox(p.mailbox, { uidValidity: p.uidValidity, lastUid, at: p.clock().toISOString() });

  return {
    async record(tx, uid) {
      const to = top(uid);
      if (to <= written) return;
      await advance(tx, to);
      proposed.set(uid, to);
    },
    recorded(uid) {
      done.add(uid);
      written = Math.max(written, proposed.get(uid) ?? 0);
      proposed.delete(uid);
    },
    async flush(repos) {
      const to = top();
      if (to <= written) return;
      await advance(repos, to);
      written = to;
    },
  };
}
