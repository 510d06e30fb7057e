import { constants } from 'node:fs';
import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from './durable-file.js';

/** Journal files of `file` are `<file>.journal.<generation>`; a compaction starts the next generation. */
export function journalPath(file: string, gen: number): string {
  return `${file}.journal.${gen}`;
}

/** The journal generations present next to `file`, oldest first. */
export async function listJournals(file: string): Promise<Array<{ gen: number; path: string }>> {
  const prefix = `${basename(file)}.journal.`;
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d{1,15}$/.test(n.slice(prefix.length)))
    .map((n) => ({ gen: Number(n.slice(prefix.length)), path: join(dirname(file), n) }))
    .sort((a, b) => a.gen - b.gen);
}

/** Remove the journals of generation ≤ `upto`, oldest first, then make the removal durable. */
export async function removeJournals(file: string, upto: number): Promise<void> {
  const old = (await listJournals(file)).filter((j) => j.gen <= upto);
  for (const j of old) await rm(j.path, { force: true });
  if (old.length > 0) await syncDir(dirname(file));
}

export interface JournalLines {
  /** Complete lines with their 1-based line numbers. */
  lines: Array<{ n: number; text: string }>;
  /** Bytes after the last newline (a record cut short by a crash mid-append), if any. */
  torn: { n: number; bytes: number } | undefined;
}

export async function readJournal(path: string): Promise<JournalLines> {
  const text = await readFile(path, 'utf8');
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  return {
    lines: parts.map((t, i) => ({ n: i + 1, text: t })),
    torn: tail.length > 0 ? { n: parts.length + 1, bytes: Buffer.byteLength(tail) } : undefined,
  };
}

export interface JournalAppender {
  /** Append `text` (whole lines) to generation `gen` durably (O_DSYNC, else write + fdatasync); resolves once durable. */
  append(gen: number, text: string): Promise<void>;
  /** Close the open journal file, if any. */
  close(): Promise<void>;
}

/**
 * On Linux journals are opened O_DSYNC: each write returns once its data (and the file size) is on stable
 * storage, like write + fdatasync, in one trip to the I/O thread pool instead of two (each trip wakes a pool
 * thread, which on a busy machine also costs the event loop its CPU for a moment). Elsewhere write + fdatasync:
 * on macOS libuv's fdatasync is F_FULLFSYNC (flushes the drive cache), which O_DSYNC is not.
 */
const DSYNC = process.platform === 'linux' ? (constants.O_DSYNC ?? 0) : 0;
const APPEND_FLAGS = DSYNC ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | DSYNC : 'a';

export function createJournalAppender(file: string): JournalAppender {
  let current: { gen: number; fh: FileHandle } | undefined;
  async function closeCurrent(): Promise<void> {
    const c = current;
    current = undefined;
    if (c) await c.fh.close().catch(() => undefined);
  }
  return {
    async append(gen, text) {
      if (current?.gen !== gen) {
        await closeCurrent();
        const fh = await open(journalPath(file, gen), APPEND_FLAGS, 0o600);
        current = { gen, fh };
        try {
          await syncDir(dirname(file)); // the new journal's directory entry survives a crash
        } catch (err) {
          await closeCurrent();
          throw err;
        }
      }
      const fh = current.fh;
      try {
        const buf = Buffer.from(text);
        for (let off = 0; off < buf.length; ) {
          const { bytesWritten } = await fh.write(buf, off, buf.length - off);
          off += bytesWritten;
        }
        if (!DSYNC) await fh.datasync();
      } catch (err) {
        await closeCurrent(); // never append after a possibly partial line
        throw err;
      }
    },
    close: closeCurrent,
  };
}
