import { afterEach, describe, expect, it } from 'vitest';
import { postEvent, postForm } from '../../helpers/slack-sign.js';
import { dm, eventBody, mention, nextTs, SECRET, sleep } from './harness.js';
import { startRealStack, type RealStack } from './real-stack.js';

let s: RealStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const posts = (st: RealStack, channel: string) => st.fake.callsOf('chat.postMessage').filter((c) => c.args['channel'] === channel);

function click(st: RealStack, user: string, actionId: string, approvalId: string, ts: string, blocks: unknown) {
  const payload = {
    type: 'block_actions', team: { id: st.fake.teamId }, user: { id: user }, api_app_id: 'A0APP', token: 'legacy', trigger_id: 't',
    container: { type: 'message', message_ts: ts, channel_id: 'CSTAFF' }, channel: { id: 'CSTAFF' }, message: { ts, blocks },
    response_url: `${st.fake.baseUrl}/respond/click`, actions: [{ type: 'button', action_id: actionId, block_id: `approval:${approvalId}`, value: approvalId, action_ts: '1.1' }],
  };
  return postForm(st.url, SECRET, { payload: JSON.stringify(payload) });
}

/** The customer asks in a DM; the turn requests an approval; the card lands in the staff channel. */
async function askToDeactivate(st: RealStack) {
  const body = dm(st.fake, { text: 'Please deactivate my card ending 4242, I lost it' });
  await postEvent(st.url, SECRET, body);
  const card = await st.fake.waitFor(() => posts(st, 'CSTAFF')[0], 10_000);
  const reply = await st.fake.waitFor(() => posts(st, 'D0CUST')[0], 10_000);
  const approval = (await st.db()).approvals[0];
  if (!approval) throw new Error('no approval');
  return { body, card, reply, approval, ts: st.channel.staff.cardOf(approval.id)?.ts ?? '' };
}

