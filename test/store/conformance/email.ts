import { describe, expect, it } from 'vitest';
import type { EmailDecision, EmailThread } from '../../../src/store/repos/index.js';
import { at } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

const decision = (messageId: string, minutes: number, extra: Partial<EmailDecision> = {}): EmailDecision =>
  ({ messageId, decision: 'replied', reason: 'handed to conversations', uid: minutes, uidValidity: '7', at: at(minutes), ...extra });
const thread = (threadKey: string, minutes: number): EmailThread => ({
  threadKey, customerEmail: 'ada@example.com', subject: 'Help', lastInboundId: '<a@x>', references: ['<r@x>', '<a@x>'], createdAt: at(0), updatedAt: at(minutes),
});

export function emailTests(repos: GetRepos): void {
  describe('email state', () => {
    it('moves a mailbox position forward only, within one UIDVALIDITY, and resets it explicitly', async () => {
      expect(await repos().email.mailbox('INBOX')).toBeUndefined();
      expect(await repos().email.advanceMailbox('INBOX', { uidValidity: '7', lastUid: 10, at: at(1) })).toBe(true);
      expect(await repos().email.advanceMailbox('INBOX', { uidValidity: '7', lastUid: 5, at: at(2) })).toBe(false);
      expect(await repos().email.advanceMailbox('INBOX', { uidValidity: '8', lastUid: 50, at: at(2) })).toBe(false);
      expect(await repos().email.mailbox('INBOX')).toEqual({ mailbox: 'INBOX', uidValidity: '7', lastUid: 10, updatedAt: at(1) });
      const results = await concurrently(10, (i) => repos().email.advanceMailbox('INBOX', { uidValidity: '7', lastUid: 11 + i, at: at(3) }));
      expect(results.some(Boolean)).toBe(true);
      expect((await repos().email.mailbox('INBOX'))?.lastUid).toBe(20);
      const reset = await repos().email.resetMailbox('INBOX', { uidValidity: '8', lastUid: 0, at: at(4) });
      expect(reset).toEqual({ mailbox: 'INBOX', uidValidity: '8', lastUid: 0, previousUidValidity: '7', updatedAt: at(4) });
      expect(await repos().email.advanceMailbox('INBOX', { uidValidity: '8', lastUid: 3, at: at(5) })).toBe(true);
      expect(await repos().email.mailbox('INBOX')).toMatchObject({ lastUid: 3, previousUidValidity: '7' });
      expect(await repos().email.mailbox('Other')).toBeUndefined();
    });

    it('records decisions by Message-ID, lists them newest first in pages, and prunes decided ones', async () => {
      await repos().email.recordDecision(decision('<1@x>', 1, { decision: 'pending' }));
      await repos().email.recordDecision(decision('<2@x>', 2, { from: 'a@example.com', threadKey: 'email:<2@x>' }));
      await repos().email.recordDecision(decision('<3@x>', 3, { decision: 'quarantined' }));
      await repos().email.recordDecision(decision('<1@x>', 4));
      expect(await repos().email.decision('<1@x>')).toEqual(decision('<1@x>', 4));
      expect(await repos().email.decision('<2@x>')).toEqual(decision('<2@x>', 2, { from: 'a@example.com', threadKey: 'email:<2@x>' }));
      expect(await repos().email.decision('<9@x>')).toBeUndefined();
      const first = await repos().email.recentDecisions(2);
      const second = await repos().email.recentDecisions(2, first.next);
      expect([...first.items, ...second.items].map((d) => d.messageId)).toEqual(['<1@x>', '<3@x>', '<2@x>']);
      expect(second.next).toBeUndefined();
      await repos().email.recordDecision(decision('<p@x>', -10, { decision: 'pending' }));
      expect(await repos().email.pruneDecisions(at(3.5), 10)).toBe(2);
      expect(await repos().email.decision('<p@x>')).toBeDefined();
      expect(await repos().email.decision('<1@x>')).toBeDefined();
      for (const bad of BAD_LIMITS) await expectCode(repos().email.recentDecisions(bad), 'bad_input');
    });

    it('keeps thread records and the Message-ID index, looked up in the order asked', async () => {
      await repos().email.putThread(thread('email:<a@x>', 1));
      expect(await repos().email.thread('email:<a@x>')).toEqual(thread('email:<a@x>', 1));
      await repos().email.putThread({ ...thread('email:<a@x>', 5), lastInboundId: '<b@x>' });
      expect((await repos().email.thread('email:<a@x>'))?.lastInboundId).toBe('<b@x>');
      await repos().email.putThread(thread('email:<old@x>', -100));
      expect(await repos().email.pruneThreads(at(0), 10)).toBe(1);
      expect(await repos().email.thread('email:<old@x>')).toBeUndefined();
      await repos().email.indexMessageId({ messageId: '<a@x>', threadKey: 'email:<a@x>', dir: 'in', at: at(1) });
      await repos().email.indexMessageId({ messageId: '<out@x>', threadKey: 'email:<a@x>', dir: 'out', at: at(-100) });
      await expectCode(repos().email.indexMessageId({ messageId: '', threadKey: 'k', dir: 'in', at: at(1) }), 'bad_input');
      expect((await repos().email.lookupMessageIds(['<zz@x>', '<out@x>', '<a@x>'])).map((e) => e.messageId)).toEqual(['<out@x>', '<a@x>']);
      expect(await repos().email.pruneMessageIds(at(0), 10)).toBe(1);
      expect(await repos().email.lookupMessageIds(['<out@x>'])).toEqual([]);
    });
  });

  describe('email limits', () => {
    it('blocks an address until a time, and prunes ended blocks', async () => {
      await repos().emailLimits.markUndeliverable({ address: 'bad@example.com', until: at(10), reason: '550 no such user' });
      expect(await repos().emailLimits.undeliverable('bad@example.com', at(9))).toEqual({ address: 'bad@example.com', until: at(10), reason: '550 no such user' });
      expect(await repos().emailLimits.undeliverable('bad@example.com', at(10))).toBeUndefined();
      expect(await repos().emailLimits.undeliverable('ok@example.com', at(0))).toBeUndefined();
      expect(await repos().emailLimits.pruneUndeliverable(at(5), 10)).toBe(0);
      expect(await repos().emailLimits.pruneUndeliverable(at(10), 10)).toBe(1);
    });

    it('takes reply budget atomically per key within a sliding window', async () => {
      const take = (minutes: number, sender = 's:a', thread = 't:1') =>
        repos().emailLimits.takeReplyBudget([{ key: sender, limit: 3 }, { key: thread, limit: 2 }], at(minutes - 60), at(minutes));
      expect(await take(0)).toEqual({ ok: true });
      expect(await take(1)).toEqual({ ok: true });
      expect(await take(2)).toEqual({ ok: false, key: 't:1' });
      expect(await take(3, 's:a', 't:2')).toEqual({ ok: true });
      expect(await take(4, 's:a', 't:3')).toEqual({ ok: false, key: 's:a' });
      expect(await take(60.5, 's:a', 't:3')).toEqual({ ok: true });
      const results = await concurrently(10, (i) => repos().emailLimits.takeReplyBudget([{ key: 's:b', limit: 4 }], at(-60), at(i / 10)));
      expect(results.filter((r) => r.ok)).toHaveLength(4);
    });

    it('lets one caller alert per key and window, and prunes old budget', async () => {
      const claims = await concurrently(5, () => repos().emailLimits.claimBudgetAlert('s:a', at(60), at(0)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await repos().emailLimits.claimBudgetAlert('s:a', at(120), at(59))).toBe(false);
      expect(await repos().emailLimits.claimBudgetAlert('s:a', at(120), at(60))).toBe(true);
      await repos().emailLimits.takeReplyBudget([{ key: 'k', limit: 5 }], at(-60), at(0));
      await repos().emailLimits.takeReplyBudget([{ key: 'k', limit: 5 }], at(-60), at(1));
      expect(await repos().emailLimits.pruneBudget(at(0.5), 100)).toBe(1);
      expect(await repos().emailLimits.takeReplyBudget([{ key: 'k', limit: 2 }], at(-60), at(2))).toEqual({ ok: true });
      expect(await repos().emailLimits.pruneBudget(at(200), 100)).toBe(3);
    });
  });
}
