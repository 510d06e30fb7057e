/** API keys (added to the JSON document after version 2 was first written): an older file without them still opens, and keys persist. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { createJsonRepositories } from '../../../src/store/json/index.js';
import { customer } from '../conformance/fixtures.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-json-apikeys-'));
});
afterEach(async () => cleanup());

const KEY = { id: 'key_1', name: 'Shop', scopes: ['tokens:mint' as const], secretHash: 'e'.repeat(64), createdAt: '2026-12-01T10:00:00.000Z' };

it('opens a document that has no apiKeys collection, and keeps keys across close and reopen', async () => {
  const file = join(dir, 'db.json');
  const first = await createJsonRepositories({ file, log: silentLogger() });
  await first.customers.create(customer(1));
  await first.close();
  const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  expect(doc['apiKeys']).toEqual([]);
  delete doc['apiKeys'];
  await writeFile(file, JSON.stringify(doc));

  const older = await createJsonRepositories({ file, log: silentLogger() });
  expect(await older.customers.get('cus_001')).toBeDefined();
  expect(await older.apiKeys.list(10)).toEqual([]);
  await older.apiKeys.create(KEY);
  await older.apiKeys.revoke('key_1', '2026-12-02T10:00:00.000Z');
  await older.close();

  const again = await createJsonRepositories({ file, log: silentLogger() });
  expect(await again.apiKeys.get('key_1')).toEqual({ ...KEY, revokedAt: '2026-12-02T10:00:00.000Z' });
  await again.close();
});
