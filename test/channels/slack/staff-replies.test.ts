/**
 * Staff replies reach the customer, through Slack as people use it (real Bolt over signed HTTP, real support, MCP,
 * agent and conversations, fake Slack Web API on 127.0.0.1): `/ticket reply` and a drafted reply's Send post into
 * the customer's thread once, recorded on the ticket; internal notes post nothing; failures and tickets no channel
 * reaches are recorded and the staff member is told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelPort, ModelRequest, ModelResponse } from '../../../src/agent/model.js';
import { postEvent, postForm } from '../../helpers/slack-sign.js';
import { dm, SECRET } from './harness.js';
import { startRealStack, type RealStack, type RealStackOptions } from './real-stack.js';

let s: RealStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const usage = { input_tokens: 10, output_tokens: 5 };
const CUSTOMER_TS = '1700000000.000100';

/** A staff-session model: "draft public|internal T-… text" becomes a respond_to_ticket call (drafted in a staff session). */
function draftingModel(): ModelPort {
  return {
    name: 'drafting (test)',
    async createMessage(req: ModelRequest): Promise<ModelResponse> {
      const last = req.messages.at(-1)?.content ?? [];
      if (last.some((b) => b.type === 'tool_result')) return { content: [{ type: 'text', text: 'A draft is waiting for you.' }], stop_reason: 'end_turn', usage };
      const said = last.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(' ');
      const m = /draft (public|internal) (T-\d+) (.+)$/s.exec(said);
      if (!m) return { content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage };
      return {
        content: [{ type: 'tool_use', id: 'tu_1', name: 'respond_to_ticket', input: { ticketId: m[2], message: m[3], visibility: m[1] } }],
        stop_reason: 'tool_use', usage,
      };
    },
  };
}

async function stack(opts: RealStackOptions = {}): Promise<RealStack> {
  s = await startRealStack({ model: draftingModel(), ...opts });
  return s;
}

/** A ticket Ada opened from her Slack DM thread (D0CUST), or one staff opened for her with no conversation. */
async function adaTicket(st: RealStack, thread = true): Promise<string> {
  const where = thread ? { channel: 'slack' as const, threadKey: `slack:${st.fake.teamId}:D0CUST:${CUSTOMER_TS}` } : { channel: 'slack' as const };
  const t = await st.support.tickets.create({ kind: 'customer', customerId: 'cus_001' }, where, { subject: 'Card declined', description: 'My card is declined at the station' });
  return t.id;
}

const customerPosts = (st: RealStack) => st.fake.callsOf('chat.postMessage').filter((c) => c.args['channel'] === 'D0CUST');
const lastMessage = async (st: RealStack, id: string) => (await st.db()).tickets.find((t) => t.id === id)?.messages.at(-1);

async function ticketCommand(st: RealStack, user: string, text: string): Promise<string> {
  const before = st.fake.callsOf('response_url').length;
  const res = await postForm(st.url, SECRET, {
    token: 'legacy', team_id: st.fake.teamId, team_domain: 'fake', channel_id: 'C0GEN', channel_name: 'general', user_id: user, user_name: user,
    command: '/ticket', text, api_app_id: 'A0APP', response_url: `${st.fake.baseUrl}/respond/${user}`, trigger_id: `trig-${user}`,
  });
  expect(res.status).toBe(200);
  const r = await st.fake.waitFor(() => st.fake.callsOf('response_url')[before], 10_000);
  return String(r.args['text']);
}

const cards = (st: RealStack) => st.fake.callsOf('chat.postMessage').filter((c) => c.args['channel'] === 'D0STAFF' && JSON.stringify(c.args['blocks'] ?? []).includes('draft_send'));

async function draft(st: RealStack, text: string): Promise<{ id: string; ts: string; blocks: string }> {
  const n = cards(st).length;
  await postEvent(st.url, SECRET, dm(st.fake, { user: 'USTAFF', channel: 'D0STAFF', text }));
  const card = await st.fake.waitFor(() => cards(st)[n], 15_000);
  await st.channel.idle();
  const d = (await st.db()).drafts.at(-1);
  if (!d?.staffMessage) throw new Error('draft card not stored');
  return { id: d.id, ts: d.staffMessage.ts, blocks: JSON.stringify(card.args['blocks']) };
}

function click(st: RealStack, user: string, draftId: string, ts: string) {
  const payload = {
    type: 'block_actions', team: { id: st.fake.teamId }, user: { id: user }, api_app_id: 'A0APP', token: 'legacy', trigger_id: `trig-${draftId}`,
    container: { type: 'message', message_ts: ts, channel_id: 'D0STAFF' }, channel: { id: 'D0STAFF' }, message: { ts, blocks: [] },
    actions: [{ type: 'button', action_id: 'draft_send', block_id: `draft:${draftId}`, value: draftId, action_ts: '1.1' }],
  };
  return postForm(st.url, SECRET, { payload: JSON.stringify(payload) });
}

