/**
 * The hourly ticket allowance holds across instances: concurrent creations on PostgreSQL (two engines on one
 * database, as two `npm start` processes) count each other, for a customer and for an anonymous contact address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { isAppError } from '../../src/errors.js';
import { createPostgresRepositories } from '../../src/store/postgres/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { createSupport } from '../../src/support/index.js';
import { TICKET_LIMITS } from '../../src/support/ticket-limits.js';
import { KB_DIR } from '../agent/fixtures/helpline-db.js';
import { postgresMissing, startPostgres, type Postgres } from '../helpers/postgres.js';

const missing = postgresMissing();
if (missing) console.log(`[ticket limits on PostgreSQL] skipped: ${missing}`);

describe.skipIf(Boolean(missing))('ticket allowance across instances (PostgreSQL)', () => {
  let pg: Postgres;
  const open: Repositories[] = [];
  beforeAll(async () => { pg = await startPostgres(); }, 60_000);
  afterAll(async () => {
    for (const r of open) await r.close();
    await pg?.stop();
  });

  async function twoInstances(name: string) {
    const databaseUrl = await pg.createDatabase(name);
    const a = await createPostgresRepositories({ databaseUrl, log: silentLogger() });
    const b = await createPostgresRepositories({ databaseUrl, log: silentLogger(), migrate: false });
    open.push(a, b);
    await a.customers.create({ id: 'cus_a', name: 'Ada Lovelace', email: 'ada@example.com', address: { line1: '1 Old Road', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' }, createdAt: '2026-01-01T00:00:00.000Z' });
    const support = (repos: Repositories) => createSupport({ repos, kbDir: KB_DIR, staff: { isStaff: () => false }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080' });
    return { a: support(a), b: support(b), repos: a };
  }

  async function race(n: number, create: (i: number) => Promise<unknown>) {
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => create(i)));
    const limited = results.filter((r) => r.status === 'rejected' && isAppError(r.reason, 'rate_limited')).length;
    const other = results.filter((r) => r.status === 'rejected' && !isAppError(r.reason, 'rate_limited'));
    return { created: results.filter((r) => r.status === 'fulfilled').length, limited, other };
  }

  it('a customer gets their hourly allowance and no more, however many creations race on two instances', async () => {
    const { a, b, repos } = await twoInstances('limits_customer');
    const caller = { kind: 'customer' as const, customerId: 'cus_a' };
    const r = await race(20, (i) => (i % 2 ? a : b).tickets.create(caller, { channel: 'slack' }, { subject: `Question ${i}`, description: 'Where is my statement?' }));
    expect(r.other).toEqual([]);
    expect(r.created).toBe(TICKET_LIMITS.perCustomerHour);
    expect(r.limited).toBe(20 - TICKET_LIMITS.perCustomerHour);
    expect(await repos.tickets.countCreatedSince({ customerId: 'cus_a' }, new Date(Date.now() - 3_600_000).toISOString())).toBe(TICKET_LIMITS.perCustomerHour);
  });

  it('an anonymous contact address gets its allowance and no more, whatever case it is written in', async () => {
    const { a, b, repos } = await twoInstances('limits_contact');
    const caller = { kind: 'anonymous' as const };
    const r = await race(20, (i) => (i % 2 ? a : b).tickets.create(caller, { channel: 'email' }, {
      subject: `Question ${i}`, description: 'Hello, I need help', contact: i % 3 ? 'Someone@Example.com' : 'someone@example.com',
    }));
    expect(r.other).toEqual([]);
    expect(r.created).toBe(TICKET_LIMITS.perContactHour);
    expect(await repos.tickets.countCreatedSince({ contact: 'someone@example.com' }, new Date(Date.now() - 3_600_000).toISOString())).toBe(TICKET_LIMITS.perContactHour);
  });

  it('one pending approval per request, however many requests race on two instances; each is told it is waiting', async () => {
    const { a, b, repos } = await twoInstances('limits_approvals');
    const caller = { kind: 'customer' as const, customerId: 'cus_a' };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).approvals.requestPasswordChange(caller, { channel: 'slack' }, 'I forgot it')));
    expect(new Set(results.map((r) => r.approvalId)).size).toBe(1);
    expect(results.every((r) => r.status === 'pending_approval')).toBe(true);
    expect(await repos.approvals.listPending(new Date().toISOString(), 100)).toHaveLength(1);
  });
});
