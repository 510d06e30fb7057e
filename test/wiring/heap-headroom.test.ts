import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapHeadroom } from '../../src/wiring/heap-headroom.js';

const MB = 1048576;

describe('heap headroom at start', () => {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'helpline-heap-'));
    file = join(dir, 'db.json');
    await writeFile(file, Buffer.alloc(3 * MB, 32));
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reports the heap limit and the store size, not tight with 5× room', () => {
    const h = heapHeadroom(file, 64 * MB);
    expect(h).toEqual({ heapLimitMb: 64, storeMb: 3, tight: false });
  });

  it('is tight when the heap limit is under 5× the store file', () => {
    expect(heapHeadroom(file, 14 * MB).tight).toBe(true);
    expect(heapHeadroom(file, 15 * MB).tight).toBe(false);
  });

  it('is never tight for the memory store or a store not yet created', () => {
    expect(heapHeadroom('memory', 1 * MB)).toMatchObject({ storeMb: undefined, tight: false });
    expect(heapHeadroom(join(dir, 'missing.json'), 1 * MB).tight).toBe(false);
  });

  it('reads the running process limit by default', () => {
    expect(heapHeadroom('memory').heapLimitMb).toBeGreaterThan(100);
  });
});
