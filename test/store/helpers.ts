import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDb, type AuditEntry, type Db } from '../../src/store/schema.js';

/** A fresh temp directory; `cleanup` removes it. */
export async function tempDir(prefix = 'helpline-store-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function auditEntry(id: string, extra?: Record<string, unknown>): AuditEntry {
  return { id, at: new Date().toISOString(), actor: { kind: 'system', id: 'test' }, action: 'test.write', target: id, ...(extra ? { details: extra } : {}) };
}

/** A small valid database with one customer. */
export function smallDb(): Db {
  const db = emptyDb();
  db.customers.push({
    id: 'cus_001', name: 'Ada Lovelace', email: 'ada@example.com',
    address: { line1: '1 St James Sq', city: 'London', postalCode: 'SW1Y 4JU', country: 'GB' },
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  return db;
}