describe('Slack end to end with the real support, MCP, agent and conversations', () => {
  it('card deactivation: card in staff channel → non-staff refused → staff Approve → deactivated once, card updated, customer told in thread; a second click hears it was decided', async () => {
    s = await startRealStack();
    const st = s;
    const { body, card, reply, approval, ts } = await askToDeactivate(st);
    expect(reply.args).toMatchObject({ thread_ts: body.event.ts });
    const cardText = JSON.stringify(card.args['blocks']);
    expect(cardText).toContain('Ada Lovelace');
    expect(cardText).toContain('visa •••• 4242');
    expect(cardText).toContain('Slack account linked');
    expect(cardText).toContain(`value":"${approval.id}"`);
    expect(approval).toMatchObject({ status: 'pending', customerId: 'cus_001', cardId: 'card_1', threadKey: `slack:${st.fake.teamId}:D0CUST:${body.event.ts}` });
    expect(approval.staffMessage).toEqual({ channel: 'CSTAFF', ts });
    // asked again (e.g. after a restart), a card already posted is not posted twice
    await st.channel.staff.approvalRequested(approval);
    expect(posts(st, 'CSTAFF')).toHaveLength(1);

    await click(st, 'URANDOM', 'approval_approve', approval.id, ts, card.args['blocks']);
    await st.fake.waitFor(() => st.fake.callsOf('chat.postEphemeral').length === 1);
    await st.channel.idle();
    expect((await st.db()).approvals[0]?.status).toBe('pending');
    expect((await st.db()).cards[0]?.status).toBe('active');

    await click(st, 'USTAFF', 'approval_approve', approval.id, ts, card.args['blocks']);
    const update = await st.fake.waitFor(() => st.fake.callsOf('chat.update')[0]);
    expect(JSON.stringify(update.args['blocks'])).toContain('Approved');
    expect(JSON.stringify(update.args['blocks'])).toContain('<@USTAFF>');
    const told = await st.fake.waitFor(() => posts(st, 'D0CUST').find((c) => /deactivated/i.test(String(c.args['text']))), 10_000);
    expect(told.args['thread_ts']).toBe(body.event.ts);
    const db = (await st.db());
    expect(db.cards[0]?.status).toBe('deactivated');
    expect(db.approvals[0]).toMatchObject({ status: 'approved', decidedBy: { kind: 'staff', id: 'USTAFF' } });

    await click(st, 'USTAFF2', 'approval_deny', approval.id, ts, card.args['blocks']);
    await st.fake.waitFor(() => st.fake.callsOf('chat.postEphemeral').length === 2);
    await st.channel.idle();
    expect(String(st.fake.callsOf('chat.postEphemeral')[1]?.args['text'])).toMatch(/already approved by <@USTAFF>/);
    expect((await st.db()).approvals[0]?.status).toBe('approved');
    expect(st.fake.callsOf('chat.update')).toHaveLength(1);
    expect((await st.db()).audit.filter((a) => /deactivat/i.test(a.action))).toHaveLength(1);
  });

  it('four eyes: staff whose Slack-verified email is the customer\'s cannot approve; another staff member can', async () => {
    s = await startRealStack();
    const st = s;
    // USTAFF's Slack profile carries Ada's address, verified by Slack: the same person as the customer
    st.fake.users.set('USTAFF', { id: 'USTAFF', is_email_confirmed: true, profile: { email: 'Ada@Example.com' } });
    const { card, approval, ts } = await askToDeactivate(st);
    await click(st, 'USTAFF', 'approval_approve', approval.id, ts, card.args['blocks']);
    const eph = await st.fake.waitFor(() => st.fake.callsOf('chat.postEphemeral')[0]);
    await st.channel.idle();
    expect(String(eph.args['text'])).toMatch(/your own request; another staff member must decide/);
    expect((await st.db()).approvals[0]?.status).toBe('pending');
    expect((await st.db()).cards[0]?.status).toBe('active');
    await click(st, 'USTAFF2', 'approval_approve', approval.id, ts, card.args['blocks']);
    await st.fake.waitFor(async () => (await st.db()).approvals[0]?.status === 'approved' || undefined);
    await st.channel.idle();
    expect((await st.db()).cards[0]?.status).toBe('deactivated');
  });

  it('Deny: nothing changes on the account and the customer is told', async () => {
    s = await startRealStack();
    const st = s;
    const { body, card, approval, ts } = await askToDeactivate(st);
    await click(st, 'USTAFF', 'approval_deny', approval.id, ts, card.args['blocks']);
    const update = await st.fake.waitFor(() => st.fake.callsOf('chat.update')[0]);
    expect(JSON.stringify(update.args['blocks'])).toContain('Denied');
    await st.fake.waitFor(() => posts(st, 'D0CUST').length >= 2, 10_000);
    await st.channel.idle();
    expect(posts(st, 'D0CUST').at(-1)?.args['thread_ts']).toBe(body.event.ts);
    expect((await st.db()).cards[0]?.status).toBe('active');
    expect((await st.db()).approvals[0]?.status).toBe('denied');
  });

  it('an expired approval cannot be approved', async () => {
    s = await startRealStack();
    const st = s;
    const { card, approval, ts } = await askToDeactivate(st);
    st.advance(2 * 3600_000);
    await click(st, 'USTAFF', 'approval_approve', approval.id, ts, card.args['blocks']);
    const eph = await st.fake.waitFor(() => st.fake.callsOf('chat.postEphemeral')[0]);
    expect(String(eph.args['text'])).toMatch(/expired/i);
    const update = await st.fake.waitFor(() => st.fake.callsOf('chat.update')[0]);
    expect(JSON.stringify(update.args['blocks'])).toContain('Expired');
    expect((await st.db()).cards[0]?.status).toBe('active');
    expect((await st.db()).approvals[0]?.status).not.toBe('approved');
  });

  it('the same event delivered four times runs one model turn and posts one reply', async () => {
    s = await startRealStack();
    const st = s;
    const body = dm(st.fake, { text: 'what is the weather like' });
    for (let retry = 0; retry < 4; retry += 1) await postEvent(st.url, SECRET, body, retry ? { retryNum: retry } : {});
    const reply = await st.fake.waitFor(() => posts(st, 'D0CUST')[0], 10_000);
    await st.conversations.drain();
    await st.channel.idle();
    await sleep(100);
    expect(st.requests).toHaveLength(1);
    expect(posts(st, 'D0CUST')).toHaveLength(1);
    expect(String(reply.args['text'])).toContain('what is the weather like');
  });

  it('a channel mention gets a threaded reply, and a reply in that thread continues the same conversation', async () => {
    s = await startRealStack();
    const st = s;
    const root = mention(st.fake, { text: 'first question' });
    await postEvent(st.url, SECRET, root);
    await st.fake.waitFor(() => posts(st, 'C0GEN').length === 1, 10_000);
    const follow = eventBody(st.fake, { type: 'message', channel: 'C0GEN', channel_type: 'channel', user: 'UCUST', text: 'second question', ts: nextTs(), thread_ts: root.event.ts, client_msg_id: 'cm-second', team: st.fake.teamId });
    await postEvent(st.url, SECRET, follow);
    await st.fake.waitFor(() => posts(st, 'C0GEN').length === 2, 10_000);
    for (const p of posts(st, 'C0GEN')) expect(p.args['thread_ts']).toBe(root.event.ts);
    const key = `slack:${st.fake.teamId}:C0GEN:${root.event.ts}`;
    const convo = (await st.db()).conversations.find((c) => c.threadKey === key);
    // In a channel thread even a known customer is anonymous: account business only in a DM.
    expect(convo?.callerKind).toBe('anonymous');
    expect(convo?.customerId).toBeUndefined();
    const said = JSON.stringify(convo?.messages);
    expect(said).toContain('first question');
    expect(said).toContain('second question');
    expect((await st.db()).conversations.map((c) => c.threadKey)).toEqual([key]);
  });

  it('in a channel thread nobody gets account tools, so nothing private is posted where others read it', async () => {
    s = await startRealStack();
    const st = s;
    const root = mention(st.fake, { text: 'please deactivate my card 4242' });
    await postEvent(st.url, SECRET, root);
    await st.fake.waitFor(() => posts(st, 'C0GEN').length === 1, 10_000);
    const req = st.requests.at(-1)!;
    const toolNames = req.tools.map((t) => t.name).sort();
    expect(toolNames).toEqual(['create_ticket', 'search_knowledge_base']);
    expect(JSON.stringify(req.messages)).toContain('direct message');
    expect((await st.db()).approvals).toHaveLength(0);
    // The same customer in a DM gets their account tools.
    await postEvent(st.url, SECRET, dm(st.fake, { text: 'hello' }));
    await st.fake.waitFor(() => st.fake.callsOf('chat.postMessage').some((c) => c.args['channel'] === 'D0CUST'), 10_000);
    expect(st.requests.at(-1)!.tools.map((t) => t.name)).toContain('request_card_deactivation');
  });

  it('/ticket with real tools: a customer sees only their own tickets; staff see any with history', async () => {
    s = await startRealStack();
    const st = s;
    const cmd = async (user: string, text: string) => {
      const n = st.fake.callsOf('response_url').length;
      await postForm(st.url, SECRET, { team_id: st.fake.teamId, channel_id: 'C0GEN', user_id: user, command: '/ticket', text, response_url: `${st.fake.baseUrl}/respond/${user}`, trigger_id: 't', api_app_id: 'A0APP', token: 'legacy' });
      const r = await st.fake.waitFor(() => st.fake.callsOf('response_url')[n], 10_000);
      return JSON.stringify(r.args['blocks']);
    };
    const mine = await cmd('UCUST', 'list');
    expect(mine).toContain('T-1001');
    expect(mine).not.toContain('T-1002');
    const other = await cmd('UCUST', 'T-1002');
    expect(other).not.toContain('Bob private matter');
    expect(other).toContain('No ticket T-1002 was found');
    const staffView = await cmd('USTAFF', 'T-1002');
    expect(staffView).toContain('Bob private matter');
    expect(staffView).toContain('History');
    await cmd('USTAFF', 'resolve T-1002 sorted by phone');
    expect((await st.db()).tickets.find((t) => t.id === 'T-1002')?.status).toBe('resolved');
  });
});
