import { describe, expect, it } from 'vitest';
import { MAX_LINK_SECRETS } from '../../../src/store/schema.js';
import { addressChange, approval, at, draft, resetToken } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

const staff = (i: number) => ({ kind: 'staff' as const, id: `U${i}` });

export function approvalTests(repos: GetRepos): void {
  describe('approvals', () => {
    it('stores approvals and refuses a duplicate id', async () => {
      await repos().approvals.create(approval('apr_1', 'cus_001', { cardId: 'card_1', action: 'card_deactivation', requester: { id: 'U9' } }));
      expect(await repos().approvals.get('apr_1')).toEqual(approval('apr_1', 'cus_001', { cardId: 'card_1', action: 'card_deactivation', requester: { id: 'U9' } }));
      await expectCode(repos().approvals.create(approval('apr_1', 'cus_002')), 'conflict');
      expect(await repos().approvals.get('apr_404')).toBeUndefined();
    });

    it('finds the live pending request of a customer, action and card', async () => {
      await repos().approvals.create(approval('apr_old', 'cus_001', { requestedAt: at(-100), expiresAt: at(-1) }));
      await repos().approvals.create(approval('apr_pw', 'cus_001'));
      await repos().approvals.create(approval('apr_card', 'cus_001', { action: 'card_deactivation', cardId: 'card_1' }));
      const find = (extra: object) => repos().approvals.findLivePending({ customerId: 'cus_001', action: 'password_change', now: at(1), ...extra }).then((a) => a?.id);
      expect(await find({})).toBe('apr_pw');
      expect(await find({ action: 'card_deactivation', cardId: 'card_1' })).toBe('apr_card');
      expect(await find({ action: 'card_deactivation', cardId: 'card_2' })).toBeUndefined();
      expect(await find({ action: 'card_deactivation' })).toBeUndefined();
      // An unfreeze of the same card is another request.
      expect(await find({ action: 'card_unfreeze', cardId: 'card_1' })).toBeUndefined();
      await repos().approvals.create(approval('apr_thaw', 'cus_001', { action: 'card_unfreeze', cardId: 'card_1' }));
      expect(await find({ action: 'card_unfreeze', cardId: 'card_1' })).toBe('apr_thaw');
      expect(await find({ action: 'card_deactivation', cardId: 'card_1' })).toBe('apr_card');
      expect(await repos().approvals.get('apr_thaw')).toEqual(approval('apr_thaw', 'cus_001', { action: 'card_unfreeze', cardId: 'card_1' }));
      expect(await find({ now: at(60) })).toBeUndefined();
      expect(await find({ customerId: 'cus_002' })).toBeUndefined();
    });

    it('lists live pending approvals, oldest request first, limited', async () => {
      await repos().approvals.create(approval('apr_b', 'cus_001', { requestedAt: at(2) }));
      await repos().approvals.create(approval('apr_a', 'cus_002', { requestedAt: at(1) }));
      await repos().approvals.create(approval('apr_gone', 'cus_003', { expiresAt: at(5) }));
      await repos().approvals.create(approval('apr_done', 'cus_004', { status: 'approved' }));
      expect((await repos().approvals.listPending(at(10), 10)).map((a) => a.id)).toEqual(['apr_a', 'apr_b']);
      expect((await repos().approvals.listPending(at(0), 10)).map((a) => a.id)).toEqual(['apr_gone', 'apr_a', 'apr_b']);
      expect((await repos().approvals.listPending(at(10), 1)).map((a) => a.id)).toEqual(['apr_a']);
      for (const bad of BAD_LIMITS) await expectCode(repos().approvals.listPending(at(0), bad), 'bad_input');
      expect(await repos().approvals.countLivePending(at(10))).toBe(2);
      expect(await repos().approvals.countByStatus()).toEqual({ pending: 3, approved: 1, denied: 0, expired: 0 });
    });

    it('decides compare-and-set: of 10 concurrent decisions exactly one wins', async () => {
      await repos().approvals.create(approval('apr_1', 'cus_001'));
      const results = await concurrently(10, (i) => repos().approvals.decide('apr_1', 'pending', { status: i % 2 ? 'denied' : 'approved', decidedBy: staff(i), decidedAt: at(i), outcome: `o${i}` }));
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const stored = await repos().approvals.get('apr_1');
      expect(stored).toEqual(winners[0]?.record);
      for (const r of results.filter((x) => !x.won)) expect(r.record).toEqual(stored);
      expect(await repos().approvals.decide('apr_404', 'pending', { status: 'denied' })).toEqual({ won: false, record: undefined });
    });

    it('decides only unexpired approvals when asked, and writes exactly the decision given', async () => {
      await repos().approvals.create(approval('apr_1', 'cus_001', { expiresAt: at(10) }));
      const late = await repos().approvals.decide('apr_1', 'pending', { status: 'approved' }, { unexpiredAt: at(10) });
      expect(late).toMatchObject({ won: false, record: { status: 'pending' } });
      const ok = await repos().approvals.decide('apr_1', 'pending', { status: 'approved', decidedBy: staff(1), decidedAt: at(9), decisionNote: 'ok', executedAt: at(9), outcome: 'card_deactivated' }, { unexpiredAt: at(9) });
      expect(ok.record).toEqual({ ...approval('apr_1', 'cus_001', { expiresAt: at(10) }), status: 'approved', decidedBy: staff(1), decidedAt: at(9), decisionNote: 'ok', executedAt: at(9), outcome: 'card_deactivated' });
      expect((await repos().approvals.decide('apr_1', 'approved', { status: 'denied' })).won).toBe(true);
    });

    it('expires due approvals once, oldest expiry first, limited, even with concurrent sweepers', async () => {
      for (let i = 0; i < 6; i++) await repos().approvals.create(approval(`apr_${i}`, 'cus_001', { expiresAt: at(10 - i) }));
      await repos().approvals.create(approval('apr_live', 'cus_001', { expiresAt: at(100) }));
      await repos().approvals.create(approval('apr_done', 'cus_001', { expiresAt: at(0), status: 'denied' }));
      const first = await repos().approvals.expireDue(at(10), 2);
      expect(first.map((a) => a.id)).toEqual(['apr_5', 'apr_4']);
      expect(first.every((a) => a.status === 'expired')).toBe(true);
      const rest = (await concurrently(5, () => repos().approvals.expireDue(at(10), 10))).flat().map((a) => a.id);
      expect(rest.sort()).toEqual(['apr_0', 'apr_1', 'apr_2', 'apr_3']);
      expect((await repos().approvals.get('apr_live'))?.status).toBe('pending');
      expect((await repos().approvals.get('apr_done'))?.status).toBe('denied');
    });

    it('records where the staff card was posted', async () => {
      await repos().approvals.create(approval('apr_1', 'cus_001'));
      expect(await repos().approvals.setStaffMessage('apr_1', { channel: 'C1', ts: '1.2' })).toBe(true);
      expect((await repos().approvals.get('apr_1'))?.staffMessage).toEqual({ channel: 'C1', ts: '1.2' });
      expect(await repos().approvals.setStaffMessage('apr_404', { channel: 'C1', ts: '1.2' })).toBe(false);
    });
  });

  describe('reset tokens', () => {
    it('is used once: concurrent uses have one winner; expired tokens are not used', async () => {
      await repos().resetTokens.add(resetToken('rst_1', 'cus_001'));
      await repos().resetTokens.add(resetToken('rst_2', 'cus_001', { expiresAt: at(5) }));
      await expectCode(repos().resetTokens.add(resetToken('rst_1', 'cus_001')), 'conflict');
      const results = await concurrently(10, (i) => repos().resetTokens.markUsed('rst_1', at(i)));
      expect(results.filter((r) => r.won)).toHaveLength(1);
      expect((await repos().resetTokens.get('rst_1'))?.usedAt).toBe(results.find((r) => r.won)?.record?.usedAt);
      expect(await repos().resetTokens.markUsed('rst_2', at(5))).toMatchObject({ won: false, record: { id: 'rst_2' } });
      expect(await repos().resetTokens.markUsed('rst_404', at(0))).toEqual({ won: false, record: undefined });
    });

    it('finds a token by its approval, and appends minted link hashes only while it is unused and unexpired (×10: distinct positions)', async () => {
      await repos().resetTokens.add(resetToken('rst_1', 'cus_001', { approvalId: 'apr_7', tokenHashes: [], expiresAt: at(30) }));
      expect((await repos().resetTokens.findByApproval('apr_7'))?.id).toBe('rst_1');
      expect(await repos().resetTokens.findByApproval('apr_404')).toBeUndefined();
      const positions = await concurrently(10, (i) => repos().resetTokens.addSecret('rst_1', `scrypt$h${i}`, { unexpiredAt: at(1) }));
      expect([...positions].sort((a, b) => (a ?? -1) - (b ?? -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const stored = (await repos().resetTokens.get('rst_1'))?.tokenHashes ?? [];
      expect(positions.map((n) => stored[n as number])).toEqual(positions.map((_, i) => `scrypt$h${i}`));
      // Returned records are copies; an expired or used token, or an unknown one, gets nothing.
      stored.push('mutated');
      expect((await repos().resetTokens.get('rst_1'))?.tokenHashes).toHaveLength(10);
      expect(await repos().resetTokens.addSecret('rst_1', 'scrypt$late', { unexpiredAt: at(30) })).toBeUndefined();
      expect(await repos().resetTokens.addSecret('rst_404', 'scrypt$x', { unexpiredAt: at(1) })).toBeUndefined();
      expect((await repos().resetTokens.markUsed('rst_1', at(2))).won).toBe(true);
      expect(await repos().resetTokens.addSecret('rst_1', 'scrypt$used', { unexpiredAt: at(3) })).toBeUndefined();
      expect((await repos().resetTokens.get('rst_1'))?.tokenHashes).toHaveLength(10);
    });

    it(`stops appending link hashes at MAX_LINK_SECRETS (${MAX_LINK_SECRETS})`, async () => {
      await repos().resetTokens.add(resetToken('rst_1', 'cus_001', { tokenHashes: Array.from({ length: MAX_LINK_SECRETS - 1 }, (_, i) => `scrypt$${i}`) }));
      expect(await repos().resetTokens.addSecret('rst_1', 'scrypt$last', { unexpiredAt: at(1) })).toBe(MAX_LINK_SECRETS - 1);
      expect(await repos().resetTokens.addSecret('rst_1', 'scrypt$over', { unexpiredAt: at(1) })).toBeUndefined();
      expect((await repos().resetTokens.get('rst_1'))?.tokenHashes.at(-1)).toBe('scrypt$last');
    });

    it('deletes tokens that expired before a time', async () => {
      await repos().resetTokens.add(resetToken('rst_1', 'cus_001', { expiresAt: at(1) }));
      await repos().resetTokens.add(resetToken('rst_2', 'cus_001', { expiresAt: at(2) }));
      await repos().resetTokens.add(resetToken('rst_3', 'cus_001', { expiresAt: at(9) }));
      expect(await repos().resetTokens.deleteExpired(at(5), 1)).toBe(1);
      expect(await repos().resetTokens.deleteExpired(at(5), 10)).toBe(1);
      expect(await repos().resetTokens.get('rst_2')).toBeUndefined();
      expect(await repos().resetTokens.get('rst_3')).toBeDefined();
    });
  });

  describe('address changes', () => {
    it('supersedes a customer\'s pending changes and confirms a change once', async () => {
      await repos().addressChanges.create(addressChange('adr_1', 'cus_001', { requestedAt: at(1) }));
      await repos().addressChanges.create(addressChange('adr_0', 'cus_001', { requestedAt: at(0) }));
      await repos().addressChanges.create(addressChange('adr_x', 'cus_002'));
      await expectCode(repos().addressChanges.create(addressChange('adr_1', 'cus_001')), 'conflict');
      expect(await repos().addressChanges.supersedePending('cus_001', at(2))).toEqual(['adr_0', 'adr_1']);
      expect(await repos().addressChanges.get('adr_1')).toMatchObject({ status: 'superseded', supersededAt: at(2) });
      expect(await repos().addressChanges.supersedePending('cus_001', at(3))).toEqual([]);
      await repos().addressChanges.create(addressChange('adr_2', 'cus_001', { expiresAt: at(30) }));
      expect(await repos().addressChanges.confirm('adr_2', { confirmedAt: at(5), confirmedVia: 'terminal', customerId: 'cus_002' })).toEqual({ won: false, record: undefined });
      expect((await repos().addressChanges.confirm('adr_2', { confirmedAt: at(30), confirmedVia: 'link' })).won).toBe(false);
      const results = await concurrently(10, (i) => repos().addressChanges.confirm('adr_2', { confirmedAt: at(i), confirmedVia: 'link' }));
      expect(results.filter((r) => r.won)).toHaveLength(1);
      expect(await repos().addressChanges.get('adr_2')).toMatchObject({ status: 'confirmed', confirmedVia: 'link' });
      expect((await repos().addressChanges.confirm('adr_1', { confirmedAt: at(5), confirmedVia: 'link' })).record?.status).toBe('superseded');
    });

    it('appends minted link hashes only while the change is pending and unexpired (×10: distinct positions)', async () => {
      await repos().addressChanges.create(addressChange('adr_1', 'cus_001', { tokenHashes: [], expiresAt: at(30) }));
      await repos().addressChanges.create(addressChange('adr_2', 'cus_002', { tokenHashes: [] }));
      const positions = await concurrently(10, (i) => repos().addressChanges.addSecret('adr_1', `scrypt$a${i}`, { unexpiredAt: at(1) }));
      expect([...positions].sort((a, b) => (a ?? -1) - (b ?? -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const stored = (await repos().addressChanges.get('adr_1'))?.tokenHashes ?? [];
      expect(positions.map((n) => stored[n as number])).toEqual(positions.map((_, i) => `scrypt$a${i}`));
      expect(await repos().addressChanges.addSecret('adr_1', 'scrypt$late', { unexpiredAt: at(30) })).toBeUndefined();
      expect(await repos().addressChanges.addSecret('adr_404', 'scrypt$x', { unexpiredAt: at(1) })).toBeUndefined();
      expect((await repos().addressChanges.confirm('adr_1', { confirmedAt: at(2), confirmedVia: 'link' })).won).toBe(true);
      expect(await repos().addressChanges.addSecret('adr_1', 'scrypt$used', { unexpiredAt: at(3) })).toBeUndefined();
      await repos().addressChanges.supersedePending('cus_002', at(1));
      expect(await repos().addressChanges.addSecret('adr_2', 'scrypt$old', { unexpiredAt: at(2) })).toBeUndefined();
      expect((await repos().addressChanges.get('adr_2'))?.tokenHashes).toEqual([]);
    });
  });

  describe('drafts', () => {
    it('claims a send once (pending → sending), then finishes it (sending → sent)', async () => {
      await repos().drafts.create(draft('drf_1'));
      await expectCode(repos().drafts.create(draft('drf_1')), 'conflict');
      const results = await concurrently(10, (i) => repos().drafts.transition('drf_1', 'pending', { status: 'sending', decidedBy: staff(i), decidedAt: at(1), input: { customerId: 'cus_001', body: `edit ${i}` } }, { unexpiredAt: at(1) }));
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      expect((await repos().drafts.get('drf_1'))?.input).toEqual(winners[0]?.record?.input);
      const done = await repos().drafts.transition('drf_1', 'sending', { status: 'sent', outcome: 'Note added' });
      expect(done.record).toMatchObject({ status: 'sent', outcome: 'Note added', decidedBy: winners[0]?.record?.decidedBy });
      expect((await repos().drafts.transition('drf_1', 'pending', { status: 'discarded' })).won).toBe(false);
    });

    it('refuses an expired draft when asked, reads several in order, and records the card', async () => {
      await repos().drafts.create(draft('drf_1', { expiresAt: at(5) }));
      await repos().drafts.create(draft('drf_2'));
      expect((await repos().drafts.transition('drf_1', 'pending', { status: 'sending' }, { unexpiredAt: at(5) })).won).toBe(false);
      expect((await repos().drafts.transition('drf_1', 'pending', { status: 'expired' })).won).toBe(true);
      expect((await repos().drafts.getMany(['drf_2', 'drf_404', 'drf_1'])).map((d) => d.id)).toEqual(['drf_2', 'drf_1']);
      expect(await repos().drafts.setStaffMessage('drf_2', { channel: 'D1', ts: '9.9' })).toBe(true);
      expect((await repos().drafts.get('drf_2'))?.staffMessage).toEqual({ channel: 'D1', ts: '9.9' });
      expect(await repos().drafts.setStaffMessage('drf_404', { channel: 'D1', ts: '9.9' })).toBe(false);
    });
  });
}
