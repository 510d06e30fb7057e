/** freeze_card (at once, by the customer) and unfreeze_card (a card_unfreeze approval staff decide) through the MCP server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, STAFF, STAFF2, auditLog, call, createHarness, ok, textOf, type Harness } from './fixtures.js';
import type { CardFrozen, PendingApprovalResult } from '../../src/support/api.js';

let h: Harness;
beforeEach(() => { h = createHarness(); });
afterEach(async () => { await h.closeAll(); });

const status = async (id: string) => (await h.repos.customers.getCard(id))?.status;
const audit = async (action: string) => (await auditLog(h.repos)).filter((a) => a.action === action);

async function frozenAndRequested() {
  const alice = await h.connect(ALICE);
  ok<CardFrozen>(await call(alice, 'freeze_card', { last4: '4242' }));
  const r = ok<PendingApprovalResult>(await call(alice, 'unfreeze_card', { last4: '4242', reason: 'Found it in my coat' }));
  return { alice, approvalId: r.approvalId };
}

describe('freeze_card', () => {
  it('freezes the caller\'s own card at once, audited, without any approval; account details show it frozen', async () => {
    const alice = await h.connect(ALICE);
    const r = ok<CardFrozen>(await call(alice, 'freeze_card', { last4: '4242' }));
    expect(r).toMatchObject({ status: 'frozen', cardId: 'card_001a', last4: '4242', alreadyFrozen: false });
    expect(r.message).toMatch(/frozen now.*reversible.*unfreeze.*staff member approves/s);
    expect(await status('card_001a')).toBe('frozen');
    expect(await status('card_002a')).toBe('active'); // Bob's card with the same last 4 digits
    expect(await audit('card.freeze')).toMatchObject([{ actor: { kind: 'customer', id: 'cus_001' }, target: 'card:card_001a' }]);
    expect((await h.repos.approvals.listPending(new Date().toISOString(), 10)).filter((a) => a.customerId === 'cus_001' && a.action !== 'password_change')).toEqual([]);
    const details = await call(alice, 'get_account_details', {});
    expect(textOf(details)).toContain('Card card_001a: visa •••• 4242, frozen');
  });

  it('is idempotent: freezing a frozen card says so and changes nothing', async () => {
    const alice = await h.connect(ALICE);
    ok(await call(alice, 'freeze_card', { last4: '4242' }));
    const before = await h.snapshot();
    const again = ok<CardFrozen>(await call(alice, 'freeze_card', { last4: '4242' }));
    expect(again).toMatchObject({ status: 'frozen', alreadyFrozen: true });
    expect(again.message).toMatch(/already frozen/);
    expect(await h.snapshot()).toBe(before);
    expect(await audit('card.freeze')).toHaveLength(1);
  });

  it('refuses a deactivated card, and a card that is not the caller\'s', async () => {
    const alice = await h.connect(ALICE);
    const before = await h.snapshot();
    const deactivated = await call(alice, 'freeze_card', { last4: '5555' });
    expect(deactivated.isError).toBe(true);
    expect(textOf(deactivated)).toMatch(/deactivated/);
    const bobs = await call(alice, 'freeze_card', { last4: '9999' });
    expect(bobs.isError).toBe(true);
    expect(textOf(bobs)).toMatch(/not_found/);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('unfreeze_card and the card_unfreeze approval', () => {
  it('opens a pending approval and leaves the card frozen until staff approve; asking twice reuses it', async () => {
    const { alice, approvalId } = await frozenAndRequested();
    expect(await h.repos.approvals.get(approvalId)).toMatchObject({ action: 'card_unfreeze', cardId: 'card_001a', customerId: 'cus_001', status: 'pending', reason: 'Found it in my coat' });
    expect(await status('card_001a')).toBe('frozen');
    const again = ok<PendingApprovalResult>(await call(alice, 'unfreeze_card', { last4: '4242' }));
    expect(again.approvalId).toBe(approvalId);
    expect(again.message).toMatch(/already waiting/);
  });

  it('approve → active exactly once, the customer is told; a second decision is refused', async () => {
    const { approvalId } = await frozenAndRequested();
    const staff = await h.connect(STAFF);
    const d = ok<{ outcome: string; customerMessage: string }>(await call(staff, 'decide_approval', { approvalId, decision: 'approve' }));
    expect(d.outcome).toBe('card_unfrozen');
    expect(d.customerMessage).toMatch(/ending 4242 has been unfrozen/);
    expect(await status('card_001a')).toBe('active');
    for (const decision of ['approve', 'deny'] as const) {
      const r = await call(await h.connect(STAFF2), 'decide_approval', { approvalId, decision });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/already_decided/);
    }
    expect(await status('card_001a')).toBe('active');
    expect(await audit('card.unfreeze')).toHaveLength(1);
  });

  it('concurrent approvals unfreeze once', async () => {
    const { approvalId } = await frozenAndRequested();
    const conns = await Promise.all([STAFF, STAFF2, STAFF, STAFF2].map((c) => h.connect(c)));
    const results = await Promise.all(conns.map((c) => call(c, 'decide_approval', { approvalId, decision: 'approve' })));
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(await audit('card.unfreeze')).toHaveLength(1);
  });

  it('deny → the card stays frozen and the customer is told so', async () => {
    const { approvalId } = await frozenAndRequested();
    const staff = await h.connect(STAFF);
    const d = ok<{ outcome: string; customerMessage: string }>(await call(staff, 'decide_approval', { approvalId, decision: 'deny', note: 'please call us' }));
    expect(d.outcome).toBe('denied');
    expect(d.customerMessage).toMatch(/declined your request to unfreeze your card ending 4242\. Note: please call us.*stays frozen/);
    expect(await status('card_001a')).toBe('frozen');
    expect(await audit('card.unfreeze')).toHaveLength(0);
  });

  it('a frozen card can still be deactivated through its approval; an unfreeze approved afterwards leaves it deactivated', async () => {
    const { alice, approvalId } = await frozenAndRequested();
    const deact = ok<PendingApprovalResult>(await call(alice, 'request_card_deactivation', { last4: '4242', reason: 'gone for good' }));
    const staff = await h.connect(STAFF);
    expect(ok<{ outcome: string }>(await call(staff, 'decide_approval', { approvalId: deact.approvalId, decision: 'approve' })).outcome).toBe('card_deactivated');
    expect(await status('card_001a')).toBe('deactivated');
    const late = ok<{ outcome: string; customerMessage: string }>(await call(staff, 'decide_approval', { approvalId, decision: 'approve' }));
    expect(late.outcome).toBe('card_deactivated_meanwhile');
    expect(await status('card_001a')).toBe('deactivated');
  });

  it('refuses to unfreeze a card that is not frozen, or is someone else\'s', async () => {
    const alice = await h.connect(ALICE);
    const active = await call(alice, 'unfreeze_card', { last4: '4242' });
    expect(textOf(active)).toMatch(/conflict.*not frozen/);
    const bob = await h.connect(BOB);
    ok(await call(bob, 'freeze_card', { last4: '9999' }));
    const bobs = await call(alice, 'unfreeze_card', { last4: '9999' });
    expect(bobs.isError).toBe(true);
    expect(textOf(bobs)).toMatch(/not_found/);
    expect(await status('card_002b')).toBe('frozen');
  });
});
