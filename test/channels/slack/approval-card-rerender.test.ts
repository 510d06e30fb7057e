/**
 * Approval clicks whose payload carries no `message.blocks` (Slack omits them in some clients and for some
 * containers): the staff card is re-rendered from the stored approval, never cut down to the outcome line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import type { Approval } from '../../../src/store/schema.js';
import type { Caller } from '../../../src/support/caller.js';
import { postEvent, postForm } from '../../helpers/slack-sign.js';
import { dm, fakeTools, toolAccountDetails, SECRET, startHarness, type Harness } from './harness.js';
import { startRealStack, type RealStack } from './real-stack.js';

let h: Harness | undefined;
let s: RealStack | undefined;
afterEach(async () => {
  await h?.stop();
  await s?.stop();
  h = undefined;
  s = undefined;
});

const customer = { id: 'cus_001', name: 'Ada Lovelace', email: 'ada@example.com', slackUserId: 'UCUST' };

function approvalRecord(over: Partial<Approval> = {}): Approval {
  const now = Date.now();
  return {
    id: 'apr_1', customerId: 'cus_001', action: 'card_deactivation', cardId: 'card_1', reason: 'Lost my card at the station',
    threadKey: 'slack:T0TEAM:D0CUST:1710000000.000100', channel: 'slack', requestedAt: new Date(now - 60_000).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(), status: 'pending', ...over,
  };
}

function tools(approvals: Map<string, Approval>) {
  return fakeTools((caller: Caller, name, args) => {
    if (name === 'get_account_details') return toolAccountDetails('cus_001', [{ id: 'card_1', brand: 'visa', last4: '4242', status: 'active' }]);
    if (name === 'decide_approval' && caller.kind === 'staff') {
      const a = approvals.get(String(args['approvalId']));
      if (!a) throw new AppError('not_found', 'Approval not found.');
      if (a.status === 'pending' && Date.parse(a.expiresAt) < Date.now()) a.status = 'expired';
      if (a.status === 'expired') throw new AppError('expired', 'This approval has expired and can no longer be decided.');
      if (a.status !== 'pending') throw new AppError('already_decided', `This approval was already ${a.status}.`);
      Object.assign(a, { status: 'approved', decidedBy: { kind: 'staff', id: caller.staffId }, decidedAt: new Date().toISOString(), outcome: 'card 4242 deactivated' });
      return { approval: a, outcome: 'card 4242 deactivated', customerMessage: 'Your card ending 4242 has been deactivated.', threadKey: a.threadKey };
    }
    throw new Error(`unexpected tool ${name}`);
  });
}

/** A click as Slack sends it when the message's blocks are not included: only the container says where the card is. */
function bareClick(url: string, team: string, o: { user: string; ts: string; withMessage?: boolean }) {
  const payload: Record<string, unknown> = {
    type: 'block_actions', team: { id: team }, user: { id: o.user }, api_app_id: 'A0APP', token: 'legacy', trigger_id: 't',
    container: { type: 'message', message_ts: o.ts, channel_id: 'CSTAFF', is_ephemeral: false },
    actions: [{ type: 'button', action_id: 'approval_approve', block_id: 'approval:apr_1', value: 'apr_1', action_ts: '1710000000.1' }],
  };
  if (o.withMessage) payload['message'] = { type: 'message', ts: o.ts, text: 'card' }; // a message, but no blocks
  return postForm(url, SECRET, { payload: JSON.stringify(payload) });
}

function expectFullCard(blocks: unknown, outcome: RegExp): void {
  const text = JSON.stringify(blocks);
  expect(text).toContain('Ada Lovelace');
  expect(text).toContain('Deactivate a card');
  expect(text).toContain('visa •••• 4242');
  expect(text).toContain('Lost my card at the station');
  expect(text).toMatch(outcome);
  expect(text).not.toContain('approval_approve');
}

