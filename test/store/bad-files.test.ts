import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError, type ErrorCode } from '../../src/errors.js';
import { openFileStore } from '../../src/store/file-store.js';
import { smallDb, tempDir } from './helpers.js';

const OPENER = fileURLToPath(new URL('./fixtures/open-store.ts', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const valid = JSON.stringify(smallDb(), null, 2);
const wrongShape = JSON.stringify({ ...smallDb(), customers: [{ ...smallDb().customers[0], email: 'not-an-email' }] });

const cases: Array<{ name: string; content: string; code: ErrorCode; problem: RegExp }> = [
  { name: 'empty', content: '', code: 'store_corrupt', problem: /is empty/ },
  { name: 'whitespace only', content: '  \n', code: 'store_corrupt', problem: /is empty/ },
  { name: 'truncated JSON', content: valid.slice(0, Math.floor(valid.length / 2)), code: 'store_corrupt', problem: /not valid JSON/ },
  { name: 'null', content: 'null', code: 'store_corrupt', problem: /holds null/ },
  { name: 'an array', content: '[]', code: 'store_corrupt', problem: /holds an array/ },
  { name: 'wrong shape (bad email)', content: wrongShape, code: 'store_corrupt', problem: /schema: customers\.0\.email/ },
  { name: 'wrong shape (missing collections)', content: '{"version":1}', code: 'store_corrupt', problem: /schema: customers: / },
];

describe('file store: bad files', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.code}, file byte-identical, no defaults written`, async () => {
      const file = join(dir, 'db.json');
      const seedFile = join(dir, 'seed.json');
      await writeFile(file, c.content);
      await writeFile(seedFile, valid);
      const before = await readFile(file);
      const err = await openFileStore({ file, seedFile }).then(
        () => { throw new Error('open should have failed'); },
        (e: unknown) => e,
      );
      expect(isAppError(err, c.code)).toBe(true);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(c.problem);
      expect((await readFile(file)).equals(before)).toBe(true);
      // nothing else left behind: no .bak of a bad state, no lock, no temp files
      expect((await readdir(dir)).sort()).toEqual(['db.json', 'seed.json']);
    });
  }

  it('a directory in place of the file → store_io naming the file', async () => {
    const file = join(dir, 'db.json');
    await mkdir(file);
    const err = await openFileStore({ file }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/directory/);
    expect(await readdir(file)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['db.json']);
  });

  it('a path through a regular file → store_io, not a fresh database', async () => {
    const notDir = join(dir, 'plain');
    await writeFile(notDir, 'x');
    const file = join(notDir, 'db.json');
    const err = await openFileStore({ file }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect(await readFile(notDir, 'utf8')).toBe('x');
  });

  it('an unreadable file (EACCES) → store_io, file untouched', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, valid);
    await chmod(file, 0o000);
    await chmod(dir, 0o777);
    // root reads anything, so as root the opener runs as the unprivileged user "nobody"
    const asRoot = process.getuid?.() === 0;
    const outcome = await new Promise<{ ok: boolean; code?: string; message?: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', OPENER, file], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        env: { ...process.env, HOME: dir },
      });
      let out = '';
      let errText = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { errText += d.toString(); });
      child.once('error', reject);
      child.once('exit', () => {
        try { resolve(JSON.parse(out.trim())); } catch { reject(new Error(`opener failed: ${out} ${errText}`)); }
      });
    });
    await chmod(file, 0o600);
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('store_io');
    expect(outcome.message).toContain(file);
    expect(outcome.message).toMatch(/permission denied/);
    expect(await readFile(file, 'utf8')).toBe(valid);
    expect((await readdir(dir)).sort()).toEqual(['db.json']);
  });

  it('a missing seed file → store_io naming the seed, no db created', async () => {
    const file = join(dir, 'db.json');
    const seedFile = join(dir, 'nope.json');
    const err = await openFileStore({ file, seedFile }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(seedFile);
    expect(await readdir(dir)).toEqual([]);
  });
});
