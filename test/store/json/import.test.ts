/** An old whole-database `Db` file (today's data/db.json shape) is imported on first start and rewritten in the new format. */
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { createJsonRepositories, readJsonStore } from '../../../src/store/json/index.js';
import { type Db, dbSchema } from '../../../src/store/schema.js';
import { newTicket } from '../conformance/fixtures.js';
import { tempDir } from '../helpers.js';

const SEED = new URL('../../../data/seed.json', import.meta.url);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-json-import-'));
});
afterEach(async () => {
  await cleanup();
});

const T = '2026-01-01T00:00:00.000Z';

/** data/seed.json plus a record in every other collection and every kind of `state` key (whole and sharded). */
async function richLegacy(): Promise<Db> {
  const db = dbSchema.parse(JSON.parse(await readFile(SEED, 'utf8')));
  const cus = db.customers[0]!.id;
  db.approvals.push({ id: 'apr_1', customerId: cus, action: 'password_change', reason: 'r', requestedAt: T, expiresAt: T, status: 'pending' });
  db.drafts.push({ id: 'drf_1', kind: 'customer_note', input: { body: 'x' }, summary: 's', staffId: 'U1', createdAt: T, expiresAt: T, status: 'pending' });
  // Written before links were minted at send time: one `tokenHash` each ('' = no link was sent).
  db.resetTokens.push({ id: 'rst_1', customerId: cus, approvalId: 'apr_1', email: 'a@x.org', tokenHash: 'h', createdAt: T, expiresAt: T, attempts: 0 } as unknown as Db['resetTokens'][number]);
  db.addressChanges.push({ id: 'adc_1', customerId: cus, address: db.customers[0]!.address, tokenHash: '', requestedAt: T, expiresAt: T, status: 'pending' } as unknown as Db['addressChanges'][number]);
  db.conversations['slack:C1:1.0'] = { threadKey: 'slack:C1:1.0', channel: 'slack', callerKind: 'customer', customerId: cus, createdAt: T, updatedAt: T, messages: [{ role: 'user', content: 'hi' }], usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheCreationTokens: 0 }, meta: {} };
  db.processed['m1'] = { id: 'm1', threadKey: 'slack:C1:1.0', channel: 'slack', receivedAt: T, status: 'done', updatedAt: T };
  db.processed['m2'] = { id: 'm2', threadKey: 'email:<a@x>', channel: 'email', receivedAt: T, status: 'queued', updatedAt: T, message: { text: 'q' } };
  db.outbox.push({ id: 'out_1', channel: 'email', threadKey: 'email:<a@x>', payload: { kind: 'reply', to: 'a@x.org', subject: 'Re', text: 't', messageId: '<o@x>' }, status: 'pending', attempts: 0, nextAttemptAt: T, createdAt: T });
  db.outbox.push({ id: 'out_slack', channel: 'slack', threadKey: 'slack:C1:1.0', payload: {}, status: 'sent', attempts: 1, nextAttemptAt: T, createdAt: T });
  db.audit.push({ id: 'aud_1', at: T, actor: { kind: 'system', id: 's' }, action: 'a', target: 't' });
  db.quarantine.push({ id: 'q_1', at: T, channel: 'email', ref: '<q@x>', reason: 'spam' });
  Object.assign(db.state, {
    'email.sync': { uidValidity: '42', lastUid: 17, updatedAt: T },
    'email.ledger': { '<a@x>': { decision: 'replied', reason: 'ok', uid: 2, uidValidity: '42', at: T } },
    'email.ledger/0a': { '<b@x>': { decision: 'ignored', reason: 'auto', uid: 3, uidValidity: '42', at: T } },
    'email.threads/ff': { 'email:<a@x>': { customerEmail: 'A@X.org', subject: 'Hi', lastInboundId: '<a@x>', references: ['<a@x>'], createdAt: T, updatedAt: T } },
    'email.index': { '<a@x>': { threadKey: 'email:<a@x>', dir: 'in' } },
    'email.index/01': { '<o@x>': { threadKey: 'email:<a@x>', dir: 'out' } },
    'email.undeliverable': { 'bad@x.org': { until: '2099-01-01T00:00:00.000Z', reason: '550' } },
    'email.budget/3c': { 'sender:a@x.org': [T] },
    'email.budgetAlerts': { 'sender:a@x.org': '2099-01-01T00:00:00.000Z' },
    'email.capChecks': { dropped: true },
  });
  return db;
}

