import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/errors.js';
import type { Approval } from '../../../src/store/schema.js';
import type { Caller } from '../../../src/support/caller.js';
import { postForm } from '../../helpers/slack-sign.js';
import { fakeTools, toolAccountDetails, SECRET, sleep, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const customer = { id: 'cus_001', name: 'Ada Lovelace', email: 'ada@example.com', slackUserId: 'UCUST' };

function pendingApproval(over: Partial<Approval> = {}): Approval {
  const now = Date.now();
  return {
    id: 'apr_1', customerId: 'cus_001', action: 'card_deactivation', cardId: 'card_1', reason: 'I lost my card <!channel> at the station',
    threadKey: 'slack:T0TEAM:D0CUST:1710000000.000100', channel: 'slack', requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(), status: 'pending', ...over,
  };
}

/** Support-like tools: compare-and-set decisions, expiry, the customer's own card list. */
function supportTools(approvals: Map<string, Approval>, executed: string[]) {
  return fakeTools((caller: Caller, name, args) => {
    if (name === 'get_account_details' && caller.kind === 'customer') {
      return toolAccountDetails(caller.customerId, [{ id: 'card_1', brand: 'visa', last4: '4242', status: 'active' }]);
    }
    if (name === 'decide_approval') {
      if (caller.kind !== 'staff') throw new AppError('forbidden', 'This operation is for support staff only.');
      const a = approvals.get(String(args['approvalId']));
      if (!a) throw new AppError('not_found', 'Approval not found.');
      if (a.status === 'pending' && Date.parse(a.expiresAt) < Date.now()) a.status = 'expired';
      if (a.status === 'expired') throw new AppError('expired', 'This approval has expired and can no longer be decided.');
      if (a.status !== 'pending') throw new AppError('already_decided', `This approval was already ${a.status} by ${a.decidedBy?.id}.`);
      a.status = args['decision'] === 'approve' ? 'approved' : 'denied';
      a.decidedBy = { kind: 'staff', id: caller.staffId };
      a.decidedAt = new Date().toISOString();
      if (a.status === 'approved') executed.push(a.id);
      const customerMessage = a.status === 'approved' ? 'Your card ending 4242 has been deactivated.' : 'Your request to deactivate your card was declined.';
      return { approval: a, outcome: a.status === 'approved' ? 'card 4242 deactivated' : 'denied', customerMessage, threadKey: a.threadKey };
    }
    throw new Error(`unexpected tool ${name}`);
  });
}

async function setUp(approval: Approval) {
  const approvals = new Map([[approval.id, approval]]);
  const executed: string[] = [];
  const tools = supportTools(approvals, executed);
  h = await startHarness({ tools, customers: [customer], config: { staffUserIds: ['USTAFF', 'USTAFF2'] } });
  await h.channel.staff.approvalRequested(approval);
  const card = h.fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'CSTAFF');
  if (!card) throw new Error('no card');
  const ts = await cardTs(h);
  return { approvals, executed, tools, card, ts };
}

async function cardTs(hh: Harness): Promise<string> {
  // the channel remembers where it posted the card
  const ref = hh.channel.staff.cardOf('apr_1');
  if (!ref) throw new Error('card ref not remembered');
  return ref.ts;
}

function click(hh: Harness, o: { user: string; actionId: 'approval_approve' | 'approval_deny'; ts: string; blocks: unknown; approvalId?: string }) {
  const payload = {
    type: 'block_actions', team: { id: hh.fake.teamId, domain: 'fake' }, user: { id: o.user, username: o.user, team_id: hh.fake.teamId },
    api_app_id: 'A0APP', token: 'legacy', trigger_id: '123.456', container: { type: 'message', message_ts: o.ts, channel_id: 'CSTAFF', is_ephemeral: false },
    channel: { id: 'CSTAFF', name: 'staff' }, message: { type: 'message', ts: o.ts, text: 'card', blocks: o.blocks },
    response_url: `${hh.fake.baseUrl}/respond/click`,
    actions: [{ type: 'button', action_id: o.actionId, block_id: `approval:${o.approvalId ?? 'apr_1'}`, value: o.approvalId ?? 'apr_1', action_ts: '1710000000.1' }],
  };
  return postForm(hh.url, SECRET, { payload: JSON.stringify(payload) });
}

