import { spawn } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { openFileStore } from '../../src/store/file-store.js';
import { smallDb, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('file store: lock', () => {
  it('a second opener in the same process gets store_locked naming the file and the pid', async () => {
    const file = join(dir, 'db.json');
    const first = await openFileStore({ file });
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    const err = await openFileStore({ file }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_locked')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain(`process ${process.pid}`);
    // the failed opener did not disturb the holder
    await first.update((db) => { db.state['x'] = 1; });
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await first.close();
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a lock held by another live process names that pid', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, JSON.stringify(smallDb()));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(`${file}.lock`, `${holder.pid}\n`);
      const err = await openFileStore({ file }).catch((e: unknown) => e);
      expect(isAppError(err, 'store_locked')).toBe(true);
      expect((err as Error).message).toContain(`process ${holder.pid}`);
      expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a stale lock (dead pid) and leftover temp files are taken over with a warning', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, JSON.stringify(smallDb()));
    const pid = await deadPid();
    await writeFile(`${file}.lock`, `${pid}\n`);
    await writeFile(join(dir, `.db.json.${pid}.abcdef012345.tmp`), '{"half":');
    const warnings: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => {}, error: () => {} };
    const store = await openFileStore({ file, log: log as never });
    expect(store.read().customers).toHaveLength(1);
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    expect(warnings.some((w) => /stale store lock/.test(w))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await store.close();
  });
});
