import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../errors.js';
import type { Logger } from '../config/logger.js';
import { isProcessAlive } from './durable-file.js';

export interface FileLock {
  readonly path: string;
  /** Remove the lock file (only if it is still ours). */
  release(): Promise<void>;
}

type Holder = { raw: string; pid: number | null; ageMs: number } | 'gone';

async function readHolder(lockPath: string): Promise<Holder> {
  try {
    const [raw, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
    return { raw, pid, ageMs: Date.now() - st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
}

/**
 * Create `lockPath` exclusively, already holding `content`: the pid is written to a temp file
 * first, then hard-linked to the lock path (link(2) fails with EEXIST exactly like O_EXCL, but
 * the lock is never seen empty). Filesystems without hard links fall back to open(O_CREAT|O_EXCL).
 * Returns false when the lock already exists.
 */
async function createExclusive(lockPath: string, content: string): Promise<boolean> {
  const tmp = join(dirname(lockPath), `.${basename(lockPath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    try {
      const excl = await open(lockPath, 'wx', 0o644);
      try { await excl.writeFile(content); } finally { await excl.close(); }
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/** An unreadable/empty lock younger than this may be a lock being created right now. */
const EMPTY_LOCK_GRACE_MS = 2_000;

/**
 * Take `<file>.lock` for this process. A lock held by a live process (this one included)
 * fails with `store_locked` naming the holder's pid; a lock left by a dead process is taken over.
 */
export async function acquireLock(file: string, log?: Logger): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  const content = `${process.pid}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = await createExclusive(lockPath, content);
    } catch (err) {
      throw new AppError('store_io', `cannot create lock file ${lockPath}: ${(err as Error).message}`, { file }, { cause: err });
    }
    if (created) {
      return {
        path: lockPath,
        async release() {
          const holder = await readHolder(lockPath).catch(() => 'gone' as const);
          if (holder !== 'gone' && holder.raw === content) await rm(lockPath, { force: true });
        },
      };
    }
    const holder = await readHolder(lockPath);
    if (holder === 'gone') continue;
    if (holder.pid !== null && isProcessAlive(holder.pid)) {
      throw new AppError(
        'store_locked',
        `store file ${file} is locked by process ${holder.pid} (lock file ${lockPath}); is another Helpline running?`,
        { file, pid: holder.pid },
      );
    }
    if (holder.pid === null && holder.ageMs < EMPTY_LOCK_GRACE_MS) {
      throw new AppError('store_locked', `store file ${file} is being locked by another process (lock file ${lockPath} has no pid yet)`, { file });
    }
    log?.warn({ lockPath, stalePid: holder.pid }, 'taking over stale store lock (holder process is gone)');
    // Remove only the stale lock we looked at, not a fresh one another process may have just made.
    const again = await readHolder(lockPath);
    if (again !== 'gone' && again.raw === holder.raw) await rm(lockPath, { force: true });
  }
  throw new AppError('store_locked', `store file ${file}: could not take the lock ${lockPath} (contended)`, { file });
}
