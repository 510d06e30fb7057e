import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Repositories } from '../../../src/store/repos/index.js';
import { postgresAvailable, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { approval, at, auditEntry, ledgerEntry, outboxItem, sleep } from '../conformance/fixtures.js';
import { databases, type Databases, type TestDatabase } from './engines.js';

/** Two engines with their own pools on one database: two instances of Helpline sharing PostgreSQL. */
describe.skipIf(!postgresAvailable())('PostgreSQL engine: several instances on one database', () => {
  let server: Postgres | undefined;
  let dbs: Databases;
  let db: TestDatabase;
  let a: Repositories;
  let b: Repositories;
  beforeAll(async () => {
    server = await startPostgres();
    dbs = await databases(server);
  });
  afterAll(async () => {
    await dbs?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    db = await dbs.fresh();
    a = await db.open();
    b = await db.open();
  });
  afterEach(async () => { await db.drop(); });

  /** Instance `i % 2` of the pair. */
  const either = (i: number) => (i % 2 === 0 ? a : b);
  const many = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

  it('decides an approval once across instances, alone and inside transactions', async () => {
    await a.approvals.create(approval('apr_1', 'cus_001'));
    const results = await many(20, (i) => either(i).approvals.decide('apr_1', 'pending', { status: 'approved', decidedBy: { kind: 'staff', id: `U${i}` }, decidedAt: at(1) }));
    expect(results.filter((r) => r.won)).toHaveLength(1);
    const winner = results.find((r) => r.won)?.record;
    expect(await b.approvals.get('apr_1')).toEqual(winner);
    for (const r of results.filter((x) => !x.won)) expect(r.record).toEqual(winner);

    // Read, check, write: the read inside a transaction locks the approval, so exactly one instance audits a decision.
    await b.approvals.create(approval('apr_2', 'cus_001'));
    const decided = await many(12, (i) => either(i).transaction(async (tx) => {
      if ((await tx.approvals.get('apr_2'))?.status !== 'pending') return false;
      await tx.audit.append(auditEntry(`aud_${i}`, 'approval:apr_2'));
      return (await tx.approvals.decide('apr_2', 'pending', { status: 'denied', decidedBy: { kind: 'staff', id: `U${i}` }, decidedAt: at(2) })).won;
    }));
    expect(decided.filter(Boolean)).toHaveLength(1);
    expect(await a.audit.listForTarget('approval:apr_2', 100)).toHaveLength(1);
  });

  it('claims each inbound message once across instances', async () => {
    const once = await many(20, (i) => either(i).ledger.claim(ledgerEntry('ev_1', { reason: `i${i}` })));
    expect(once.filter(Boolean)).toHaveLength(1);
    const ids = Array.from({ length: 40 }, (_, i) => `ev_m${i}`);
    const claims = await Promise.all([a, b].flatMap((repos) => ids.map(async (id) => ((await repos.ledger.claim(ledgerEntry(id))) ? id : undefined))));
    const won = claims.filter((id): id is string => id !== undefined);
    expect(won.sort()).toEqual([...ids].sort());
    expect(await b.ledger.count()).toBe(41);
  });

  it('never hands one outbox item to two senders, and keeps each thread in order', async () => {
    for (let t = 0; t < 30; t++) {
      for (let k = 0; k < 2; k++) await either(t).outbox.enqueue(outboxItem(`out_${t}_${k}`, { threadKey: `email:t${t}`, createdAt: at(k), nextAttemptAt: at(0) }));
    }
    const seen = new Set<string>();
    for (const round of [0, 1]) {
      const claimed = (await many(8, (i) => either(i).outbox.claimDue({ now: at(5), limit: 6, holder: `w${i}`, leaseMs: 60_000 }))).flat();
      const ids = claimed.map((o) => o.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Only heads of threads: round 0 the first mail of every thread, round 1 (first ones sent) the second.
      expect(ids.sort()).toEqual(Array.from({ length: 30 }, (_, t) => `out_${t}_${round}`).sort());
      for (const o of claimed) {
        expect(seen.has(o.id)).toBe(false);
        seen.add(o.id);
        expect(await either(o.id.length).outbox.markSent(o.id, o.claimedBy as string, at(6))).toBe(true);
      }
    }
    expect(await a.outbox.countPending()).toBe(0);
  });

  it('lets another instance take a lease over once its holder died and the lease ran out', async () => {
    const held = await a.leases.acquire('imap-poller', 'instance-a', 600);
    expect(held).toBeDefined();
    expect(await b.leases.acquire('imap-poller', 'instance-b', 60_000)).toBeUndefined();
    await a.close(); // the holder dies: its pool is gone, nothing renews the lease
    const started = Date.now();
    let taken = await b.leases.acquire('imap-poller', 'instance-b', 60_000);
    while (!taken && Date.now() - started < 5_000) {
      await sleep(50);
      taken = await b.leases.acquire('imap-poller', 'instance-b', 60_000);
    }
    expect(taken).toMatchObject({ holder: 'instance-b' });
    expect(taken!.fence).toBeGreaterThan(held!.fence);
    // Not before the dead holder's lease ended (both clocks are the database's; a small margin for this process's).
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(held!.until) - 50);
    expect(await b.leases.get('imap-poller')).toMatchObject({ holder: 'instance-b', fence: taken!.fence });
  });
});
