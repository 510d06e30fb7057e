/**
 * The JSON engine's append-only journal, `<file>.journal`: one line per group commit,
 *
 *   {"seq":12,"ticketSeq":1005,"rows":[["audit","aud_1",{…}],["budget","sender:a@x.org",null]]}
 *
 * holding the current version of every row the commits wrote (`null`: deleted). Records are numbered; the
 * document names the last record it contains (`journalSeq`), so records at or below it are skipped. Only the
 * last line can be damaged by a crash (a record is appended only after the previous one was fsynced), and it was
 * never acknowledged: it is ignored. A damaged line before the last one is `store_corrupt`.
 */
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { MemoryState } from '../memory/state.js';
import type { Table } from '../memory/table.js';
import { syncDir } from './atomic-file.js';
import { TABLE_NAMES, type TableName, validateRow } from './document.js';

export type JournalRow = [table: TableName, key: string, row: unknown];

export interface JournalRecord {
  seq: number;
  ticketSeq: number;
  rows: JournalRow[];
}

const recordSchema = z.strictObject({
  seq: z.number().int().min(1),
  ticketSeq: z.number().int().min(1),
  rows: z.array(z.tuple([z.enum(TABLE_NAMES as [TableName, ...TableName[]]), z.string(), z.unknown()])),
});

export const journalPathOf = (file: string) => `${file}.journal`;

export interface JournalContents {
  records: JournalRecord[];
  /** A last line cut short by a crash (ignored: it was never acknowledged). */
  tornTail: boolean;
}

function parseLine(line: string): JournalRecord {
  const rec = recordSchema.parse(JSON.parse(line));
  for (const [table, key, row] of rec.rows) if (row !== null) validateRow(table, key, row);
  return rec as JournalRecord;
}

/** The journal's records, or `undefined` when there is none. Damage before the last line is `store_corrupt`. */
export async function readJournal(file: string): Promise<JournalContents | undefined> {
  const path = journalPathOf(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('store_io', `cannot read store journal ${path}: ${(err as Error).message}`, { file }, { cause: err });
  }
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const records: JournalRecord[] = [];
  let tornTail = last !== '';
  for (let i = 0; i < lines.length; i++) {
    try {
      records.push(parseLine(lines[i] as string));
    } catch (err) {
      if (i === lines.length - 1 && last === '') {
        tornTail = true; // the last (newline-terminated) line is damaged: the crash hit its append
        break;
      }
      throw new AppError('store_corrupt', `store journal ${path} is damaged at line ${i + 1}: ${(err as Error).message}; nothing was changed`, { file, line: i + 1 });
    }
  }
  return { records, tornTail };
}

/**
 * Apply the records after `journalSeq` to the tables (inside `core.setup`). Returns the last seq applied.
 * A gap in the numbering or a row that breaks a constraint is `store_corrupt`.
 */
export function applyJournal(state: MemoryState, records: readonly JournalRecord[], journalSeq: number, file: string): number {
  let seq = journalSeq;
  for (const rec of records) {
    if (rec.seq <= journalSeq) continue;
    if (rec.seq !== seq + 1) throw new AppError('store_corrupt', `store journal ${journalPathOf(file)} skips from record ${seq} to ${rec.seq}; nothing was changed`, { file });
    try {
      for (const [table, key, row] of rec.rows) {
        const t = state[table] as Table<unknown>;
        if (row === null) t.delete(key);
        else t.put(row);
      }
    } catch (err) {
      throw new AppError('store_corrupt', `store journal ${journalPathOf(file)} record ${rec.seq} breaks a constraint: ${(err as Error).message}`, { file }, { cause: err });
    }
    state.ticketSeq.next = Math.max(state.ticketSeq.next, rec.ticketSeq);
    seq = rec.seq;
  }
  return seq;
}

/** Appends records to the journal, each fsynced (fdatasync) before `append` resolves. */
export class JournalAppender {
  #fh: FileHandle | undefined;
  /** Bytes in the journal file. */
  bytes = 0;

  constructor(readonly file: string) {}

  get path(): string {
    return journalPathOf(this.file);
  }

  async append(rec: JournalRecord): Promise<number> {
    const line = `${JSON.stringify(rec)}\n`;
    if (!this.#fh) {
      this.#fh = await open(this.path, 'a', 0o600);
      await syncDir(dirname(this.path)); // the journal's directory entry must survive too
    }
    await this.#fh.writeFile(line);
    await this.#fh.datasync();
    const n = Buffer.byteLength(line);
    this.bytes += n;
    return n;
  }

  /** Delete the journal (its records are in the document now). */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
    await syncDir(dirname(this.path));
    this.bytes = 0;
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }
}
