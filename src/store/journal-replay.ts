import { AppError } from '../errors.js';
import type { Db } from './schema.js';
import { readJournal } from './journal-file.js';
import { applyRecord } from './journal-record.js';

export interface Replayed {
  /** The seq of the last record now contained in `db` (`baseSeq` when none was applied). */
  lastSeq: number;
  /** Records applied. */
  applied: number;
  /** A record cut short at the end of the newest journal (a crash mid-append), ignored. */
  tornLine: number | undefined;
}

/**
 * Apply, in order, every journal record newer than `baseSeq` (the seq the full file already contains)
 * to `db`. Records must follow each other without a gap. Only the very last line of the newest journal
 * may be cut short (ignored); any other damaged line fails with `store_corrupt` naming journal and line.
 */
export async function replayJournals(file: string, db: Db, baseSeq: number, journals: Array<{ path: string }>): Promise<Replayed> {
  let lastSeq = baseSeq;
  let prevSeq = 0;
  let applied = 0;
  let tornLine: number | undefined;
  for (const [idx, j] of journals.entries()) {
    const corrupt = (n: number, why: string) =>
      new AppError('store_corrupt', `store journal ${j.path} line ${n} is damaged: ${why}; the store file ${file} and its journals were left untouched`, { file, journal: j.path, line: n });
    let read: Awaited<ReturnType<typeof readJournal>>;
    try {
      read = await readJournal(j.path);
    } catch (err) {
      throw new AppError('store_io', `cannot read store journal ${j.path}: ${(err as Error).message}`, { file, journal: j.path }, { cause: err });
    }
    if (read.torn) {
      if (idx !== journals.length - 1) throw corrupt(read.torn.n, 'the record is cut short, but a newer journal follows');
      tornLine = read.torn.n;
    }
    for (const { n, text } of read.lines) {
      let rec: unknown;
      try {
        rec = JSON.parse(text);
      } catch (err) {
        throw corrupt(n, `not valid JSON (${(err as Error).message})`);
      }
      const seq = (rec as { seq?: unknown } | null)?.seq;
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw corrupt(n, 'not a journal record (no seq)');
      if (seq <= prevSeq) throw corrupt(n, `record ${seq} is out of order (after ${prevSeq})`);
      prevSeq = seq;
      if (seq <= baseSeq) continue; // already in the full file (a compaction finished before its journal was removed)
      if (seq !== lastSeq + 1) throw corrupt(n, `record ${seq} follows ${lastSeq}: records are missing`);
      try {
        applyRecord(db, rec);
      } catch (err) {
        throw corrupt(n, (err as Error).message);
      }
      lastSeq = seq;
      applied += 1;
    }
  }
  return { lastSeq, applied, tornLine };
}
