/**
 * Durable file replacement for the JSON engine. lowdb's own `JSONFile` writes through steno, which writes a temp
 * file and renames it over the target but never fsyncs (neither the temp file before the rename nor the directory
 * after it): after a power loss the rename can survive while the data does not (an empty or partial file), or the
 * rename itself can be lost after the write was acknowledged. So the engine's lowdb adapter writes through this:
 * a unique temp file in the same directory, fsync, rename over the target, fsync the directory.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, copyFile, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../durable-file.js';

/** Temp files for `file` are `.<base>.<pid>.<random>.tmp` beside it (the pid tells whether its writer is alive). */
function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** fsync a directory, so that a rename, create or unlink in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // A few filesystems refuse fsync on a directory; renames there are atomic all the same.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    await fh.close();
  }
}

/** Write to a fresh temp file with `fill`, fsync it, rename it over `file`, fsync the directory. Old or new content survives a crash, never a mix. */
async function replace(file: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempPathFor(file);
  let renamed = false;
  try {
    await fill(tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    renamed = true;
    await syncDir(dirname(file));
  } finally {
    if (!renamed) await rm(tmp, { force: true }).catch(() => undefined);
  }
}

const FLUSH_CHARS = 1 << 20;

/**
 * Replace `file` with the concatenated `chunks`, durably. Text is written about 1 MB at a time: a large document
 * never exists as one string, and the event loop runs between the writes. Returns the bytes written.
 */
export async function writeFileAtomically(file: string, chunks: Iterable<string>): Promise<number> {
  let bytes = 0;
  await replace(file, async (tmp) => {
    const fh: FileHandle = await open(tmp, 'wx', 0o600);
    try {
      let pending = '';
      for (const chunk of chunks) {
        pending += chunk;
        if (pending.length < FLUSH_CHARS) continue;
        bytes += Buffer.byteLength(pending);
        await fh.writeFile(pending);
        pending = '';
      }
      bytes += Buffer.byteLength(pending);
      await fh.writeFile(pending);
    } finally {
      await fh.close();
    }
  });
  return bytes;
}

/** Replace `to` with a copy of `from`, durably (backups). */
export function copyFileAtomically(from: string, to: string): Promise<void> {
  return replace(to, (tmp) => copyFile(from, tmp));
}

/** Remove temp files of `file` (and its backups) left by processes that died mid-write. Returns their names. */
export async function removeStaleTemps(file: string): Promise<string[]> {
  const dir = dirname(file);
  const prefix = `.${basename(file)}.`;
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1]);
    if (isProcessAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
