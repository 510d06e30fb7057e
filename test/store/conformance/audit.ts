import { describe, expect, it } from 'vitest';
import { at, auditEntry, quarantineEntry } from './fixtures.js';
import { BAD_LIMITS, expectCode, type GetRepos } from './harness.js';

export function auditTests(repos: GetRepos): void {
  describe('audit', () => {
    it('appends entries and lists them newest first in pages that neither skip nor repeat', async () => {
      for (let i = 1; i <= 7; i++) await repos().audit.append(auditEntry(`aud_${i}`, `approval:apr_${i % 2}`, { at: at(i), details: { n: i } }));
      await expectCode(repos().audit.append(auditEntry('aud_1', 'x')), 'conflict');
      const first = await repos().audit.list({ limit: 3 });
      expect(first.items.map((e) => e.id)).toEqual(['aud_7', 'aud_6', 'aud_5']);
      expect(first.items[0]).toEqual(auditEntry('aud_7', 'approval:apr_1', { at: at(7), details: { n: 7 } }));
      const seen = [...first.items.map((e) => e.id)];
      let cursor = first.next;
      while (cursor) {
        const page = await repos().audit.list({ limit: 3, cursor });
        seen.push(...page.items.map((e) => e.id));
        cursor = page.next;
      }
      expect(seen).toEqual(['aud_7', 'aud_6', 'aud_5', 'aud_4', 'aud_3', 'aud_2', 'aud_1']);
      expect((await repos().audit.list({ limit: 7 })).next).toBeUndefined();
      for (const bad of BAD_LIMITS) await expectCode(repos().audit.list({ limit: bad }), 'bad_input');
    });

    it('lists the entries of one target, newest first', async () => {
      for (let i = 1; i <= 5; i++) await repos().audit.append(auditEntry(`aud_${i}`, i === 3 ? 'ticket:T-1' : 'approval:apr_1'));
      expect((await repos().audit.listForTarget('approval:apr_1', 3)).map((e) => e.id)).toEqual(['aud_5', 'aud_4', 'aud_2']);
      expect((await repos().audit.listForTarget('ticket:T-1', 10)).map((e) => e.id)).toEqual(['aud_3']);
      expect(await repos().audit.listForTarget('none', 10)).toEqual([]);
    });
  });

  describe('quarantine', () => {
    it('adds entries, lists newest first and counts them', async () => {
      expect(await repos().quarantine.count()).toBe(0);
      await repos().quarantine.add(quarantineEntry('q_1'));
      await repos().quarantine.add(quarantineEntry('q_2', { details: { uid: 7 } }));
      await expectCode(repos().quarantine.add(quarantineEntry('q_1')), 'conflict');
      expect(await repos().quarantine.list(10)).toEqual([quarantineEntry('q_2', { details: { uid: 7 } }), quarantineEntry('q_1')]);
      expect((await repos().quarantine.list(1)).map((q) => q.id)).toEqual(['q_2']);
      expect(await repos().quarantine.count()).toBe(2);
    });
  });
}
