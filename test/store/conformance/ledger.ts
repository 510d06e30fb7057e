import { describe, expect, it } from 'vitest';
import { at, ledgerEntry } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

export function ledgerTests(repos: GetRepos): void {
  describe('inbound ledger', () => {
    it('claims an id once: of 10 concurrent claims exactly one wins and the first entry stays', async () => {
      const results = await concurrently(10, (i) => repos().ledger.claim(ledgerEntry('ev_1', { reason: `r${i}` })));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await repos().ledger.get('ev_1'))?.reason).toBe(`r${winner}`);
      expect(await repos().ledger.claim(ledgerEntry('ev_1', { status: 'done' }))).toBe(false);
      expect((await repos().ledger.get('ev_1'))?.status).toBe('queued');
      expect(await repos().ledger.count()).toBe(1);
    });

    it('keeps the pending message only while unfinished', async () => {
      await repos().ledger.claim(ledgerEntry('ev_busy', { status: 'ignored', reason: 'busy' }));
      expect(await repos().ledger.get('ev_busy')).not.toHaveProperty('message');
      await repos().ledger.claim(ledgerEntry('ev_1'));
      expect(await repos().ledger.update('ev_1', { message: { id: 'ev_1', text: 'hi', reply: { text: 'hello' } }, reason: 'model unavailable' }, at(1))).toBe(true);
      expect(await repos().ledger.get('ev_1')).toMatchObject({ status: 'queued', reason: 'model unavailable', updatedAt: at(1), message: { reply: { text: 'hello' } } });
      await repos().ledger.update('ev_1', { status: 'done', reason: null }, at(2));
      const done = await repos().ledger.get('ev_1');
      expect(done).toEqual({ ...ledgerEntry('ev_1', { status: 'done', updatedAt: at(2) }), message: undefined });
      expect(done).not.toHaveProperty('message');
      expect(done).not.toHaveProperty('reason');
      expect(await repos().ledger.update('ev_404', { status: 'done' }, at(2))).toBe(false);
    });

    it('lists unfinished entries in arrival order, paged, and says which threads have one', async () => {
      await repos().ledger.claim(ledgerEntry('ev_1', { threadKey: 'k1' }));
      await repos().ledger.claim(ledgerEntry('ev_2', { threadKey: 'k2', status: 'done' }));
      await repos().ledger.claim(ledgerEntry('ev_3', { threadKey: 'k3', status: 'received' }));
      await repos().ledger.claim(ledgerEntry('ev_4', { threadKey: 'k1' }));
      await repos().ledger.update('ev_1', { status: 'failed' }, at(1));
      expect((await repos().ledger.listUnfinished(10)).map((e) => e.id)).toEqual(['ev_3', 'ev_4']);
      expect((await repos().ledger.listUnfinished(1)).map((e) => e.id)).toEqual(['ev_3']);
      expect((await repos().ledger.listUnfinished(10, 'ev_3')).map((e) => e.id)).toEqual(['ev_4']);
      expect((await repos().ledger.threadsWithUnfinished(['k1', 'k2', 'k3', 'k9'])).sort()).toEqual(['k1', 'k3']);
      await repos().ledger.claim(ledgerEntry('ev_5', { threadKey: 'k3' }));
      await repos().ledger.claim(ledgerEntry('ev_6', { threadKey: 'k1', status: 'received' }));
      expect((await repos().ledger.unfinishedInThread('k1', 10)).map((e) => e.id)).toEqual(['ev_4', 'ev_6']);
      expect((await repos().ledger.unfinishedInThread('k1', 1)).map((e) => e.id)).toEqual(['ev_4']);
      expect((await repos().ledger.unfinishedInThread('k3', 10)).map((e) => e.id)).toEqual(['ev_3', 'ev_5']);
      expect(await repos().ledger.unfinishedInThread('k9', 10)).toEqual([]);
      for (const bad of BAD_LIMITS) await expectCode(repos().ledger.unfinishedInThread('k1', bad), 'bad_input');
      for (const bad of BAD_LIMITS) await expectCode(repos().ledger.listUnfinished(bad), 'bad_input');
    });

    it('prunes finished entries past retention, never unfinished ones', async () => {
      await repos().ledger.claim(ledgerEntry('ev_old', { status: 'done', updatedAt: at(-100) }));
      await repos().ledger.claim(ledgerEntry('ev_old2', { status: 'failed', updatedAt: at(-90) }));
      await repos().ledger.claim(ledgerEntry('ev_queued', { status: 'queued', updatedAt: at(-100) }));
      await repos().ledger.claim(ledgerEntry('ev_new', { status: 'done', updatedAt: at(0) }));
      expect(await repos().ledger.pruneFinished(at(-10), 1)).toBe(1);
      expect(await repos().ledger.pruneFinished(at(-10), 10)).toBe(1);
      expect(await repos().ledger.get('ev_old2')).toBeUndefined();
      expect(await repos().ledger.get('ev_queued')).toBeDefined();
      expect(await repos().ledger.count()).toBe(2);
    });

    it('trims to a count, oldest finished first, sparing recent and unfinished entries', async () => {
      for (let i = 0; i < 6; i++) await repos().ledger.claim(ledgerEntry(`ev_${i}`, { status: i === 1 ? 'queued' : 'done', updatedAt: at(i) }));
      expect(await repos().ledger.trimFinished(3, at(4), 100)).toBe(3);
      const left = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => repos().ledger.get(`ev_${i}`)));
      expect(left.map((e) => e?.id)).toEqual([undefined, 'ev_1', undefined, undefined, 'ev_4', 'ev_5']);
      expect(await repos().ledger.trimFinished(1, at(4), 100)).toBe(0);
      expect(await repos().ledger.trimFinished(0, at(9), 1)).toBe(1);
      expect(await repos().ledger.count()).toBe(2);
    });
  });
}
