import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../../src/store/repos/index.js';
import { approval, at, auditEntry, customer, newTicket, seedCustomer } from './fixtures.js';
import { concurrently, expectCode, type GetRepos } from './harness.js';

export function transactionTests(repos: GetRepos): void {
  describe('transactions', () => {
    it('commits every step together: an approval decision, the card change and the audit entry', async () => {
      await seedCustomer(repos(), 1);
      await repos().approvals.create(approval('apr_1', 'cus_001', { action: 'card_deactivation', cardId: 'card_1' }));
      const out = await repos().transaction(async (tx) => {
        const d = await tx.approvals.decide('apr_1', 'pending', { status: 'approved', decidedAt: at(1), outcome: 'card_deactivated' });
        if (!d.won) return 'lost';
        await tx.customers.deactivateCard('card_1', at(1));
        await tx.audit.append(auditEntry('aud_1', 'approval:apr_1'));
        return 'won';
      });
      expect(out).toBe('won');
      expect((await repos().approvals.get('apr_1'))?.status).toBe('approved');
      expect((await repos().customers.getCard('card_1'))?.status).toBe('deactivated');
      expect(await repos().audit.listForTarget('approval:apr_1', 10)).toHaveLength(1);
    });

    it('rolls every step back when fn throws, and passes the error on', async () => {
      await seedCustomer(repos(), 1);
      await repos().approvals.create(approval('apr_1', 'cus_001'));
      const boom = new Error('boom');
      await expect(repos().transaction(async (tx) => {
        await tx.approvals.decide('apr_1', 'pending', { status: 'approved' });
        await tx.customers.deactivateCard('card_1', at(1));
        await tx.customers.setAddress('cus_001', { line1: 'x', city: 'y', postalCode: 'z', country: 'US' });
        await tx.audit.append(auditEntry('aud_1', 'approval:apr_1'));
        await tx.ledger.claim({ id: 'ev_1', threadKey: 'k', channel: 'slack', receivedAt: at(0), status: 'queued', updatedAt: at(0) });
        await tx.conversations.touch('slack:a', { channel: 'slack', callerKind: 'anonymous', at: at(0) });
        await tx.outbox.enqueue({ id: 'out_1', threadKey: 'system:x', nextAttemptAt: at(0), createdAt: at(0), payload: { kind: 'system', to: 'a@b.c', subject: 's', text: 't' } });
        throw boom;
      })).rejects.toBe(boom);
      expect((await repos().approvals.get('apr_1'))?.status).toBe('pending');
      expect((await repos().customers.getCard('card_1'))?.status).toBe('active');
      expect((await repos().customers.get('cus_001'))?.address).toEqual(customer(1).address);
      expect(await repos().audit.list({ limit: 10 })).toEqual({ items: [] });
      expect(await repos().ledger.get('ev_1')).toBeUndefined();
      expect(await repos().conversations.exists('slack:a')).toBe(false);
      expect(await repos().outbox.countPending()).toBe(0);
    });

    it('rolls back when a repository call inside fails (the caught error does not commit half a step)', async () => {
      await repos().customers.create(customer(1));
      await expectCode(repos().transaction(async (tx) => {
        await tx.customers.create(customer(2));
        await tx.customers.create(customer(3, { email: 'customer1@example.com' }));
      }), 'conflict');
      expect(await repos().customers.get('cus_002')).toBeUndefined();
    });

    it('keeps a transaction\'s changes from others until it commits, and serialises read-check-write', async () => {
      await repos().approvals.create(approval('apr_1', 'cus_001'));
      const results = await concurrently(10, (i) => repos().transaction(async (tx) => {
        const a = await tx.approvals.get('apr_1');
        if (a?.status !== 'pending') return false;
        await new Promise((r) => setTimeout(r, 1));
        await tx.audit.append(auditEntry(`aud_${i}`, 'approval:apr_1'));
        return (await tx.approvals.decide('apr_1', 'pending', { status: 'denied', outcome: `by ${i}` })).won;
      }));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await repos().audit.listForTarget('approval:apr_1', 100)).toHaveLength(1);
    });

    it('does not show uncommitted changes to readers outside the transaction', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => { release = r; });
      let inside: () => void = () => undefined;
      const started = new Promise<void>((r) => { inside = r; });
      const tx = repos().transaction(async (t) => {
        await t.customers.create(customer(1));
        inside();
        await gate;
      });
      await started;
      const read = repos().customers.get('cus_001');
      release();
      await tx;
      // The outside read ran after the commit (it waited), or before the create: never in between with a partial view.
      const seen = await read;
      expect(seen === undefined || seen.id === 'cus_001').toBe(true);
      expect(await repos().customers.get('cus_001')).toBeDefined();
    });

    it('runs a nested transaction as a savepoint: undone alone when it throws', async () => {
      const out = await repos().transaction(async (tx) => {
        await tx.customers.create(customer(1));
        await expect(tx.transaction(async (inner) => {
          await inner.customers.create(customer(2));
          throw new Error('inner');
        })).rejects.toThrow('inner');
        await tx.transaction(async (inner) => { await inner.customers.create(customer(3)); });
        return 'done';
      });
      expect(out).toBe('done');
      expect(await repos().customers.get('cus_001')).toBeDefined();
      expect(await repos().customers.get('cus_002')).toBeUndefined();
      expect(await repos().customers.get('cus_003')).toBeDefined();
    });

    it('gives back copies inside a transaction too, and its repositories stop working when it ends', async () => {
      let kept: Repositories | undefined;
      await repos().transaction(async (tx) => {
        kept = tx;
        await tx.customers.create(customer(1));
        const c = await tx.customers.get('cus_001');
        c!.name = 'mutated';
        expect((await tx.customers.get('cus_001'))?.name).toBe('Customer 1');
      });
      await expectCode(kept!.customers.get('cus_001'), 'internal');
    });

    it('takes no ticket id back: ids after a rolled-back transaction stay unique', async () => {
      await expect(repos().transaction(async (tx) => {
        await tx.tickets.create(newTicket());
        throw new Error('no');
      })).rejects.toThrow('no');
      const t = await repos().tickets.create(newTicket());
      expect(await repos().tickets.get(t.id)).toBeDefined();
      expect((await repos().tickets.list({}, { limit: 10 })).items.map((x) => x.id)).toEqual([t.id]);
    });

    it('answers ping while open and refuses calls after close', async () => {
      await repos().ping();
      await repos().close();
      await expectCode(repos().ping(), 'unavailable');
      await expectCode(repos().customers.get('cus_001'), 'unavailable');
      await expectCode(repos().transaction(async () => 1), 'unavailable');
      await repos().close();
    });
  });
}
