import { describe, expect, it } from 'vitest';
import { ANN, ANON, auditLog, BOB, fixtureDb, makeSupport, snapshot, STAFF, STAFF2 } from './fixture.js';

type H = Awaited<ReturnType<typeof makeSupport>>;
const status = async (h: H, id: string) => (await h.repos.customers.getCard(id))?.status;

describe('freezing a card (at once, by the customer)', () => {
  it('freezes the caller\'s own card, audited, and the account details show it frozen', async () => {
    const h = await makeSupport();
    const r = await h.support.cards.freeze(ANN, { threadKey: 'terminal:cus_ann:1', channel: 'terminal' }, { last4: '4242' });
    expect(r).toMatchObject({ status: 'frozen', cardId: 'card_ann_1', last4: '4242', alreadyFrozen: false });
    expect(r.message).toMatch(/^Your card ending 4242 is frozen now\. It can't be used for payments/);
    expect(await status(h, 'card_ann_1')).toBe('frozen');
    expect((await auditLog(h.repos)).at(-1)).toMatchObject({ action: 'card.freeze', actor: { kind: 'customer', id: 'cus_ann' }, target: 'card:card_ann_1', details: { customerId: 'cus_ann', channel: 'terminal' } });
    const details = await h.support.accounts.details(ANN);
    expect(details.cards.find((c) => c.id === 'card_ann_1')).toMatchObject({ status: 'frozen', last4: '4242' });
    expect(Object.values(await h.repos.approvals.countByStatus()).every((n) => n === 0)).toBe(true); // no approval needed
  });

  it('is idempotent: a frozen card stays frozen, says so, and nothing is written', async () => {
    const h = await makeSupport();
    await h.support.cards.freeze(ANN, {}, { last4: '4242' });
    const before = await snapshot(h);
    const again = await h.support.cards.freeze(ANN, {}, { cardId: 'card_ann_1' });
    expect(again).toMatchObject({ alreadyFrozen: true });
    expect(again.message).toMatch(/was already frozen; it stays frozen/);
    expect(await snapshot(h)).toEqual(before);
  });

  it('refuses a deactivated card, other customers\' cards, guests, staff and bad input', async () => {
    const h = await makeSupport();
    const before = await snapshot(h);
    await expect(h.support.cards.freeze(ANN, {}, { last4: '1111' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/deactivated/) });
    await expect(h.support.cards.freeze(ANN, {}, { last4: '0005' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.cards.freeze(ANN, {}, { cardId: 'card_bob_1' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.cards.freeze(ANON, {}, { last4: '4242' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.support.cards.freeze(STAFF, {}, { last4: '4242' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.support.cards.freeze(ANN, {}, {})).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.cards.freeze(ANN, {}, { last4: '42' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.cards.freeze(ANN, {}, { last4: '4242', customerId: 'cus_bob' } as never)).rejects.toMatchObject({ code: 'bad_input' });
    expect(await snapshot(h)).toEqual(before);
    expect(await status(h, 'card_bob_1')).toBe('active');
  });

  it('two live cards with the same last 4 digits: asks for the card id instead of guessing', async () => {
    const db = fixtureDb();
    db.cards.push({ id: 'card_ann_3', customerId: 'cus_ann', accountId: 'acc_ann_chk', brand: 'mastercard', last4: '4242', status: 'frozen', expMonth: 2, expYear: 2030 });
    const h = await makeSupport({ db });
    await expect(h.support.cards.freeze(ANN, {}, { last4: '4242' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/card id/) });
    expect((await h.support.cards.freeze(ANN, {}, { cardId: 'card_ann_1' })).alreadyFrozen).toBe(false);
  });
});

describe('unfreezing a card (staff approve)', () => {
  async function frozenWithRequest() {
    const h = await makeSupport();
    await h.support.cards.freeze(ANN, {}, { last4: '4242' });
    const r = await h.support.approvals.requestCardUnfreeze(ANN, { threadKey: 'slack:C1:1.1', channel: 'slack' }, { last4: '4242', reason: 'Found it' });
    return { h, approvalId: r.approvalId, r };
  }

  it('opens a card_unfreeze approval; the card stays frozen', async () => {
    const { h, approvalId, r } = await frozenWithRequest();
    expect(r).toMatchObject({ status: 'pending_approval', action: 'card_unfreeze' });
    expect(r.message).toBe("Your request to unfreeze your card ending 4242 has been sent to a staff member for approval. You'll hear back here.");
    expect(await h.repos.approvals.get(approvalId)).toMatchObject({ action: 'card_unfreeze', cardId: 'card_ann_1', customerId: 'cus_ann', threadKey: 'slack:C1:1.1', status: 'pending' });
    expect(await status(h, 'card_ann_1')).toBe('frozen');
  });

  it('refuses a card that is not frozen, or deactivated', async () => {
    const h = await makeSupport();
    await expect(h.support.approvals.requestCardUnfreeze(ANN, {}, { last4: '4242', reason: 'x' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/not frozen/) });
    await expect(h.support.approvals.requestCardUnfreeze(ANN, {}, { last4: '1111', reason: 'x' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/deactivated/) });
    await expect(h.support.approvals.requestCardUnfreeze(BOB, {}, { cardId: 'card_ann_1', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('approve → active once, audited, and the customer message for their thread; a second decision is refused', async () => {
    const { h, approvalId } = await frozenWithRequest();
    const d = await h.support.approvals.decide(STAFF, { approvalId, decision: 'approve' });
    expect(d).toMatchObject({ outcome: 'card_unfrozen', threadKey: 'slack:C1:1.1', customerMessage: 'Your card ending 4242 has been unfrozen. You can use it for payments again.' });
    expect(await status(h, 'card_ann_1')).toBe('active');
    await expect(h.support.approvals.decide(STAFF2, { approvalId, decision: 'deny' })).rejects.toMatchObject({ code: 'already_decided' });
    await expect(h.support.approvals.decide(STAFF2, { approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'already_decided' });
    expect((await auditLog(h.repos)).filter((a) => a.action === 'card.unfreeze')).toHaveLength(1);
  });

  it('deny → stays frozen', async () => {
    const { h, approvalId } = await frozenWithRequest();
    const d = await h.support.approvals.decide(STAFF, { approvalId, decision: 'deny' });
    expect(d.customerMessage).toBe('A staff member declined your request to unfreeze your card ending 4242. Nothing on your account was changed. Your card stays frozen.');
    expect(await status(h, 'card_ann_1')).toBe('frozen');
  });

  it('expired undecided → stays frozen and can no longer be approved', async () => {
    const { h, approvalId } = await frozenWithRequest();
    h.advance(61);
    expect((await h.support.approvals.expireDue()).map((a) => [a.id, a.action])).toEqual([[approvalId, 'card_unfreeze']]);
    await expect(h.support.approvals.decide(STAFF, { approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'expired' });
    expect(await status(h, 'card_ann_1')).toBe('frozen');
  });

  it('a frozen card can be deactivated through its approval', async () => {
    const { h } = await frozenWithRequest();
    const r = await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'gone for good' });
    expect(r.action).toBe('card_deactivation');
    expect((await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' })).outcome).toBe('card_deactivated');
    expect(await status(h, 'card_ann_1')).toBe('deactivated');
    await expect(h.support.cards.freeze(ANN, {}, { last4: '4242' })).rejects.toMatchObject({ code: 'conflict' });
  });
});