describe('staff replies reach the customer through Slack', () => {
  it('/ticket reply posts into the customer\'s thread, records the delivery, and /ticket shows it to staff', async () => {
    const st = await stack();
    const id = await adaTicket(st);
    const answer = await ticketCommand(st, 'USTAFF', `reply ${id} We lifted the block; please try again.`);
    expect(answer).toContain(`Public reply saved on ${id}.`);
    expect(answer).toContain('Sent to the customer in their Slack thread.');
    const posts = customerPosts(st);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.args).toMatchObject({ channel: 'D0CUST', thread_ts: CUSTOMER_TS });
    expect(String(posts[0]?.args['text'])).toContain(`Reply from our support team on ticket ${id}:`);
    expect(String(posts[0]?.args['text'])).toContain('We lifted the block; please try again.');
    expect(await lastMessage(st, id)).toMatchObject({ visibility: 'public', author: { kind: 'staff', id: 'USTAFF' }, delivery: { status: 'delivered', channel: 'slack' } });
    const view = await ticketCommand(st, 'USTAFF', id);
    expect(view).toContain('delivered to their Slack thread');
    // the customer's own view of the ticket carries no delivery bookkeeping
    const mine = await st.support.tickets.get({ kind: 'customer', customerId: 'cus_001' }, id);
    expect(mine.messages.every((m) => m.delivery === undefined)).toBe(true);
  });

  it('/ticket note stays internal: nothing is posted to the customer', async () => {
    const st = await stack();
    const id = await adaTicket(st);
    const answer = await ticketCommand(st, 'USTAFF', `note ${id} rang the customer, voicemail`);
    expect(answer).toContain('Internal note added');
    await st.channel.idle();
    expect(customerPosts(st)).toEqual([]);
    expect(await lastMessage(st, id)).toMatchObject({ visibility: 'internal', body: 'rang the customer, voicemail' });
    expect((await lastMessage(st, id))?.delivery).toBeUndefined();
  });

  it('a drafted public reply says where it goes before Send, and two clicks deliver it once', async () => {
    const st = await stack();
    const id = await adaTicket(st);
    const d = await draft(st, `draft public ${id} Your replacement card is on its way.`);
    expect(d.blocks).toContain('Public reply — will be sent to the customer via their Slack thread');
    expect(customerPosts(st)).toEqual([]);
    await Promise.all([click(st, 'USTAFF', d.id, d.ts), click(st, 'USTAFF2', d.id, d.ts)]);
    await st.fake.waitFor(() => st.fake.callsOf('chat.update').some((c) => JSON.stringify(c.args['blocks']).includes('Sent to the customer')) || undefined, 10_000);
    await st.fake.waitFor(() => st.fake.callsOf('chat.postEphemeral').length >= 1 || undefined);
    await st.channel.idle();
    const posts = customerPosts(st);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.args).toMatchObject({ channel: 'D0CUST', thread_ts: CUSTOMER_TS });
    expect(String(posts[0]?.args['text'])).toContain(`Reply from our support team on ticket ${id}:`);
    // The second click lands after the first one's send (memory engine: one operation at a time) or during it (PostgreSQL).
    expect(String(st.fake.callsOf('chat.postEphemeral')[0]?.args['text'])).toMatch(/already (sent|being sent) by USTAFF2?\./);
    const ticket = (await st.db()).tickets.find((t) => t.id === id);
    expect(ticket?.messages.filter((m) => m.author.kind === 'staff')).toHaveLength(1);
    expect((await lastMessage(st, id))?.delivery).toMatchObject({ status: 'delivered', channel: 'slack' });
  });

  it('a drafted internal note says "staff only" and Send posts nothing to the customer', async () => {
    const st = await stack();
    const id = await adaTicket(st);
    const d = await draft(st, `draft internal ${id} Customer sounded upset; check fraud flags.`);
    expect(d.blocks).toContain('Internal note — staff only.');
    expect(d.blocks).not.toContain('Public reply');
    await click(st, 'USTAFF', d.id, d.ts);
    await st.fake.waitFor(() => st.fake.callsOf('chat.update')[0], 10_000);
    await st.channel.idle();
    expect(customerPosts(st)).toEqual([]);
    expect(await lastMessage(st, id)).toMatchObject({ visibility: 'internal' });
    expect((await lastMessage(st, id))?.delivery).toBeUndefined();
  });

  it('a thread Slack refuses is recorded as a failed delivery and the staff member is told', async () => {
    const st = await stack();
    const id = await adaTicket(st);
    st.fake.script('chat.postMessage', { body: { ok: false, error: 'channel_not_found' }, times: 5, when: (a) => a['channel'] === 'D0CUST' });
    const answer = await ticketCommand(st, 'USTAFF', `reply ${id} Are you still there?`);
    expect(answer).toContain(`Saved on ${id}, but it could not be delivered to the customer`);
    expect(answer).not.toContain('Sent to the customer');
    expect((await lastMessage(st, id))?.delivery).toMatchObject({ status: 'failed', reason: expect.stringContaining('channel_not_found') });
    expect(await ticketCommand(st, 'USTAFF', id)).toContain('NOT delivered, failed');
  });

  it('a ticket with no conversation and no email channel: the card warns first, Send saves it and says it reached no one', async () => {
    const st = await stack({ email: false });
    const id = await adaTicket(st, false);
    const d = await draft(st, `draft public ${id} We refunded the fee.`);
    expect(d.blocks).toContain('Public reply — but the customer has no channel to receive it');
    await click(st, 'USTAFF', d.id, d.ts);
    const eph = await st.fake.waitFor(() => st.fake.callsOf('chat.postEphemeral')[0], 10_000);
    await st.channel.idle();
    expect(String(eph.args['text'])).toContain(`Saved on ${id}, but the customer has no channel to receive it`);
    expect(JSON.stringify(st.fake.callsOf('chat.update')[0]?.args['blocks'])).toContain('no channel to receive it');
    expect(st.fake.callsOf('chat.postMessage').filter((c) => c.args['channel'] !== 'D0STAFF')).toEqual([]);
    expect((await lastMessage(st, id))?.delivery).toMatchObject({ status: 'undeliverable' });
  });
});
