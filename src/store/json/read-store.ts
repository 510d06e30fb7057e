/**
 * What is durably in a JSON engine's files: the document plus its journal's complete records, exactly as the next
 * open would load them, read without taking the lock and without writing anything (checks, tools, tests). A live
 * engine may fold its journal while this reads; that read is retried.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError } from '../../errors.js';
import { createCore } from '../memory/core.js';
import { createState } from '../memory/state.js';
import { type StoreDocument, loadDocument, snapshotDocument } from './document.js';
import { DocumentFile } from './document-file.js';
import { applyJournal, readJournal } from './journal.js';

export interface DurableStore {
  doc: StoreDocument;
  /** Journal records applied on top of the document. */
  journalRecords: number;
  /** The journal ended in a line cut short by a crash (ignored). */
  tornTail: boolean;
  /** The file is an old whole-database document (not migrated yet). */
  legacy: boolean;
}

/** The file was replaced while it was read (a live engine folded its journal): read again. */
class Raced extends Error {}

const identity = (file: string) => stat(file).then((s) => `${s.ino}:${s.mtimeMs}:${s.size}`, () => 'missing');

async function readOnce(file: string, mailbox: string): Promise<DurableStore> {
  const before = await identity(file);
  const out = await readParts(file, mailbox);
  if ((await identity(file)) !== before) throw new Raced();
  return out;
}

async function readParts(file: string, mailbox: string): Promise<DurableStore> {
  const clock = () => new Date();
  const adapter = new DocumentFile(file, { mailbox, clock });
  const doc = await adapter.read();
  if (!doc) throw new AppError('store_io', `store file ${file} does not exist`, { file });
  const journal = await readJournal(file);
  if (!journal) return { doc, journalRecords: 0, tornTail: false, legacy: adapter.legacy };
  const core = createCore();
  const state = createState(core, clock);
  core.setup(() => loadDocument(state, doc, file));
  const seq = core.setup(() => applyJournal(state, journal.records, doc.journalSeq, file));
  return { doc: snapshotDocument(state, seq), journalRecords: seq - doc.journalSeq, tornTail: journal.tornTail, legacy: adapter.legacy };
}

export async function readJsonStore(file: string, opts: { mailbox?: string } = {}): Promise<DurableStore> {
  const path = resolve(file);
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(path, opts.mailbox ?? 'INBOX');
    } catch (err) {
      if (attempt >= 5 || !(err instanceof Raced)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}
