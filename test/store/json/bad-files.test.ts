/** A damaged or unreadable file refuses to start with a clear error and is left exactly as it was. */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { type ErrorCode, isAppError } from '../../../src/errors.js';
import { createJsonRepositories } from '../../../src/store/json/index.js';
import { smallDb, tempDir } from '../helpers.js';

const OPENER = fileURLToPath(new URL('./fixtures/open-store.ts', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-json-bad-'));
});
afterEach(async () => {
  await cleanup();
});

const open = (file: string, seedFile?: string) => createJsonRepositories({ file, seedFile, log: silentLogger() });
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('open should have failed'); }, (e: unknown) => e);

const legacy = JSON.stringify(smallDb(), null, 2);
/** A valid current document (an empty store, then one customer). */
async function currentDoc(): Promise<Record<string, unknown>> {
  const { dir: d, cleanup: c } = await tempDir();
  try {
    const repos = await open(join(d, 'db.json'));
    await repos.customers.create(smallDb().customers[0]!);
    await repos.close();
    return JSON.parse(await readFile(join(d, 'db.json'), 'utf8')) as Record<string, unknown>;
  } finally {
    await c();
  }
}

describe('json engine: bad files', () => {
  const cases: Array<{ name: string; content: () => Promise<string>; code: ErrorCode; problem: RegExp }> = [
    { name: 'empty', content: async () => '', code: 'store_corrupt', problem: /is empty/ },
    { name: 'whitespace only', content: async () => '  \n', code: 'store_corrupt', problem: /is empty/ },
    { name: 'truncated JSON', content: async () => legacy.slice(0, Math.floor(legacy.length / 2)), code: 'store_corrupt', problem: /not valid JSON/ },
    { name: 'truncated current document', content: async () => JSON.stringify(await currentDoc()).slice(0, 200), code: 'store_corrupt', problem: /not valid JSON/ },
    { name: 'null', content: async () => 'null', code: 'store_corrupt', problem: /holds null/ },
    { name: 'an array', content: async () => '[]', code: 'store_corrupt', problem: /holds an array/ },
    { name: 'unknown version', content: async () => '{"version":7}', code: 'store_corrupt', problem: /version 7/ },
    {
      name: 'old document, wrong shape (bad email)',
      content: async () => JSON.stringify({ ...smallDb(), customers: [{ ...smallDb().customers[0], email: 'not-an-email' }] }),
      code: 'store_corrupt', problem: /database schema: customers\.0\.email/,
    },
    { name: 'old document, missing collections', content: async () => '{"version":1}', code: 'store_corrupt', problem: /database schema: customers: / },
    { name: 'old document, duplicate id', content: async () => JSON.stringify({ ...smallDb(), customers: [smallDb().customers[0], smallDb().customers[0]] }), code: 'store_corrupt', problem: /already exists/ },
    {
      name: 'current document, wrong shape',
      content: async () => JSON.stringify({ ...(await currentDoc()), leases: [{ name: 'x' }] }),
      code: 'store_corrupt', problem: /store schema: leases\.0\.holder/,
    },
    { name: 'current document, missing collection', content: async () => JSON.stringify({ ...(await currentDoc()), outbox: undefined }), code: 'store_corrupt', problem: /store schema: outbox/ },
    {
      name: 'current document, duplicate email',
      content: async () => {
        const doc = await currentDoc();
        const c = (doc['customers'] as Array<Record<string, unknown>>)[0]!;
        return JSON.stringify({ ...doc, customers: [c, { ...c, id: 'cus_002', email: 'ADA@example.com' }] });
      },
      code: 'store_corrupt', problem: /breaks a constraint: customers: the email is already in use/,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.code}, file byte-identical, nothing written`, async () => {
      const file = join(dir, 'db.json');
      const seedFile = join(dir, 'seed.json');
      await writeFile(file, await c.content());
      await writeFile(seedFile, legacy);
      const before = await readFile(file);
      const err = await failure(open(file, seedFile));
      expect(isAppError(err, c.code), String(err)).toBe(true);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(c.problem);
      expect((await readFile(file)).equals(before)).toBe(true);
      // no .bak of a bad state, no lock, no temp files, no migration backup
      expect((await readdir(dir)).sort()).toEqual(['db.json', 'seed.json']);
    });
  }

  it('a damaged journal line before the last → store_corrupt naming the line; file and journal untouched', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    await repos.customers.create(smallDb().customers[0]!);
    await repos.close();
    const doc = await readFile(file);
    const journal = '{"seq":1,"ticketSeq":1001,"rows":[]}\n{"seq":2,"ticketSeq":1001,"rows":[["nope","x",{}]]}\n{"seq":3,"ticketSeq":1001,"rows":[]}\n';
    await writeFile(`${file}.journal`, journal);
    const err = await failure(open(file));
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/journal .*db\.json\.journal is damaged at line 2/);
    expect(await readFile(`${file}.journal`, 'utf8')).toBe(journal);
    expect((await readFile(file)).equals(doc)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.bak', 'db.json.journal']);
  });

  it('a journal that skips a record → store_corrupt, nothing written', async () => {
    const file = join(dir, 'db.json');
    await (await open(file)).close();
    await writeFile(`${file}.journal`, '{"seq":1,"ticketSeq":1001,"rows":[]}\n{"seq":3,"ticketSeq":1001,"rows":[]}\n');
    const err = await failure(open(file));
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/skips from record 1 to 3/);
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.bak', 'db.json.journal']);
  });

  it('a journal without its file → store_corrupt, not a fresh store', async () => {
    const file = join(dir, 'db.json');
    await writeFile(`${file}.journal`, '{"seq":1,"ticketSeq":1001,"rows":[]}\n');
    const err = await failure(open(file));
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/is missing but its journal/);
    expect(await readdir(dir)).toEqual(['db.json.journal']);
  });

  it('a directory in place of the file → store_io naming the file', async () => {
    const file = join(dir, 'db.json');
    await mkdir(file);
    const err = await failure(open(file));
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/directory/);
    expect(await readdir(dir)).toEqual(['db.json']);
  });

  it('a path through a regular file → store_io, not a fresh store', async () => {
    const notDir = join(dir, 'plain');
    await writeFile(notDir, 'x');
    const file = join(notDir, 'db.json');
    const err = await failure(open(file));
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect(await readFile(notDir, 'utf8')).toBe('x');
  });

  it('a missing seed → store_io naming the seed; an invalid seed → store_corrupt naming it; nothing created', async () => {
    const file = join(dir, 'db.json');
    const missing = join(dir, 'nope.json');
    const err = await failure(open(file, missing));
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(missing);
    const bad = join(dir, 'seed.json');
    await writeFile(bad, JSON.stringify({ ...smallDb(), customers: [{ id: 'x' }] }));
    const err2 = await failure(open(file, bad));
    expect(isAppError(err2, 'store_corrupt')).toBe(true);
    expect((err2 as Error).message).toContain(bad);
    expect((err2 as Error).message).toContain('customers.0');
    expect(await readdir(dir)).toEqual(['seed.json']);
  });

  it('an unreadable file (EACCES) → store_io, file untouched', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, legacy);
    await chmod(file, 0o000);
    await chmod(dir, 0o777);
    // root reads anything, so as root the opener runs as the unprivileged user "nobody"
    const asRoot = process.getuid?.() === 0;
    const outcome = await new Promise<{ ok: boolean; code?: string; message?: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', OPENER, file], {
        stdio: ['ignore', 'pipe', 'pipe'], ...(asRoot ? { uid: 65534, gid: 65534 } : {}), env: { ...process.env, HOME: dir },
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
    expect(outcome).toMatchObject({ ok: false, code: 'store_io' });
    expect(outcome.message).toContain(file);
    expect(outcome.message).toMatch(/permission denied/);
    expect(await readFile(file, 'utf8')).toBe(legacy);
    expect((await readdir(dir)).sort()).toEqual(['db.json']);
  });
});
