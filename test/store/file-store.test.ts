import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { dbSchema, emptyDb } from '../../src/store/schema.js';
import { openFileStore as openFileStoreRaw, type FileStore } from '../../src/store/file-store.js';
import { auditEntry, readDurable, smallDb, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const open: FileStore[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  await cleanup();
});

/** Both durability modes: the journal (default) and a full rewrite per commit. */
const MODES = [{ journal: true }, { journal: false }] as const;

/** What is on disk (full file + complete journal records), validated. */
async function readDisk(file: string) {
  return dbSchema.parse(await readDurable(file));
}

for (const mode of MODES) {
const openFileStore = (opts: Parameters<typeof openFileStoreRaw>[0]) => openFileStoreRaw({ ...opts, journal: mode.journal });
async function openTracked(opts: Parameters<typeof openFileStore>[0]): Promise<FileStore> {
  const s = await openFileStore(opts);
  open.push(s);
  return s;
}
const tag = mode.journal ? 'journal' : 'full rewrites';

describe(`file store (${tag}): basics`, () => {
  it('creates an empty db when the file and seed are missing, and persists updates', async () => {
    const file = join(dir, 'db.json');
    const store = await openTracked({ file });
    expect(store.read()).toEqual(emptyDb());
    expect(await readDisk(file)).toEqual(emptyDb());
    const n = await store.update((db) => db.audit.push(auditEntry('a1')));
    expect(n).toBe(1);
    expect((await readDisk(file)).audit.map((a) => a.id)).toEqual(['a1']);
    await store.close();
    open.length = 0;
    const again = await openTracked({ file });
    expect(again.read().audit.map((a) => a.id)).toEqual(['a1']);
  });

  it('creates the db from the seed and never writes the seed', async () => {
    const file = join(dir, 'db.json');
    const seedFile = join(dir, 'seed.json');
    const seedText = JSON.stringify(smallDb(), null, 2);
    await writeFile(seedFile, seedText);
    const before = await stat(seedFile);
    const store = await openTracked({ file, seedFile });
    expect(store.read().customers[0]?.id).toBe('cus_001');
    await store.update((db) => { db.customers[0]!.name = 'Ada King'; });
    await store.close();
    open.length = 0;
    expect(await readFile(seedFile, 'utf8')).toBe(seedText);
    expect((await stat(seedFile)).mtimeMs).toBe(before.mtimeMs);
    expect((await readDisk(file)).customers[0]?.name).toBe('Ada King');
    // an existing db wins over the seed
    const reopened = await openTracked({ file, seedFile });
    expect(reopened.read().customers[0]?.name).toBe('Ada King');
  });

  it('rejects an invalid seed with a clear error and creates nothing', async () => {
    const file = join(dir, 'db.json');
    const seedFile = join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify({ ...smallDb(), customers: [{ id: 'x' }] }));
    const err = await openFileStore({ file, seedFile }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toContain(seedFile);
    expect((err as Error).message).toContain('customers.0');
    expect(await readdir(dir)).toEqual(['seed.json']);
  });

  it('keeps a .bak of the state loaded at open', async () => {
    const file = join(dir, 'db.json');
    const text = JSON.stringify(smallDb());
    await writeFile(file, text);
    const store = await openTracked({ file });
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(text);
    await store.update((db) => db.audit.push(auditEntry('after-open')));
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(text);
    await store.close();
    open.length = 0;
    await openTracked({ file });
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).audit[0].id).toBe('after-open');
  });

  it('rejects with the error of a throwing fn and schedules no write', async () => {
    const store = await openTracked({ file: join(dir, 'db.json') });
    const writesBefore = store.stats().writes;
    const boom = new Error('boom');
    await expect(store.update(() => { throw boom; })).rejects.toBe(boom);
    await store.flush();
    expect(store.stats().writes).toBe(writesBefore);
    expect(store.stats().requests).toBe(0);
  });

  it('rejects updates after close and releases the lock', async () => {
    const file = join(dir, 'db.json');
    const store = await openFileStore({ file });
    await store.close();
    await expect(store.update(() => 1)).rejects.toMatchObject({ code: 'unavailable' });
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    const other = await openTracked({ file });
    expect(other.location).toBe(file);
  });
  it('flush and close wait for updates that were not awaited', async () => {
    const file = join(dir, 'db.json');
    const store = await openFileStore({ file });
    void store.update((db) => db.audit.push(auditEntry('f1')));
    await store.flush();
    expect((await readDisk(file)).audit.map((a) => a.id)).toEqual(['f1']);
    void store.update((db) => db.audit.push(auditEntry('c1')));
    await store.close();
    expect((await readDisk(file)).audit.map((a) => a.id)).toEqual(['f1', 'c1']);
  });

  it('a failed rewrite rejects its updates with store_io; flush retries once the disk is back', async () => {
    const sub = join(dir, 'sub');
    await mkdir(sub);
    const file = join(sub, 'db.json');
    const store = await openTracked({ file });
    await rm(sub, { recursive: true });
    const err = await store.update((db) => db.audit.push(auditEntry('lost-then-found'))).catch((e: unknown) => e);
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect(store.stats().failedWrites).toBe(1);
    await mkdir(sub);
    await store.flush();
    expect((await readDisk(file)).audit.map((a) => a.id)).toEqual(['lost-then-found']);
  });
});