const flatten = (blocks: unknown) => JSON.stringify(blocks);

describe('approval cards and decisions in Slack', () => {
  it('posts one card per approval with customer, verification, action, last4, words, thread link, expiry and buttons', async () => {
    const { card } = await setUp(pendingApproval());
    const hh = h!;
    await hh.channel.staff.approvalRequested(pendingApproval()); // a repeat does not post a second card
    expect(hh.fake.callsOf('chat.postMessage').filter((c) => c.args['channel'] === 'CSTAFF')).toHaveLength(1);
    const blocks = flatten(card.args['blocks']);
    expect(blocks).toContain('Ada Lovelace');
    expect(blocks).toContain('Slack account linked to the customer record');
    expect(blocks).toContain('Deactivate a card');
    expect(blocks).toContain('visa •••• 4242');
    expect(blocks).toContain('I lost my card &lt;!channel&gt; at the station');
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).toContain('<https://fake.slack.test/archives/D0CUST/p1710000000000100|Open the conversation>');
    expect(blocks).toMatch(/<!date\^\d+\^/);
    const actions = (card.args['blocks'] as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => [e.action_id, e.value])).toEqual([['approval_approve', 'apr_1'], ['approval_deny', 'apr_1']]);
  });

  it('an unfreeze request gets its own card: the action, the frozen card\'s last 4, and the same buttons', async () => {
    const { card } = await setUp(pendingApproval({ action: 'card_unfreeze', reason: 'Found it in my coat' }));
    const blocks = flatten(card.args['blocks']);
    expect(blocks).toContain('Approval needed: Unfreeze a card (the customer froze it)');
    expect(blocks).toContain('visa •••• 4242');
    expect(blocks).not.toContain('Deactivate a card');
    const actions = (card.args['blocks'] as Array<{ type: string; elements?: Array<{ action_id: string }> }>).find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => e.action_id)).toEqual(['approval_approve', 'approval_deny']);
  });

  it('refuses a non-staff click ephemerally and changes nothing; a staff Approve decides once, updates the card and tells the customer', async () => {
    const { approvals, executed, tools, card, ts } = await setUp(pendingApproval());
    const hh = h!;
    const res = await click(hh, { user: 'URANDOM', actionId: 'approval_approve', ts, blocks: card.args['blocks'] });
    expect(res.status).toBe(200);
    const refusal = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral')[0]);
    expect(refusal.args).toMatchObject({ channel: 'CSTAFF', user: 'URANDOM' });
    expect(String(refusal.args['text'])).toMatch(/only helpline support staff/i);
    expect(tools.calls.filter((c) => c.name === 'decide_approval')).toHaveLength(0);
    expect(approvals.get('apr_1')?.status).toBe('pending');
    expect(hh.fake.callsOf('chat.update')).toHaveLength(0);

    await click(hh, { user: 'USTAFF', actionId: 'approval_approve', ts, blocks: card.args['blocks'] });
    const update = await hh.fake.waitFor(() => hh.fake.callsOf('chat.update')[0]);
    expect(executed).toEqual(['apr_1']);
    const decide = tools.calls.find((c) => c.name === 'decide_approval');
    expect(decide).toMatchObject({ caller: { kind: 'staff', staffId: 'USTAFF' }, args: { approvalId: 'apr_1', decision: 'approve' } });
    expect(update.args).toMatchObject({ channel: 'CSTAFF', ts });
    const updated = flatten(update.args['blocks']);
    expect(updated).toContain('Approved');
    expect(updated).toContain('<@USTAFF>');
    expect(updated).not.toContain('approval_approve');
    await hh.fake.waitFor(() => hh.convs.notified.length === 1);
    expect(hh.convs.notified[0]).toEqual({ threadKey: 'slack:T0TEAM:D0CUST:1710000000.000100', text: 'Your card ending 4242 has been deactivated.' });
    const told = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0CUST'));
    expect(told.args).toMatchObject({ thread_ts: '1710000000.000100', text: 'Your card ending 4242 has been deactivated.' });
    expect(tools.sessions.open).toBe(0);
  });

  it('a Deny click denies and tells the customer', async () => {
    const { approvals, executed, card, ts } = await setUp(pendingApproval());
    const hh = h!;
    await click(hh, { user: 'USTAFF', actionId: 'approval_deny', ts, blocks: card.args['blocks'] });
    const update = await hh.fake.waitFor(() => hh.fake.callsOf('chat.update')[0]);
    expect(flatten(update.args['blocks'])).toContain('Denied');
    expect(approvals.get('apr_1')?.status).toBe('denied');
    expect(executed).toEqual([]);
    await hh.fake.waitFor(() => hh.convs.notified.length === 1);
    expect(hh.convs.notified[0]?.text).toMatch(/declined/);
  });

  it('double and concurrent clicks give one decision; the others hear who decided', async () => {
    const { executed, tools, card, ts } = await setUp(pendingApproval());
    const hh = h!;
    await Promise.all([
      click(hh, { user: 'USTAFF', actionId: 'approval_approve', ts, blocks: card.args['blocks'] }),
      click(hh, { user: 'USTAFF', actionId: 'approval_approve', ts, blocks: card.args['blocks'] }),
      click(hh, { user: 'USTAFF2', actionId: 'approval_deny', ts, blocks: card.args['blocks'] }),
    ]);
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral').length === 2);
    await hh.channel.idle();
    expect(executed).toEqual(['apr_1']);
    expect(tools.calls.filter((c) => c.name === 'decide_approval')).toHaveLength(1);
    expect(hh.fake.callsOf('chat.update')).toHaveLength(1);
    expect(hh.convs.notified).toHaveLength(1);
    for (const e of hh.fake.callsOf('chat.postEphemeral')) expect(String(e.args['text'])).toMatch(/already (approved|denied) by <@USTAFF2?>/);
    // a later click still hears it
    await click(hh, { user: 'USTAFF2', actionId: 'approval_approve', ts, blocks: card.args['blocks'] });
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral').length === 3);
    expect(tools.calls.filter((c) => c.name === 'decide_approval')).toHaveLength(1);
  });

  it('an expired approval cannot be approved: the card says so, the clicker is told, nothing is executed', async () => {
    const { approvals, executed, card, ts } = await setUp(pendingApproval({ expiresAt: new Date(Date.now() - 60_000).toISOString() }));
    const hh = h!;
    await click(hh, { user: 'USTAFF', actionId: 'approval_approve', ts, blocks: card.args['blocks'] });
    const eph = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral')[0]);
    expect(String(eph.args['text'])).toMatch(/expired/i);
    const update = await hh.fake.waitFor(() => hh.fake.callsOf('chat.update')[0]);
    expect(flatten(update.args['blocks'])).toContain('Expired');
    expect(flatten(update.args['blocks'])).not.toContain('approval_approve');
    expect(executed).toEqual([]);
    expect(approvals.get('apr_1')?.status).toBe('expired');
    await sleep(50);
    expect(hh.convs.notified).toHaveLength(0);
  });

  it('members of the staff user group may decide; an unreadable group denies', async () => {
    const approval = pendingApproval();
    const approvals = new Map([[approval.id, approval]]);
    const executed: string[] = [];
    h = await startHarness({ tools: supportTools(approvals, executed), customers: [customer], config: { staffUserIds: [], staffUsergroup: 'S0STAFF' } });
    const hh = h;
    await hh.channel.staff.approvalRequested(approval);
    const ts = hh.channel.staff.cardOf('apr_1')?.ts ?? '';
    // group unreadable → denied
    await click(hh, { user: 'UGROUP', actionId: 'approval_approve', ts, blocks: [] });
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral').length === 1);
    expect(approvals.get('apr_1')?.status).toBe('pending');
    hh.fake.usergroups.set('S0STAFF', ['UGROUP']);
    const reads = hh.fake.callsOf('usergroups.users.list').length;
    // right after a failed read: denied again without calling Slack (no call per click during an outage)
    await click(hh, { user: 'UGROUP', actionId: 'approval_approve', ts, blocks: [] });
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral').length === 2);
    expect(hh.fake.callsOf('usergroups.users.list').length).toBe(reads);
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 3_100);
    try {
      await click(hh, { user: 'UGROUP', actionId: 'approval_approve', ts, blocks: [] });
      await hh.fake.waitFor(() => hh.fake.callsOf('chat.update').length === 1);
      expect(approvals.get('apr_1')?.status).toBe('approved');
      expect(hh.channel.staffAuth.isStaffSync('UGROUP')).toBe(true);
      expect(hh.channel.staffAuth.isStaffSync('URANDOM')).toBe(false);
      expect(await hh.channel.staffAuth.isStaff('URANDOM', { fresh: true })).toBe(false);
      expect(hh.fake.callsOf('usergroups.users.list').length).toBe(reads + 1); // a non-member costs no fresh read
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('someone just removed from the staff user group can no longer decide, even while the group is cached', async () => {
    const first = pendingApproval();
    const second = pendingApproval({ id: 'apr_2', cardId: 'card_2' });
    const approvals = new Map([[first.id, first], [second.id, second]]);
    h = await startHarness({ tools: supportTools(approvals, []), customers: [customer], config: { staffUserIds: [], staffUsergroup: 'S0STAFF' } });
    const hh = h;
    hh.fake.usergroups.set('S0STAFF', ['UGROUP']);
    await hh.channel.staff.approvalRequested(first);
    await hh.channel.staff.approvalRequested(second);
    await click(hh, { user: 'UGROUP', actionId: 'approval_approve', ts: hh.channel.staff.cardOf('apr_1')?.ts ?? '', blocks: [] });
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.update').length === 1);
    expect(approvals.get('apr_1')?.status).toBe('approved');
    const reads = hh.fake.callsOf('usergroups.users.list').length;
    hh.fake.usergroups.set('S0STAFF', []); // removed from the group
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 11_000); // 11 s later: past the 10 s a read counts as fresh
    try {
      expect(await hh.channel.staffAuth.isStaff('UGROUP')).toBe(true); // the 5-minute cached list still says staff…
      await click(hh, { user: 'UGROUP', actionId: 'approval_approve', ts: hh.channel.staff.cardOf('apr_2')?.ts ?? '', blocks: [] });
      const eph = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral')[0]);
      expect(String(eph.args['text'])).toMatch(/Only Helpline support staff/); // …but the click is checked against Slack now
      expect(approvals.get('apr_2')?.status).toBe('pending');
      expect(hh.fake.callsOf('usergroups.users.list').length).toBe(reads + 1); // one read for the click, none for the cached check
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a staff check that Slack rate-limits denies after 2 s instead of waiting out the Retry-After', async () => {
    const approval = pendingApproval();
    const approvals = new Map([[approval.id, approval]]);
    h = await startHarness({ tools: supportTools(approvals, []), customers: [customer], config: { staffUserIds: [], staffUsergroup: 'S0STAFF' } });
    const hh = h;
    hh.fake.usergroups.set('S0STAFF', ['UGROUP']);
    expect(await hh.channel.staffAuth.isStaff('UGROUP')).toBe(true);
    hh.fake.script('usergroups.users.list', { status: 429, retryAfter: 30 });
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 11_000);
    try {
      const t0 = performance.now();
      expect(await hh.channel.staffAuth.isStaff('UGROUP', { fresh: true })).toBe(false);
      expect(performance.now() - t0).toBeLessThan(4_000);
      expect(await hh.channel.staffAuth.isStaff('UGROUP')).toBe(true); // the cached list is kept for ordinary checks
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('if the customer cannot be told, the decision still stands and the staff member is asked to follow up', async () => {
    const { approvals, card, ts } = await setUp(pendingApproval());
    const hh = h!;
    hh.convs.port.notifyThread = async () => { throw new Error('thread gone'); };
    await click(hh, { user: 'USTAFF', actionId: 'approval_approve', ts, blocks: card.args['blocks'] });
    const eph = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postEphemeral')[0]);
    expect(String(eph.args['text'])).toMatch(/decision was recorded, but the customer could not be told/);
    expect(approvals.get('apr_1')?.status).toBe('approved');
    expect(hh.fake.callsOf('chat.update')).toHaveLength(1);
  });

  it('alert() posts escaped text to the staff channel', async () => {
    h = await startHarness();
    await h.channel.staff.alert('Store write failed <!here>', { component: 'store' });
    const post = h.fake.callsOf('chat.postMessage')[0];
    expect(post?.args['channel']).toBe('CSTAFF');
    expect(flatten(post?.args['blocks'])).toContain('Store write failed &lt;!here&gt;');
    expect(flatten(post?.args['blocks'])).not.toContain('<!here>');
  });
});
