/**
 * The lowdb adapter of the JSON engine's document file. `read()` returns `null` only when the file does not exist
 * and throws a clear `AppError` for every bad file (it never hands lowdb defaults to write over it). An old
 * whole-database `Db` document (version 1, with its `state` bag) is read too: validated with `dbSchema`, imported
 * through the memory engine's `import-db.ts` and returned as a current document (`legacy` tells the caller to
 * rewrite the file). `write()` replaces the file through `writeFileAtomically` (fsync; see atomic-file.ts for why
 * not steno).
 */
import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { AppError, isAppError } from '../../errors.js';
import { createCore } from '../memory/core.js';
import { importDb } from '../memory/import-db.js';
import { createState } from '../memory/state.js';
import { dbSchema } from '../schema.js';
import { writeFileAtomically } from './atomic-file.js';
import { type StoreDocument, describeIssues, documentChunks, snapshotDocument, validateDocument } from './document.js';

export interface DocumentFileOptions {
  /** How messages name the file (`store file`, `seed file`). */
  what?: string;
  /** The IMAP mailbox an old document's `state['email.sync']` belongs to. */
  mailbox: string;
  /** The clock used for imported records that carry no time. */
  clock: () => Date;
}

/** Read a file's text; `null` only when it does not exist, any other failure is `store_io`. */
export async function readText(file: string, what: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    const reason = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    throw new AppError('store_io', `cannot read ${what} ${file}: ${reason}`, { file, errno: code }, { cause: err });
  }
}

/** Parse a document's text: a current document, or an old `Db` converted to one (`legacy`). Every problem is `store_corrupt`. */
export function parseDocument(file: string, text: string, opts: DocumentFileOptions): { doc: StoreDocument; legacy: boolean } {
  const what = opts.what ?? 'store file';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new AppError('store_corrupt', `${what} ${file} is empty`, { file });
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new AppError('store_corrupt', `${what} ${file} is not valid JSON (truncated or damaged): ${(err as Error).message}`, { file }, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new AppError('store_corrupt', `${what} ${file} holds ${got}, expected a store document`, { file });
  }
  const version = (value as { version?: unknown }).version;
  if (version === 1) return { doc: importLegacy(file, value, what, opts), legacy: true };
  if (version === 2) return { doc: validateDocument(file, value, what), legacy: false };
  throw new AppError('store_corrupt', `${what} ${file} has version ${JSON.stringify(version) ?? 'none'}; this Helpline reads versions 1 and 2`, { file });
}

function importLegacy(file: string, value: unknown, what: string, opts: DocumentFileOptions): StoreDocument {
  const parsed = dbSchema.safeParse(value);
  if (!parsed.success) throw new AppError('store_corrupt', `${what} ${file} does not match the database schema: ${describeIssues(parsed.error.issues)}`, { file });
  const core = createCore();
  const state = createState(core, opts.clock);
  try {
    core.setup(() => importDb(state, parsed.data, { mailbox: opts.mailbox, now: opts.clock().toISOString() }));
  } catch (err) {
    if (isAppError(err, 'store_corrupt')) throw new AppError('store_corrupt', `${what} ${file}: ${err.message}`, { file }, { cause: err });
    throw err;
  }
  return snapshotDocument(state, 0);
}

export class DocumentFile implements Adapter<StoreDocument> {
  /** The last read found an old `Db` document. */
  legacy = false;
  /** Bytes of the last write. */
  lastWriteBytes = 0;

  constructor(
    readonly file: string,
    private readonly opts: DocumentFileOptions,
  ) {}

  async read(): Promise<StoreDocument | null> {
    const text = await readText(this.file, this.opts.what ?? 'store file');
    if (text === null) return null;
    const { doc, legacy } = parseDocument(this.file, text, this.opts);
    this.legacy = legacy;
    return doc;
  }

  async write(doc: StoreDocument): Promise<void> {
    this.lastWriteBytes = await writeFileAtomically(this.file, documentChunks(doc));
  }
}
