import { appendFile, cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { types } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { openFileStore, type FileStore } from '../../src/store/file-store.js';
import { dbSchema, emptyDb, type Db } from '../../src/store/schema.js';
import { auditEntry, readDurable, smallDb, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const open: FileStore[] = [];
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-journal-'));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  await cleanup();
});

async function openTracked(opts: Parameters<typeof openFileStore>[0]): Promise<FileStore> {
  const s = await openFileStore(opts);
  open.push(s);
  return s;
}

/** Copy what is on disk now (as a crash would leave it) into a fresh directory; returns the copy's db path. */
async function crashCopy(name: string): Promise<string> {
  const to = join(dir, name);
  await cp(join(dir, 'live'), to, { recursive: true, filter: (src) => !src.endsWith('.lock') });
  return join(to, 'db.json');
}

async function journalsOf(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((n) => n.includes('.journal.')).sort();
}

/** A live store in `<dir>/live` with a few journaled updates; returns it (left open: a "crash" copy can be taken). */
async function liveStoreWithRecords(n: number): Promise<{ store: FileStore; file: string }> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'live'));
  const file = join(dir, 'live', 'db.json');
  await writeFile(file, JSON.stringify(smallDb()));
  const store = await openTracked({ file });
  for (let i = 0; i < n; i++) await store.update((db) => { db.audit.push(auditEntry(`j${i}`)); });
  return { store, file };
}

/** True when no proxy is reachable from `v`. */
function noProxies(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (types.isProxy(v)) return false;
  if (seen.has(v)) return true;
  seen.add(v);
  return Object.values(v as Record<string, unknown>).every((x) => noProxies(x, seen));
}

