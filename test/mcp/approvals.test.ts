import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, STAFF, STAFF2, auditLog, call, createHarness, ok, systemMails, textOf, type Harness } from './fixtures.js';
import { snapshot as snapshotOf } from '../support/repo-view.js';
import type { DecisionResult, PendingApprovalResult } from '../../src/support/api.js';
import { linkInOutbox } from '../helpers/system-mail.js';

let h: Harness;
beforeEach(() => { h = createHarness(); });
afterEach(async () => { await h.closeAll(); });

const card = (id: string) => h.repos.customers.getCard(id);
const approval = (id: string) => h.repos.approvals.get(id);
const alice = () => h.repos.customers.get('cus_001');
const audit = () => auditLog(h.repos);

/** The stored state minus approvals and audit: what a pending request must not touch. */
async function businessState(): Promise<string> {
  const { approvals: _a, approvalCounts: _c, audit: _b, ...rest } = await snapshotOf(h.repos, ['cus_001', 'cus_002', 'cus_003']);
  return JSON.stringify(rest);
}

describe('sensitive requests only open an approval', () => {
  it('request_card_deactivation leaves the card active until staff approve', async () => {
    const requested: PendingApprovalResult[] = [];
    const conn = await h.connect(ALICE, { hooks: { approvalRequested: (r) => { requested.push(r); } } });
    const before = await businessState();
    const r = ok<PendingApprovalResult>(await call(conn, 'request_card_deactivation', { last4: '4242', reason: 'stolen on the train' }));
    expect(r).toMatchObject({ status: 'pending_approval', action: 'card_deactivation' });
    expect(requested.map((x) => x.approvalId)).toEqual([r.approvalId]);
    expect((await card('card_001a'))?.status).toBe('active');
    expect(await businessState()).toBe(before);
    expect((await approval(r.approvalId))?.status).toBe('pending');
  });

  it('a failing approvalRequested hook does not turn the request into an error', async () => {
    const conn = await h.connect(ALICE, { hooks: { approvalRequested: () => { throw new Error('staff channel down'); } } });
    const r = await call(conn, 'request_password_change', { reason: 'forgot' });
    const { approvalId } = ok<PendingApprovalResult>(r);
    expect((await approval(approvalId))?.status).toBe('pending');
  });

  it('request_password_change changes nothing on the account, issues no token, sends no email', async () => {
    const conn = await h.connect(ALICE);
    const before = await businessState();
    const hashBefore = (await alice())?.passwordHash;
    ok(await call(conn, 'request_password_change', { reason: 'cannot log in' }));
    expect((await alice())?.passwordHash).toBe(hashBefore);
    expect((await audit()).filter((a) => a.action === 'password.reset_issued')).toHaveLength(0);
    expect(await h.repos.outbox.countPending()).toBe(0);
    expect(await businessState()).toBe(before);
  });
});