describe(`file store (${tag}): concurrency`, () => {
  it('1,000 concurrent updates all land on disk in far fewer rewrites', async () => {
    const file = join(dir, 'db.json');
    const store = await openTracked({ file });
    const base = store.stats().writes;
    const ids = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const results = await Promise.all(ids.map((id) => store.update((db) => { db.audit.push(auditEntry(id)); return id; })));
    expect(results).toEqual(ids);
    const onDisk = await readDisk(file);
    expect(new Set(onDisk.audit.map((a) => a.id))).toEqual(new Set(ids));
    const rewrites = store.stats().writes - base;
    expect(rewrites).toBeGreaterThan(0);
    expect(rewrites).toBeLessThan(20);
  });

  it('updates arriving during a rewrite coalesce into one next rewrite, each resolving only once on disk', async () => {
    const file = join(dir, 'db.json');
    const store = await openTracked({ file });
    const base = store.stats().writes;
    const first = store.update((db) => db.audit.push(auditEntry('first')));
    await new Promise((r) => setImmediate(r)); // the first rewrite has started (it waits for this turn of the loop)
    const later = Array.from({ length: 50 }, (_, i) => store.update((db) => db.audit.push(auditEntry(`later${i}`))).then(async () => {
      const disk = await readDurable(file);
      return disk.audit.some((a: { id: string }) => a.id === `later${i}`);
    }));
    await first;
    expect(await Promise.all(later)).toEqual(Array(50).fill(true));
    expect(store.stats().writes - base).toBe(2);
  });

  it('updates made in one turn of the event loop, awaits apart, share one rewrite', async () => {
    const file = join(dir, 'db.json');
    const store = await openTracked({ file });
    const base = store.stats().writes;
    const a = store.update((db) => db.audit.push(auditEntry('a')));
    for (let i = 0; i < 10; i++) await Promise.resolve(); // e.g. returning through a few async functions
    const b = store.update((db) => db.audit.push(auditEntry('b')));
    await Promise.all([a, b]);
    expect(store.stats().writes - base).toBe(1);
  });

  it('a 50 MB store sustains 100 updates per second', async () => {
    const file = join(dir, 'db.json');
    const db = emptyDb();
    const pad = 'x'.repeat(400);
    for (let i = 0; db.audit.length < 105_000; i++) db.audit.push(auditEntry(`big${i}`, { pad }));
    await writeFile(file, JSON.stringify(db));
    expect((await stat(file)).size).toBeGreaterThan(50_000_000);
    const store = await openTracked({ file, validate: false });
    const base = store.stats().writes;
    const baseRewrites = store.stats().rewrites;
    // Issue 300 updates on a wall-clock schedule of 100/s (catching up after any event-loop stall).
    const started = performance.now();
    const latencies: Promise<number>[] = [];
    for (let issued = 0; issued < 300; ) {
      const due = Math.min(300, Math.floor(((performance.now() - started) / 1000) * 100) + 1);
      for (; issued < due; issued++) {
        const i = issued;
        const t0 = performance.now();
        latencies.push(store.update((d) => d.audit.push(auditEntry(`rate${i}`))).then(() => performance.now() - t0));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const done = await Promise.all(latencies);
    const elapsedS = (performance.now() - started) / 1000;
    // Kept up: no backlog builds. Each update waits at most for the rewrite in progress plus the
    // one that carries it (plus event-loop slack), whatever the rate; without coalescing the
    // 300 rewrites would queue and latency would grow towards 300 x one rewrite.
    const bound = 3 * store.stats().maxWriteMs + 1_000;
    expect(Math.max(...done)).toBeLessThan(bound);
    expect(elapsedS).toBeLessThan(3 + bound / 1000);
    // Whole-file rewrites stay few: coalesced (full-rewrite mode) or only compactions (journal mode).
    expect(store.stats().rewrites - baseRewrites).toBeLessThan(60);
    expect(store.stats().writes - base).toBeLessThanOrEqual(300);
    const disk = await readDurable(file, false);
    expect(disk.audit.at(-1)!.id).toBe('rate299');
  }, 60_000);
});
}
