import { describe, expect, it } from 'vitest';
import { ANN, ANON, auditLog, BOB, failingOutbox, fixtureDb, makeSupport, NOT_STAFF, snapshot, STAFF, STAFF2 } from './fixture.js';

type H = Awaited<ReturnType<typeof makeSupport>>;
const card = (h: H, id: string) => h.repos.customers.getCard(id);
const approval = (h: H, id: string) => h.repos.approvals.get(id);
const approvalCount = async (h: H) => Object.values(await h.repos.approvals.countByStatus()).reduce((a, b) => a + b, 0);

describe('approval requests', () => {
  it('a card deactivation request creates a pending approval and changes nothing on the card', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestCardDeactivation(ANN, { threadKey: 'slack:C1:111.1', channel: 'slack' }, { last4: '4242', reason: 'Lost it on the bus' });
    expect(r).toMatchObject({ status: 'pending_approval', action: 'card_deactivation', expiresAt: '2026-03-10T13:00:00.000Z' });
    expect(r.approvalId).toMatch(/^apr_/);
    expect(r.message).toContain('4242');
    expect((await card(h, 'card_ann_1'))?.status).toBe('active');
    const stored = await approval(h, r.approvalId);
    expect(stored).toMatchObject({ customerId: 'cus_ann', cardId: 'card_ann_1', reason: 'Lost it on the bus', threadKey: 'slack:C1:111.1', channel: 'slack', status: 'pending', requestedAt: '2026-03-10T12:00:00.000Z' });
    expect((await auditLog(h.repos)).at(-1)).toMatchObject({ action: 'approval.request', actor: { kind: 'customer', id: 'cus_ann' }, target: `approval:${r.approvalId}` });
  });

  it('returns the existing pending approval instead of a duplicate', async () => {
    const h = await makeSupport();
    const a = await h.support.approvals.requestCardDeactivation(ANN, {}, { cardId: 'card_ann_1', reason: 'lost' });
    const b = await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'lost, again' });
    expect(b.approvalId).toBe(a.approvalId);
    const p1 = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    const p2 = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot it');
    expect(p2.approvalId).toBe(p1.approvalId);
    expect(await approvalCount(h)).toBe(2);
    h.advance(61); // the first ones expired: a new request makes a new approval
    const p3 = await h.support.approvals.requestPasswordChange(ANN, {}, 'still forgot');
    expect(p3.approvalId).not.toBe(p1.approvalId);
    expect((await approval(h, p1.approvalId))?.status).toBe('expired');
  });

  it('refuses an already deactivated card with a clear conflict, and other people\'s cards as not found', async () => {
    const h = await makeSupport();
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '1111', reason: 'x' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/ending 1111 is already deactivated/) });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { cardId: 'card_bob_1', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '0005', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { cardId: 'card_ann_1', last4: '0005', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { reason: 'x' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.approvals.requestCardDeactivation(ANON, {}, { last4: '4242', reason: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.support.approvals.requestPasswordChange(STAFF, {}, 'x')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await approvalCount(h)).toBe(0);
  });
});

