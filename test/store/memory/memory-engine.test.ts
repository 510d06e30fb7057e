import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dbSchema, emptyDb, type Db } from '../../../src/store/schema.js';
import { createMemoryRepositories } from '../../../src/store/memory/index.js';
import { newTicket } from '../conformance/fixtures.js';
import { expectCode } from '../conformance/harness.js';

const seed = (): Db => dbSchema.parse(JSON.parse(readFileSync(new URL('../../../data/seed.json', import.meta.url), 'utf8')));

describe('memory engine: loading a whole-database document', () => {
  it('loads the seed and continues the ticket sequence after it', async () => {
    const db = seed();
    const repos = createMemoryRepositories(db);
    const first = structuredClone(db.customers[0]!);
    expect(await repos.customers.get(first.id)).toEqual(first);
    expect((await repos.customers.findByEmail(first.email.toUpperCase()))?.id).toBe(first.id);
    expect(await repos.customers.accountsOf(first.id)).toHaveLength(db.accounts.filter((a) => a.customerId === first.id).length);
    const highest = Math.max(...db.tickets.map((t) => Number(t.id.slice(2))));
    const counter = typeof db.state['tickets.nextNumber'] === 'number' ? db.state['tickets.nextNumber'] : 0;
    expect((await repos.tickets.create(newTicket())).id).toBe(`T-${Math.max(highest + 1, counter)}`);
    db.customers[0]!.name = 'changed after load';
    expect((await repos.customers.get(first.id))?.name).toBe(first.name);
  });

  it('turns the untyped email state (whole records and hash shards) into typed records', async () => {
    const db = emptyDb();
    db.state = {
      'tickets.nextNumber': 2000,
      'email.sync': { uidValidity: '42', lastUid: 17, updatedAt: '2026-01-01T00:00:00.000Z', previousUidValidity: '41' },
      'email.ledger': { '<p@x>': { decision: 'pending', reason: 'handing', uid: 3, uidValidity: '42', at: '2026-01-01T00:00:00.000Z' } },
      'email.ledger/0a': { '<d@x>': { decision: 'replied', reason: 'ok', uid: 2, uidValidity: '42', from: 'a@x.org', threadKey: 'email:<d@x>', at: '2026-01-01T00:00:00.000Z' } },
      'email.threads/ff': { 'email:<d@x>': { customerEmail: 'A@X.org', subject: 'Hi', lastInboundId: '<d@x>', references: ['<d@x>'], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z' } },
      'email.index': { '<d@x>': { threadKey: 'email:<d@x>', dir: 'in' } },
      'email.index/01': { '<o@x>': { threadKey: 'email:<d@x>', dir: 'out' } },
      'email.undeliverable': { 'bad@x.org': { until: '2099-01-01T00:00:00.000Z', reason: '550' } },
      'email.budget/3c': { 'sender:a@x.org': ['2026-01-01T00:00:00.000Z'] },
      'email.budgetAlerts': { 'sender:a@x.org': '2099-01-01T00:00:00.000Z' },
      'email.capChecks': { ignored: true },
    };
    db.outbox.push({ id: 'out_1', channel: 'email', threadKey: 'email:<d@x>', payload: { kind: 'reply', to: 'a@x.org', subject: 'Re: Hi', text: 't', messageId: '<o@x>', references: ['<d@x>', 7] }, status: 'sent', attempts: 1, nextAttemptAt: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', sentAt: '2026-01-01T00:00:01.000Z' });
    const repos = createMemoryRepositories(db, { mailbox: 'Support' });
    expect(await repos.email.mailbox('Support')).toEqual({ mailbox: 'Support', uidValidity: '42', lastUid: 17, previousUidValidity: '41', updatedAt: '2026-01-01T00:00:00.000Z' });
    expect((await repos.email.decision('<p@x>'))?.decision).toBe('pending');
    expect(await repos.email.decision('<d@x>')).toMatchObject({ decision: 'replied', from: 'a@x.org', threadKey: 'email:<d@x>' });
    expect(await repos.email.thread('email:<d@x>')).toMatchObject({ customerEmail: 'a@x.org', subject: 'Hi' });
    expect((await repos.email.lookupMessageIds(['<o@x>', '<d@x>'])).map((e) => e.dir)).toEqual(['out', 'in']);
    expect(await repos.emailLimits.undeliverable('bad@x.org', '2026-06-01T00:00:00.000Z')).toMatchObject({ reason: '550' });
    expect(await repos.emailLimits.claimBudgetAlert('sender:a@x.org', '2099-02-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')).toBe(false);
    expect(await repos.emailLimits.takeReplyBudget([{ key: 'sender:a@x.org', limit: 1 }], '2025-12-31T00:00:00.000Z', '2026-01-01T00:30:00.000Z')).toEqual({ ok: false, key: 'sender:a@x.org' });
    expect((await repos.outbox.get('out_1'))?.payload).toEqual({ kind: 'reply', to: 'a@x.org', subject: 'Re: Hi', text: 't', messageId: '<o@x>', references: ['<d@x>'] });
    expect(await repos.outbox.recipientsOf(['<o@x>'])).toEqual(['a@x.org']);
    expect((await repos.tickets.create(newTicket())).id).toBe('T-2000');
  });

  it('refuses a document that breaks a constraint', () => {
    const db = seed();
    db.customers.push({ ...db.customers[0]!, id: 'cus_dup' });
    expect(() => createMemoryRepositories(db)).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
  });
});

describe('memory engine: misuse is an error, not a deadlock', () => {
  it('refuses the outer repositories inside a running transaction', async () => {
    const repos = createMemoryRepositories();
    await expectCode(repos.transaction(async () => repos.customers.get('cus_001')), 'internal');
    await expectCode(repos.transaction(async () => repos.transaction(async () => 1)), 'internal');
    await expectCode(repos.transaction(async (tx) => tx.close()), 'internal');
    expect(await repos.customers.get('cus_001')).toBeUndefined();
  });

  it('rolls back a nested transaction left running when its enclosing one ends', async () => {
    const repos = createMemoryRepositories();
    let inner: Promise<unknown> | undefined;
    await expectCode(repos.transaction(async (tx) => {
      inner = tx.transaction(async (t) => {
        await t.notes.listForCustomer('x', 1);
        await new Promise((r) => setTimeout(r, 20));
        return t.customers.get('x');
      });
      await tx.customers.get('x');
    }), 'internal');
    await expectCode(inner!, 'internal');
    await repos.tickets.create(newTicket());
    expect((await repos.tickets.list({}, { limit: 5 })).items).toHaveLength(1);
  });

  it('waits for a running transaction on close, then refuses new work', async () => {
    const repos = createMemoryRepositories();
    let done = false;
    const tx = repos.transaction(async (t) => {
      await new Promise((r) => setTimeout(r, 20));
      await t.tickets.create(newTicket());
      done = true;
    });
    await repos.close();
    expect(done).toBe(true);
    await tx;
    await expectCode(repos.tickets.get('T-1001'), 'unavailable');
  });
});
