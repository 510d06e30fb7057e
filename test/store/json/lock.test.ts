/** One process per data file: a second opener is refused with `store_locked`; a dead holder's lock is taken over. */
import { spawn } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { isAppError } from '../../../src/errors.js';
import { createJsonRepositories } from '../../../src/store/json/index.js';
import { auditEntry, smallDb, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-json-lock-'));
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

describe('json engine: lock', () => {
  it('a second engine on the same file gets store_locked naming the file and pid; the first is undisturbed', async () => {
    const file = join(dir, 'db.json');
    const first = await createJsonRepositories({ file, log: silentLogger() });
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    const err = await createJsonRepositories({ file, log: silentLogger() }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_locked')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain(`process ${process.pid}`);
    await first.audit.append(auditEntry('after-refusal'));
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await first.close();
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    // closed: the file is free again, and kept what was written
    const second = await createJsonRepositories({ file, log: silentLogger() });
    expect(await second.audit.listForTarget('after-refusal', 1)).toHaveLength(1);
    await second.close();
  });

  it('a lock held by another live process is refused, naming that pid', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, JSON.stringify(smallDb()));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(`${file}.lock`, `${holder.pid}\n`);
      const err = await createJsonRepositories({ file, log: silentLogger() }).catch((e: unknown) => e);
      expect(isAppError(err, 'store_locked')).toBe(true);
      expect((err as Error).message).toContain(`process ${holder.pid}`);
      expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(holder.pid));
      // refused before reading: the old document was not migrated
      expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.lock']);
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
    const log = Object.assign(silentLogger(), { warn: (_o: unknown, msg: string) => { warnings.push(msg); } });
    const repos = await createJsonRepositories({ file, log });
    expect(await repos.customers.get('cus_001')).toMatchObject({ name: 'Ada Lovelace' });
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    expect(warnings.some((w) => /stale store lock/.test(w))).toBe(true);
    expect(warnings.some((w) => /temp files/.test(w))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await repos.close();
  });
});