describe('deciding approvals', () => {
  it('two concurrent approvals: exactly one wins, the card is deactivated once', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestCardDeactivation(ANN, { threadKey: 'slack:C1:1' }, { last4: '4242', reason: 'stolen' });
    const results = await Promise.allSettled([
      h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' }),
      h.support.approvals.decide(STAFF2, { approvalId: r.approvalId, decision: 'approve' }),
      h.support.approvals.decide(STAFF2, { approvalId: r.approvalId, decision: 'deny' }),
    ]);
    const won = results.filter((x) => x.status === 'fulfilled');
    const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    for (const l of lost) expect(l.reason).toMatchObject({ code: 'already_decided', message: expect.stringContaining('staff U_STAFF') });
    const winner = won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof h.support.approvals.decide>>>;
    expect(winner.value).toMatchObject({ outcome: 'card_deactivated', threadKey: 'slack:C1:1', customerMessage: 'Your card ending 4242 has been deactivated. It can no longer be used for payments.' });
    expect(await card(h, 'card_ann_1')).toMatchObject({ status: 'deactivated', deactivatedAt: '2026-03-10T12:00:00.000Z' });
    expect((await auditLog(h.repos)).filter((e) => e.action === 'card.deactivate')).toHaveLength(1);
  });

  it('a deactivated card stays deactivated: a later decision changes nothing', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'stolen' });
    await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' });
    h.advance(5);
    const before = await snapshot(h);
    await expect(h.support.approvals.decide(STAFF2, { approvalId: r.approvalId, decision: 'deny' })).rejects.toMatchObject({ code: 'already_decided' });
    expect(await snapshot(h)).toEqual(before);
    expect(await card(h, 'card_ann_1')).toMatchObject({ status: 'deactivated', deactivatedAt: '2026-03-10T12:00:00.000Z' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'again' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('an expired approval cannot be approved; it is marked expired and the card stays active', async () => {
    const h = await makeSupport({ approvalTtlMinutes: 10 });
    const r = await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'lost' });
    h.advance(11);
    await expect(h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'expired' });
    expect((await approval(h, r.approvalId))?.status).toBe('expired');
    expect((await card(h, 'card_ann_1'))?.status).toBe('active');
    await expect(h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'expired' });
    expect(await h.support.approvals.listPending(STAFF)).toEqual([]);
  });

  it('deny tells the customer plainly and changes nothing on the account', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestCardDeactivation(ANN, { threadKey: 'email:abc' }, { last4: '4242', reason: 'lost' });
    const d = await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'deny', note: 'Card was found' });
    expect(d.outcome).toBe('denied');
    expect(d.customerMessage).toMatch(/^A staff member declined your request to deactivate your card ending 4242\. Note: Card was found/);
    expect(d.approval).toMatchObject({ status: 'denied', decidedBy: { kind: 'staff', id: 'U_STAFF' }, decisionNote: 'Card was found' });
    expect((await card(h, 'card_ann_1'))?.status).toBe('active');
  });

  it('only allow-listed staff can list and decide', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    for (const caller of [ANN, BOB, ANON, NOT_STAFF]) {
      await expect(h.support.approvals.decide(caller, { approvalId: r.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(h.support.approvals.listPending(caller)).rejects.toMatchObject({ code: 'forbidden' });
    }
    expect((await h.support.approvals.listPending(STAFF)).map((a) => a.id)).toEqual([r.approvalId]);
    expect((await h.support.approvals.get(STAFF, r.approvalId)).status).toBe('pending');
    await expect(h.support.approvals.decide(STAFF, { approvalId: 'apr_nope', decision: 'approve' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'maybe' as 'approve' })).rejects.toMatchObject({ code: 'bad_input' });
  });

  it('expireDue marks due approvals expired and records where the staff card was posted', async () => {
    const h = await makeSupport({ approvalTtlMinutes: 30 });
    const r = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    await h.support.approvals.setStaffMessage(r.approvalId, { channel: 'C_STAFF', ts: '123.456' });
    expect(await h.support.approvals.expireDue()).toEqual([]);
    h.advance(31);
    const changed = await h.support.approvals.expireDue();
    expect(changed.map((a) => [a.id, a.status])).toEqual([[r.approvalId, 'expired']]);
    expect((await approval(h, r.approvalId))?.staffMessage).toEqual({ channel: 'C_STAFF', ts: '123.456' });
  });

  it('a staff member who is also the customer cannot decide their own request', async () => {
    const db = fixtureDb();
    db.customers.find((c) => c.id === 'cus_ann')!.slackUserId = 'U_STAFF';
    const h = await makeSupport({ db });
    const p = await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'lost' });
    const before = await snapshot(h);
    await expect(h.support.approvals.decide(STAFF, { approvalId: p.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/your own request/) });
    expect(await snapshot(h)).toEqual(before);
    await expect(h.support.approvals.decide(STAFF2, { approvalId: p.approvalId, decision: 'approve' })).resolves.toMatchObject({ outcome: 'card_deactivated' });
  });

  it('four eyes across channels: a staff member who wrote in as the customer by email cannot approve it', async () => {
    const h = await makeSupport();
    const ann = (await h.repos.customers.get('cus_ann'))!;
    // The staff member's Slack-verified email is Ann's address: they emailed in as Ann (DMARC pass) and asked.
    const p = await h.support.approvals.requestPasswordChange(ANN, { channel: 'email', threadKey: 'email:<x@y>', requester: { id: ann.email, email: ann.email, verification: 'dmarc=pass' } }, 'forgot it');
    expect((await approval(h, p.approvalId))?.requester).toEqual({ id: ann.email, email: ann.email, verification: 'dmarc=pass' });
    const before = await snapshot(h);
    const staffAsAnn = { ...STAFF, email: ann.email.toUpperCase() };
    await expect(h.support.approvals.decide(staffAsAnn, { approvalId: p.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/your own request/) });
    await expect(h.support.approvals.decide(staffAsAnn, { approvalId: p.approvalId, decision: 'deny' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await snapshot(h)).toEqual(before);
    await expect(h.support.approvals.decide(STAFF2, { approvalId: p.approvalId, decision: 'approve' })).resolves.toMatchObject({ outcome: 'reset_link_emailed' });
  });

  it('four eyes: a staff member recognised in Slack as the customer (by verified email, no linked id) cannot decide what they asked', async () => {
    const h = await makeSupport();
    const p = await h.support.approvals.requestCardDeactivation(ANN, { channel: 'slack', requester: { id: 'U_STAFF', verification: 'slack' } }, { last4: '4242', reason: 'lost' });
    await expect(h.support.approvals.decide(STAFF, { approvalId: p.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await card(h, 'card_ann_1'))?.status).toBe('active');
  });

  it('refuses a password change up front when reset links cannot be emailed, changing nothing', async () => {
    const h = await makeSupport({ resetDelivery: false });
    const before = await snapshot(h);
    await expect(h.support.approvals.requestPasswordChange(ANN, {}, 'forgot it')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/email/) });
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('a decision is one transaction', () => {
  it('when the reset mail cannot be queued, nothing of the decision remains: still pending, no token, no audit', async () => {
    const h = await makeSupport({ wrap: failingOutbox });
    const r = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    const before = await snapshot(h);
    await expect(h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' })).rejects.toThrow(/outbox unavailable/);
    expect(await snapshot(h)).toEqual(before);
    expect((await approval(h, r.approvalId))?.status).toBe('pending');
  });

  it('a card deactivation decided while the approval expires is refused and leaves the card active', async () => {
    const h = await makeSupport({ approvalTtlMinutes: 10 });
    const r = await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'lost' });
    h.advance(10); // expiresAt == now: expired
    await expect(h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' })).rejects.toMatchObject({ code: 'expired' });
    expect((await card(h, 'card_ann_1'))?.status).toBe('active');
    expect((await auditLog(h.repos)).at(-1)).toMatchObject({ action: 'approval.expire', target: `approval:${r.approvalId}` });
  });
});