describe('decide_approval', () => {
  async function requestDeactivation() {
    const conn = await h.connect(ALICE);
    return ok<PendingApprovalResult>(await call(conn, 'request_card_deactivation', { cardId: 'card_001a', reason: 'lost' })).approvalId;
  }

  it('approving a card deactivation deactivates the card once; a second decision is refused', async () => {
    const approvalId = await requestDeactivation();
    const staff = await h.connect(STAFF);
    const first = await call(staff, 'decide_approval', { approvalId, decision: 'approve', note: 'verified by phone' });
    const d = ok<{ approval: { status: string }; outcome: string; customerMessage: string; threadKey: string }>(first);
    expect(d.approval.status).toBe('approved');
    expect(d.outcome).toBe('card_deactivated');
    expect(d.customerMessage).toContain('4242');
    expect(d.threadKey).toBe('slack:T1:C1:customer');
    expect((await card('card_001a'))?.status).toBe('deactivated');

    const snapshot = await h.snapshot();
    for (const decision of ['approve', 'deny'] as const) {
      const again = await call(staff, 'decide_approval', { approvalId, decision });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/already_decided/);
    }
    expect(await h.snapshot()).toBe(snapshot);
    expect((await card('card_001a'))?.status).toBe('deactivated');
    expect((await audit()).filter((a) => a.action === 'card.deactivate')).toHaveLength(1);
  });

  it('two concurrent decisions by different staff: exactly one wins, the action happens once', async () => {
    const approvalId = await requestDeactivation();
    const [s1, s2] = await Promise.all([h.connect(STAFF), h.connect(STAFF2)]);
    const results = await Promise.all([
      call(s1, 'decide_approval', { approvalId, decision: 'approve' }),
      call(s2, 'decide_approval', { approvalId, decision: 'deny' }),
    ]);
    const wins = results.filter((r) => !r.isError);
    const losses = results.filter((r) => r.isError);
    expect(wins).toHaveLength(1);
    expect(losses).toHaveLength(1);
    expect(textOf(losses[0] ?? { content: [] })).toMatch(/already_decided|already (approved|denied)/);
    const final = await approval(approvalId);
    expect(final?.status).toBe((wins[0]?.structuredContent as { approval: { status: string } } | undefined)?.approval.status);
    expect((await audit()).filter((a) => a.target === `approval:${approvalId}` && /approval\.(approve|deny)/.test(a.action))).toHaveLength(1);
    expect((await audit()).filter((a) => a.action === 'card.deactivate').length).toBe(final?.status === 'approved' ? 1 : 0);
  });

  it('many concurrent approvals of one request deactivate the card exactly once', async () => {
    const approvalId = await requestDeactivation();
    const conns = await Promise.all([STAFF, STAFF2, STAFF, STAFF2].map((c) => h.connect(c)));
    const results = await Promise.all(conns.map((c) => call(c, 'decide_approval', { approvalId, decision: 'approve' })));
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect((await audit()).filter((a) => a.action === 'card.deactivate')).toHaveLength(1);
  });

  it('an expired approval cannot be approved and the card stays active', async () => {
    const staff = await h.connect(STAFF);
    const r = await call(staff, 'decide_approval', { approvalId: 'apr_old', decision: 'approve' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/expired/);
    expect((await card('card_001a'))?.status).toBe('active');
    expect((await approval('apr_old'))?.status).toBe('expired');
  });

  it('denying leaves the card active and says nothing changed', async () => {
    const approvalId = await requestDeactivation();
    const staff = await h.connect(STAFF);
    const d = ok<{ outcome: string; customerMessage: string }>(await call(staff, 'decide_approval', { approvalId, decision: 'deny', note: 'could not verify' }));
    expect(d.outcome).toBe('denied');
    expect(d.customerMessage).toMatch(/declined/);
    expect((await card('card_001a'))?.status).toBe('active');
  });

  it('an approved password change never returns the reset link or token; the link is minted only as its mail leaves', async () => {
    const conn = await h.connect(ALICE);
    const { approvalId } = ok<PendingApprovalResult>(await call(conn, 'request_password_change', { reason: 'forgot it' }));
    const decided: DecisionResult[] = [];
    const staff = await h.connect(STAFF, { hooks: { approvalDecided: (r) => { decided.push(r); } } });
    const r = await call(staff, 'decide_approval', { approvalId, decision: 'approve' });
    const d = ok<Record<string, unknown>>(r);
    expect(d.outcome).toBe('reset_link_emailed');
    expect(Object.keys(d).sort()).toEqual(['approval', 'customerMessage', 'outcome', 'threadKey']);

    expect(decided[0]?.outcome).toBe('reset_link_emailed');
    expect(JSON.stringify(decided[0])).not.toContain('/reset/');
    const link = await linkInOutbox(h.support, h.repos, `password-reset:${approvalId}`);
    expect(link).toMatch(/^https:\/\/help\.example\.test\/reset\/.+/);
    const token = link.split('/reset/')[1] ?? '';
    expect(token.length).toBeGreaterThan(10);
    const wire = JSON.stringify(r);
    expect(wire).not.toContain(token);
    expect(wire).not.toContain('/reset/');
    expect(wire).not.toMatch(/resetLink|tokenHash/);
    // the link went to the outbox for the email on file, and the token is stored only hashed
    const { resetTokens } = await snapshotOf(h.repos, []);
    expect(resetTokens).toHaveLength(1);
    expect(JSON.stringify(resetTokens)).not.toContain(token.split('.')[2]);
    expect((await systemMails(h.repos)).map((o) => o.payload.to)).toEqual(['alice@example.com']);
    expect(await h.repos.outbox.countPending()).toBe(1);
  });

  it('list_pending_approvals as staff shows the request; after the decision it is gone', async () => {
    const approvalId = await requestDeactivation();
    const staff = await h.connect(STAFF);
    const pending = async () => ok<{ approvals: Array<{ id: string }> }>(await call(staff, 'list_pending_approvals')).approvals.map((a) => a.id);
    expect(await pending()).toContain(approvalId);
    ok(await call(staff, 'decide_approval', { approvalId, decision: 'deny' }));
    expect(await pending()).not.toContain(approvalId);
  });
});