describe('file store journal: recovery', () => {
  it('updates are appended to the journal, not rewritten; reopening replays them', async () => {
    const { store, file } = await liveStoreWithRecords(5);
    const s = store.stats();
    expect(s.journalRecords).toBe(5);
    expect(s.rewrites).toBe(0);
    expect((await readFile(file, 'utf8')).includes('"j0"')).toBe(false); // not in the full file yet
    expect((await readDurable(file)).audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4']);
    const copy = await crashCopy('after-crash');
    const reopened = await openTracked({ file: copy });
    expect(reopened.read().audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4']);
    // open folded the journal into the full file and removed it
    expect(await journalsOf(join(dir, 'after-crash'))).toEqual([]);
    expect(dbSchema.parse(JSON.parse(await readFile(copy, 'utf8'))).audit).toHaveLength(5);
  });

  it('opening in full-rewrite mode still folds in a journal left by a journaled run', async () => {
    await liveStoreWithRecords(3);
    const copy = await crashCopy('switch');
    const reopened = await openTracked({ file: copy, journal: false });
    expect(reopened.read().audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2']);
    expect(await journalsOf(join(dir, 'switch'))).toEqual([]);
    await reopened.update((db) => { db.audit.push(auditEntry('full')); });
    await reopened.close();
    open.splice(open.indexOf(reopened), 1);
    const back = await openTracked({ file: copy });
    expect(back.read().audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2', 'full']);
  });

  it('a record cut short at the end of the journal (crash mid-append) is ignored; the rest replays', async () => {
    const { store } = await liveStoreWithRecords(3);
    void store;
    const copy = await crashCopy('torn');
    const [journal] = await journalsOf(join(dir, 'torn'));
    await appendFile(join(dir, 'torn', journal!), '{"seq":4,"ops":[{"c":"audit","i":3,"v":{"id":"half');
    const warnings: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => {}, error: () => {} };
    const reopened = await openTracked({ file: copy, log: log as never });
    expect(reopened.read().audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2']);
    expect(warnings.some((w) => /cut short/.test(w))).toBe(true);
    // the torn line is gone with the journal, so the next appends start clean
    expect(await journalsOf(join(dir, 'torn'))).toEqual([]);
    await reopened.update((db) => { db.audit.push(auditEntry('after')); });
    expect((await readDurable(copy)).audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2', 'after']);
  });

  it('a damaged line before the end → store_corrupt naming journal and line; every file byte-identical', async () => {
    await liveStoreWithRecords(4);
    const copy = await crashCopy('corrupt');
    const folder = join(dir, 'corrupt');
    const [journal] = await journalsOf(folder);
    const jpath = join(folder, journal!);
    const lines = (await readFile(jpath, 'utf8')).split('\n');
    lines[1] = lines[1]!.slice(0, 20) + 'XX' + lines[1]!.slice(22);
    await writeFile(jpath, lines.join('\n'));
    const before = new Map<string, Buffer>();
    for (const n of await readdir(folder)) before.set(n, await readFile(join(folder, n)));
    const err = await openFileStore({ file: copy }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toContain(jpath);
    expect((err as Error).message).toContain(copy);
    expect((err as Error).message).toMatch(/line 2\b/);
    expect((await readdir(folder)).sort()).toEqual([...before.keys()].sort());
    for (const [n, bytes] of before) expect((await readFile(join(folder, n))).equals(bytes), n).toBe(true);
  });

  it('a missing record in the middle (a gap in seq) is refused', async () => {
    await liveStoreWithRecords(4);
    const copy = await crashCopy('gap');
    const folder = join(dir, 'gap');
    const jpath = join(folder, (await journalsOf(folder))[0]!);
    const lines = (await readFile(jpath, 'utf8')).split('\n');
    lines.splice(1, 1);
    await writeFile(jpath, lines.join('\n'));
    const err = await openFileStore({ file: copy }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/records are missing/);
  });

  it('a journal whose store file is missing is refused (never replaced by the seed)', async () => {
    await liveStoreWithRecords(2);
    const copy = await crashCopy('orphan');
    const { rm } = await import('node:fs/promises');
    await rm(copy);
    const seedFile = join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify(smallDb()));
    const err = await openFileStore({ file: copy, seedFile }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/journal/);
    expect((await readdir(join(dir, 'orphan'))).some((n) => n === 'db.json')).toBe(false);
  });

  it('a replayed state that breaks the schema is refused and nothing is written', async () => {
    const { store } = await liveStoreWithRecords(1);
    await store.update((db) => { (db.customers[0] as { email: string }).email = 'not-an-email'; });
    const copy = await crashCopy('invalid');
    const before = await readFile(copy);
    const err = await openFileStore({ file: copy }).catch((e: unknown) => e);
    expect(isAppError(err, 'store_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/customers\.0\.email/);
    expect((await readFile(copy)).equals(before)).toBe(true);
  });
});

describe('file store journal: compaction', () => {
  it('rotates and compacts in the background; full file + journals always equal the live state', async () => {
    const file = join(dir, 'db.json');
    const store = await openTracked({ file, compactAtBytes: 4096 });
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, k) => store.update((db) => {
        db.audit.push(auditEntry(`c${round}-${k}`, { pad: 'z'.repeat(100) }));
        db.state['round'] = round;
        if (db.audit.length > 60) db.audit.splice(0, 10);
      })));
      expect(await readDurable(file)).toEqual(JSON.parse(JSON.stringify(store.read())));
    }
    expect(store.stats().rewrites).toBeGreaterThan(3);
    expect((await readdir(dir)).filter((n) => n.includes('.journal.')).length).toBeLessThanOrEqual(2);
    const live = JSON.parse(JSON.stringify(store.read())) as Db;
    await store.close();
    open.length = 0;
    expect(await journalsOf(dir)).toEqual([]);
    const full = JSON.parse(await readFile(file, 'utf8')) as Db;
    expect(full.state['store.journal']).toMatchObject({ seq: expect.any(Number) });
    const reopened = await openTracked({ file });
    expect(reopened.read()).toEqual(live);
    expect(reopened.read().state['store.journal']).toBeUndefined();
  });

  it('a full file that already holds journal records (crash before the old journal was removed) does not apply them twice', async () => {
    const { store, file } = await liveStoreWithRecords(3);
    await store.update((db) => { db.audit[0]!.target = 'first value'; });
    const journal = (await journalsOf(join(dir, 'live')))[0]!;
    const oldJournal = await readFile(join(dir, 'live', journal));
    await store.update((db) => { db.audit[0]!.target = 'second value'; });
    // fold everything into the full file (close), then put the older journal back as a crash would leave it
    await store.close();
    open.length = 0;
    await writeFile(join(dir, 'live', journal), oldJournal);
    const reopened = await openTracked({ file });
    expect(reopened.read().audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2']);
    expect(reopened.read().audit[0]!.target).toBe('second value');
    await reopened.update((db) => { db.audit.push(auditEntry('next')); });
    expect((await readDurable(file)).audit.map((a) => a.id)).toEqual(['j0', 'j1', 'j2', 'next']);
  });
});

describe('file store journal: no proxy escapes', () => {
  it('results, stored values and read() are plain objects; structuredClone works inside and outside fn', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, JSON.stringify(smallDb()));
    const store = await openTracked({ file });
    const found = await store.update((db) => db.customers.find((c) => c.id === 'cus_001'));
    expect(types.isProxy(found)).toBe(false);
    expect(found).toBe(store.read().customers[0]);
    const cloned = await store.update((db) => structuredClone(db.customers[0]!));
    expect(cloned).toEqual(store.read().customers[0]);
    const mixed = await store.update((db) => ({ c: db.customers[0], list: db.customers.filter(() => true), nested: [{ a: db.customers[0]!.address }] }));
    expect(noProxies(mixed)).toBe(true);
    await store.update((db) => {
      db.notes.push({ id: 'n1', customerId: 'cus_001', author: { kind: 'system', id: 'x' }, body: 'hi', createdAt: new Date().toISOString() });
      db.customers = db.customers.filter(() => true); // a reassignment holding elements read through the view
      db.state['addr'] = { copy: db.customers[0]!.address };
      db.audit.push(auditEntry('a', { who: db.notes[0]!.author }));
    });
    expect(noProxies(store.read())).toBe(true);
    expect(() => structuredClone(store.read())).not.toThrow();
    expect(JSON.parse(JSON.stringify(store.read()))).toEqual(await readDurable(file));
    expect(structuredClone).not.toHaveProperty('name', 'patched'); // the global is restored after fn
    expect(globalThis.structuredClone.toString()).toContain('native code');
  });
});

/** Small deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('file store journal: records inside state', () => {
  it('a write to one entry of a big state record journals that entry, not the record; reopening replays it in order', async () => {
    const file = join(dir, 'db.json');
    const store = await openTracked({ file, validate: false });
    await store.update((db) => {
      const big: Record<string, string> = {};
      for (let i = 0; i < 500; i++) big[`<m${i}@x>`] = 'x'.repeat(100);
      db.state['shard/01'] = big;
    });
    const before = store.stats().journalBytes;
    await store.update((db) => {
      const r = db.state['shard/01'] as Record<string, string>;
      delete r['<m3@x>'];
      r['<m3@x>'] = 'moved to the end';
      delete r['<m4@x>'];
      r['<new@x>'] = 'added';
    });
    expect(store.stats().journalBytes - before).toBeLessThan(400); // the record is ~52 KB
    // entry ops carry no `c`: a version that predates them refuses the journal (unknown collection) instead of
    // reading `v` as the whole record
    const [jname] = await journalsOf(dir);
    const last = JSON.parse((await readFile(join(dir, jname!), 'utf8')).trim().split('\n').at(-1)!) as { ops: Array<Record<string, unknown>> };
    expect(last.ops).toEqual([
      { in: 'state', k: 'shard/01', e: '<m4@x>', d: 1 },
      { in: 'state', k: 'shard/01', e: '<m3@x>', v: 'moved to the end' },
      { in: 'state', k: 'shard/01', e: '<new@x>', v: 'added' },
    ]);
    const inPlace = store.stats().journalBytes;
    await store.update((db) => { (db.state['shard/01'] as Record<string, string>)['<m0@x>'] = 'changed in place'; });
    expect(store.stats().journalBytes - inPlace).toBeGreaterThan(50_000); // key order would change on replay: whole record
    await store.update((db) => { (db.state['shard/01'] as Record<string, string>)['<m1@x>'] = 'z'; delete db.state['shard/01']; });
    await store.update((db) => { db.state['shard/02'] = { a: '1' }; (db.state['shard/02'] as Record<string, string>)['b'] = '2'; });
    await store.update((db) => { const r = db.state['shard/02'] as Record<string, string>; delete r['a']; r['a'] = '3'; });
    const live = JSON.stringify(store.read().state);
    await cp(file, join(dir, 'db2.json'));
    for (const j of await journalsOf(dir)) await cp(join(dir, j), join(dir, j.replace('db.json', 'db2.json')));
    const other = await openTracked({ file: join(dir, 'db2.json'), validate: false });
    expect(JSON.stringify(other.read().state)).toBe(live);
    expect(Object.keys(other.read().state['shard/02'] as object)).toEqual(['b', 'a']);
  });
});

describe('file store journal: every kind of mutation is journaled and replayed', () => {
  const seed = Number(process.env['JOURNAL_SEED'] ?? Date.now() % 1_000_000);
  it(`random operations: replayed state equals in-memory state (seed ${seed})`, async () => {
    const rand = rng(seed);
    const pick = (n: number) => Math.floor(rand() * n);
    const file = join(dir, 'db.json');
    const store = await openTracked({ file, validate: false, compactAtBytes: 16 * 1024 });
    let counter = 0;
    const entry = () => auditEntry(`e${counter++}`, { n: pick(1000), tags: ['x', String(pick(9))] });
    type Op = (db: Db) => unknown;
    const ops: Op[] = [
      (db) => db.audit.push(entry()),
      (db) => db.audit.push(entry(), entry(), entry()),
      (db) => db.audit.unshift(entry()),
      (db) => db.audit.shift(),
      (db) => db.audit.pop(),
      (db) => db.audit.splice(pick(db.audit.length + 1), pick(3), entry()),
      (db) => db.audit.sort((a, b) => (a.target < b.target ? -1 : 1)),
      (db) => db.audit.reverse(),
      (db) => { db.audit.length = Math.max(0, db.audit.length - pick(3)); },
      (db) => { db.audit = db.audit.filter((a) => (a.details?.['n'] as number) % 3 !== 0); },
      (db) => { const a = db.audit[pick(db.audit.length)]; if (a) a.target = `t${pick(100)}`; },
      (db) => { const a = db.audit[pick(db.audit.length)]; if (a?.details) (a.details['tags'] as string[]).push('y'); },
      (db) => { const a = db.audit.find((x) => x.target.endsWith('1')); if (a) delete a.details; },
      (db) => { const a = db.audit[pick(db.audit.length)]; if (a) Object.assign(a, { action: `act${pick(5)}` }); },
      (db) => { db.processed[`p${pick(30)}`] = { id: 'p', threadKey: 't', channel: 'email', receivedAt: 'x', status: 'queued', updatedAt: String(pick(99)) }; },
      (db) => { const k = Object.keys(db.processed)[0]; if (k) delete db.processed[k]; },
      (db) => { const p = Object.values(db.processed)[pick(5)]; if (p) { p.status = 'done'; delete p.reason; } },
      (db) => { db.state[`k${pick(10)}`] = { v: pick(100), list: [1, 2, { deep: pick(5) }] }; },
      (db) => { const s = db.state[`k${pick(10)}`] as { list?: unknown[] } | undefined; if (s?.list) (s.list[2] as { deep: number }).deep = pick(50); },
      (db) => { delete db.state[`k${pick(10)}`]; },
      (db) => { db.state['undef'] = undefined; },
      (db) => Object.defineProperty(db.state, `d${pick(3)}`, { value: pick(7), enumerable: true, writable: true, configurable: true }),
      // records inside `state` are journalled entry by entry when only their own keys change
      (db) => { const key = `sh${pick(3)}`; if (!db.state[key]) db.state[key] = {}; const r = db.state[key] as Record<string, unknown>; const k = `m${pick(40)}`; delete r[k]; r[k] = { n: pick(9) }; },
      (db) => { const r = db.state[`sh${pick(3)}`] as Record<string, unknown> | undefined; const k = r && Object.keys(r)[pick(3)]; if (k) r[k] = { inPlace: pick(9) }; },
      (db) => { const r = db.state[`sh${pick(3)}`] as Record<string, unknown> | undefined; const k = r && Object.keys(r)[pick(5)]; if (k) delete r[k]; },
      (db) => { const r = db.state[`sh${pick(3)}`] as Record<string, { n?: number }> | undefined; const k = r && Object.keys(r)[pick(5)]; if (k && r[k]) r[k].n = 100 + pick(9); },
      (db) => { const r = db.state[`sh${pick(3)}`] as Record<string, unknown> | undefined; if (r) for (const k of Object.keys(r).slice(0, 3)) { const v = r[k]; delete r[k]; r[k] = v; } },
      (db) => { db.state[`sh${pick(3)}`] = { fresh: pick(9) }; },
      (db) => { const r = db.state[`sh${pick(3)}`] as Record<string, unknown> | undefined; if (r) { r['z'] = 1; delete db.state[`sh${pick(3)}`]; } },
      (db) => { db.quarantine = []; },
      (db) => { db.outbox.push({ id: `o${counter++}`, channel: 'email', threadKey: 't', payload: { to: ['a@b.c'] }, status: 'pending', attempts: 0, nextAttemptAt: 'x', createdAt: 'x' }); },
      (db) => { const o = db.outbox[pick(db.outbox.length)]; if (o) { o.status = 'sent'; o.attempts += 1; (o.payload['to'] as string[]).push('x@y.z'); } },
      (db) => { const o = db.outbox[0]; db.outbox.splice(0, 1); if (o) o.lastError = 'moved'; db.outbox.push(...(o ? [o] : [])); },
      (db) => { const moved = db.audit[0]; if (moved) db.quarantine.push({ id: `q${counter++}`, at: 'x', channel: 'email', ref: moved.id, reason: 'r' }); },
      (db) => structuredClone(db.audit.slice(0, 3)),
      (db) => { db.audit.push(entry()); throw new Error('fails after a mutation'); },
    ];
    for (let step = 0; step < 600; step++) {
      const batch = 1 + pick(4);
      await Promise.all(Array.from({ length: batch }, () => store.update(ops[pick(ops.length)]!).catch((e: unknown) => e)));
      if (step % 50 === 49) {
        // a fn that threw after mutating schedules no write (as documented); the next update carries its change
        await store.update(() => undefined);
        const durable = await readDurable(file, false);
        expect(durable, `seed ${seed}, step ${step}`).toEqual(JSON.parse(JSON.stringify(store.read())));
        for (const k of Object.keys(store.read().state)) expect(JSON.stringify(durable.state[k]), `state ${k} key order`).toBe(JSON.stringify(store.read().state[k]));
      }
    }
    await store.update(() => undefined);
    const live = JSON.parse(JSON.stringify(store.read())) as Db;
    expect(await readDurable(file, false)).toEqual(live);
    expect(noProxies(store.read())).toBe(true);
    expect(store.stats().rewrites).toBeGreaterThan(0); // compactions happened along the way
    // and what a crash right now would leave replays to the same state
    await cp(file, join(dir, 'db2.json'));
    for (const j of await journalsOf(dir)) await cp(join(dir, j), join(dir, j.replace('db.json', 'db2.json')));
    const other = await openTracked({ file: join(dir, 'db2.json'), validate: false });
    expect(JSON.parse(JSON.stringify(other.read()))).toEqual(live);
    for (const k of Object.keys(live.state)) expect(JSON.stringify(other.read().state[k]), `state ${k} key order`).toBe(JSON.stringify(live.state[k]));
    void emptyDb;
  }, 60_000);
});