describe('json engine: importing an old whole-database file', () => {
  it('imports data/seed.json as is: same counts, a .v1.bak of the original, the file rewritten as a typed document', async () => {
    const file = join(dir, 'db.json');
    const original = await readFile(SEED, 'utf8');
    await writeFile(file, original);
    const db = dbSchema.parse(JSON.parse(original));
    const repos = await createJsonRepositories({ file, log: silentLogger() });
    expect(await readFile(`${file}.v1.bak`, 'utf8')).toBe(original);
    const { doc, legacy } = await readJsonStore(file);
    expect(legacy).toBe(false);
    expect(doc.version).toBe(2);
    expect('state' in doc).toBe(false);
    for (const name of ['customers', 'accounts', 'cards', 'transactions', 'tickets', 'notes'] as const) {
      expect(doc[name].length, name).toBe(db[name].length);
      expect(doc[name].length, name).toBeGreaterThan(0);
    }
    expect(doc.customers).toEqual(db.customers);
    expect(doc.transactions).toEqual(db.transactions);
    // the ticket sequence continues after the old counter
    const highest = Math.max(...db.tickets.map((t) => Number(t.id.slice(2))));
    const counter = db.state['tickets.nextNumber'] as number;
    expect((await repos.tickets.create(newTicket())).id).toBe(`T-${Math.max(highest + 1, counter)}`);
    const first = db.customers[0]!;
    expect((await repos.customers.findByEmail(first.email.toUpperCase()))?.id).toBe(first.id);
    await repos.close();
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.bak', 'db.json.v1.bak']);
  });

  it('imports every collection and the typed forms of the state bag; a second start reads the new format', async () => {
    const file = join(dir, 'db.json');
    const db = await richLegacy();
    await writeFile(file, JSON.stringify(db));
    const repos = await createJsonRepositories({ file, log: silentLogger(), mailbox: 'Support' });
    const { doc } = await readJsonStore(file);
    const counts = Object.fromEntries(Object.entries(doc).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, (v as unknown[]).length]));
    expect(counts).toEqual({
      customers: db.customers.length, accounts: db.accounts.length, cards: db.cards.length, transactions: db.transactions.length,
      tickets: db.tickets.length, notes: db.notes.length, approvals: 1, resetTokens: 1, addressChanges: 1, drafts: 1, audit: 1,
      conversations: 1, ledger: 2, mailboxes: 1, decisions: 2, emailThreads: 1, messageIds: 2, undeliverable: 1, budget: 1,
      budgetAlerts: 1, outbox: 1 /* the Slack item is not email */, quarantine: 1, slackThreads: 0, slackPosted: 0, leases: 0, apiKeys: 0,
    });
    expect(await repos.email.mailbox('Support')).toMatchObject({ uidValidity: '42', lastUid: 17 });
    expect(await repos.email.thread('email:<a@x>')).toMatchObject({ customerEmail: 'a@x.org' });
    expect((await repos.ledger.listUnfinished(10)).map((p) => p.id)).toEqual(['m2']);
    expect(await repos.outbox.get('out_1')).toMatchObject({ status: 'pending', payload: { messageId: '<o@x>' } });
    expect(await repos.outbox.get('out_slack')).toBeUndefined();
    // An old token's single hash is its first (its link, without a position, still works); '' is none.
    expect((await repos.resetTokens.get('rst_1'))?.tokenHashes).toEqual(['h']);
    expect((await repos.addressChanges.get('adc_1'))?.tokenHashes).toEqual([]);
    await repos.close();

    const v1Stat = await stat(`${file}.v1.bak`);
    const again = await createJsonRepositories({ file, log: silentLogger(), mailbox: 'Support' });
    expect((await readJsonStore(file)).doc).toEqual({ ...doc, journalSeq: expect.any(Number) });
    expect(await again.email.decision('<b@x>')).toMatchObject({ decision: 'ignored' });
    await again.close();
    // not migrated twice: the original's backup is as it was, and there is no second one
    expect((await stat(`${file}.v1.bak`)).mtimeMs).toBe(v1Stat.mtimeMs);
    expect((await readdir(dir)).filter((n) => n.includes('.v1')).length).toBe(1);
  });

  it('creates the store from an old-format seed file, which is never written', async () => {
    const file = join(dir, 'db.json');
    const seedFile = join(dir, 'seed.json');
    const text = await readFile(SEED, 'utf8');
    await writeFile(seedFile, text);
    const before = await stat(seedFile);
    const repos = await createJsonRepositories({ file, seedFile, log: silentLogger() });
    await repos.customers.setAddress('cus_001', { line1: '2 New St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' });
    await repos.close();
    expect(await readFile(seedFile, 'utf8')).toBe(text);
    expect((await stat(seedFile)).mtimeMs).toBe(before.mtimeMs);
    // an existing store wins over the seed
    const reopened = await createJsonRepositories({ file, seedFile, log: silentLogger() });
    expect((await reopened.customers.get('cus_001'))?.address.city).toBe('Leeds');
    await reopened.close();
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.bak', 'seed.json']);
  });
});