describe('approval cards re-rendered from the stored approval', () => {
  it.each([false, true])('an Approve click without message blocks keeps the customer and request on the card (message present: %s)', async (withMessage) => {
    const approvals = new Map([['apr_1', approvalRecord()]]);
    h = await startHarness({ tools: tools(approvals), customers: [customer] });
    const hh = h;
    await hh.channel.staff.approvalRequested(approvalRecord());
    const ts = hh.channel.staff.cardOf('apr_1')?.ts ?? '';
    expect((await bareClick(hh.url, hh.fake.teamId, { user: 'USTAFF', ts, withMessage })).status).toBe(200);
    const update = await hh.fake.waitFor(() => hh.fake.callsOf('chat.update')[0]);
    expect(update.args).toMatchObject({ channel: 'CSTAFF', ts });
    expectFullCard(update.args['blocks'], /Approved\* by <@USTAFF>.*card 4242 deactivated/);
  });

  it('after a restart, an expired approval\'s card is re-rendered from the store with the customer and request', async () => {
    const stored = approvalRecord({ expiresAt: new Date(Date.now() - 60_000).toISOString(), staffMessage: { channel: 'CSTAFF', ts: '1710000999.000100' } });
    const approvals = new Map([['apr_1', stored]]);
    // a fresh process: it never posted the card; only the store knows the approval
    h = await startHarness({ tools: tools(approvals), customers: [customer], deps: { readApproval: async (id) => structuredClone(approvals.get(id)) } });
    const hh = h;
    await bareClick(hh.url, hh.fake.teamId, { user: 'USTAFF', ts: '1710000999.000100' });
    const update = await hh.fake.waitFor(() => hh.fake.callsOf('chat.update')[0]);
    expectFullCard(update.args['blocks'], /Expired/);
    const eph = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral')[0]);
    expect(String(eph.args['text'])).toMatch(/expired/i);
  });

  it('after a restart, a click on an already decided approval shows the stored decision on the full card', async () => {
    const stored = approvalRecord({ status: 'approved', decidedBy: { kind: 'staff', id: 'USTAFF2' }, decidedAt: new Date().toISOString(), outcome: 'card 4242 deactivated' });
    const approvals = new Map([['apr_1', stored]]);
    h = await startHarness({ tools: tools(approvals), customers: [customer], deps: { readApproval: async (id) => structuredClone(approvals.get(id)) } });
    const hh = h;
    await bareClick(hh.url, hh.fake.teamId, { user: 'USTAFF', ts: '1710000999.000200' });
    const update = await hh.fake.waitFor(() => hh.fake.callsOf('chat.update')[0]);
    expectFullCard(update.args['blocks'], /Approved\* by <@USTAFF2>/);
  });

  it('with nothing stored to render from, the card is left as it is (never cut down)', async () => {
    const approvals = new Map([['apr_1', approvalRecord({ status: 'denied' })]]);
    h = await startHarness({ tools: tools(approvals), customers: [customer] });
    const hh = h;
    await bareClick(hh.url, hh.fake.teamId, { user: 'USTAFF', ts: '1710000999.000300' });
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral')[0]);
    await hh.channel.idle();
    expect(hh.fake.callsOf('chat.update')).toHaveLength(0);
  });

  it('end to end: a real approval decided by a click without blocks keeps its full card', async () => {
    s = await startRealStack();
    const st = s;
    await postEvent(st.url, SECRET, dm(st.fake, { text: 'Please deactivate my card ending 4242, I lost it' }));
    await st.fake.waitFor(() => st.fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'CSTAFF'), 10_000);
    const approval = (await st.db()).approvals[0]!;
    const ts = (await st.fake.waitFor(() => st.channel.staff.cardOf(approval.id))).ts;
    const payload = {
      type: 'block_actions', team: { id: st.fake.teamId }, user: { id: 'USTAFF' }, container: { type: 'message', message_ts: ts, channel_id: 'CSTAFF' },
      actions: [{ type: 'button', action_id: 'approval_approve', block_id: `approval:${approval.id}`, value: approval.id }],
    };
    expect((await postForm(st.url, SECRET, { payload: JSON.stringify(payload) })).status).toBe(200);
    const update = await st.fake.waitFor(() => st.fake.callsOf('chat.update')[0], 10_000);
    const text = JSON.stringify(update.args['blocks']);
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('visa •••• 4242');
    expect(text).toContain('Approved');
    expect((await st.db()).cards[0]?.status).toBe('deactivated');
  });
});
