/**
 * Writing an exported document as a JSON store file: a temp file beside it (named as the JSON engine names its
 * temps, so an interrupted export's leftover is cleaned up by the engine), fsynced, then put in place, then the
 * directory fsynced. Without `force` it is linked into place (link(2) fails when the name exists, so nothing that
 * appeared meanwhile is overwritten); with `force` it is renamed over the old file, and the old file's journal goes
 * first (its records belong to the old document and would be replayed onto the new one).
 */
import { randomBytes } from 'node:crypto';
import { access, link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../errors.js';
import { syncDir } from '../json/atomic-file.js';
import { type StoreDocument, documentChunks } from '../json/document.js';
import { journalPathOf } from '../json/journal.js';

const FLUSH_CHARS = 1 << 20;

export const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/** `conflict` when `file` (or a journal of a store there) exists and `force` is not given. */
export async function checkTarget(file: string, force: boolean): Promise<void> {
  if (force) return;
  for (const path of [file, journalPathOf(file)]) {
    if (await exists(path)) throw new AppError('conflict', `${path} exists; export to a new file, or pass --force (force: true) to replace the store there`, { file });
  }
}

async function writeTemp(tmp: string, doc: StoreDocument): Promise<number> {
  const fh = await open(tmp, 'wx', 0o600);
  let bytes = 0;
  try {
    let pending = '';
    for (const chunk of documentChunks(doc)) {
      pending += chunk;
      if (pending.length < FLUSH_CHARS) continue;
      bytes += Buffer.byteLength(pending);
      await fh.writeFile(pending);
      pending = '';
    }
    bytes += Buffer.byteLength(pending);
    await fh.writeFile(pending);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return bytes;
}

/** Write `doc` to `file` durably; returns the bytes written. */
export async function writeDocument(file: string, doc: StoreDocument, force: boolean): Promise<number> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const bytes = await writeTemp(tmp, doc);
    if (force) {
      await rm(journalPathOf(file), { force: true });
      await rename(tmp, file);
    } else {
      await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new AppError('conflict', `${file} appeared while exporting; nothing was overwritten`, { file });
        throw err;
      });
    }
    await syncDir(dir);
    return bytes;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('store_io', `cannot write ${file}: ${(err as Error).message}`, { file }, { cause: err });
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
