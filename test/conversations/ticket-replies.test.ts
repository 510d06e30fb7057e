/**
 * Staff replies reach the customer (src/conversations/ticket-replies.ts) through the real conversations (notifyThread
 * into a recording channel), the real support layer and the memory store: once each, framed, recorded on the ticket.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createConversations } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { createReplySweep } from '../../src/conversations/reply-sweep.js';
import { createTicketReplies, deliverForStaff } from '../../src/conversations/ticket-replies.js';
import { emptyDb, type Db } from '../../src/store/schema.js';
import { createSupport } from '../../src/support/index.js';
import { convConfig, fakeAgent, fakeConnect, recordingDelivery, until } from './fakes.js';
import { reposFor, storedRows } from '../helpers/test-engine.js';

const STAFF = { kind: 'staff' as const, staffId: 'USTAFF' };
const THREAD = 'slack:T1:D0CUST:1700000000.000100';

function seed(): Db {
  const db = emptyDb();
  const at = '2026-01-01T00:00:00.000Z';
  db.customers.push({ id: 'cus_001', name: 'Ada', email: 'ada@example.com', createdAt: at, address: { line1: '1 Main St', city: 'London', postalCode: 'N1 1AA', country: 'GB' } });
  return db;
}

async function setup(opts: { email?: boolean; clock?: () => Date; replySweepMs?: number } = {}) {
  const repos = await reposFor(seed());
  const clock = opts.clock ?? (() => new Date());
  const support = createSupport({ repos, kbDir: 'data/kb', staff: { isStaff: (id) => id === 'USTAFF' }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1', clock, resetDelivery: opts.email ?? false });
  const slack = recordingDelivery();
  const { agent, state } = fakeAgent();
  const conv = createConversations({
    repos, agent, connectTools: fakeConnect(), channels: channelPorts({ slack }), config: convConfig(), log: silentLogger(), clock,
    deliveryRetryMs: 1, sweepEveryMs: 0, email: opts.email ?? false, replySweepMs: opts.replySweepMs,
  });
  const ticket = (threadKey?: string) => support.tickets.create({ kind: 'customer', customerId: 'cus_001' }, { channel: 'slack', ...(threadKey ? { threadKey } : {}) }, { subject: 'Card declined', description: 'My card is declined' });
  return { repos, support, slack, conv, state, ticket };
}

describe('staff replies reach the customer', () => {
  it('delivers a public reply into the ticket\'s thread once, in a fixed frame, and records it on the message', async () => {
    const s = await setup();
    const t = await s.ticket(THREAD);
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'We lifted the block.', visibility: 'public' });
    expect((await s.repos.tickets.get(t.id))?.messages.at(-1)?.delivery?.status).toBe('pending');
    const done = await s.conv.deliverStaffReplies(t.id);
    expect(done).toHaveLength(1);
    expect(done[0]?.notice).toBe('Sent to the customer in their Slack thread.');
    expect(s.slack.sent).toEqual([{ threadKey: THREAD, reply: expect.objectContaining({ kind: 'notice', text: `Reply from our support team on ticket ${t.id}:\n\nWe lifted the block.` }) }]);
    const stored = (await s.repos.tickets.get(t.id))?.messages.at(-1);
    expect(stored?.delivery).toMatchObject({ status: 'delivered', channel: 'slack', threadKey: THREAD });
    // the customer's conversation knows what staff told them
    expect(s.state.notes.map((n) => n.threadKey)).toEqual([THREAD]);
    // nothing waits any more: a second call (a retried click) posts nothing
    expect(await s.conv.deliverStaffReplies(t.id)).toEqual([]);
    expect(s.slack.sent).toHaveLength(1);
  });

  it('concurrent deliveries of the same reply (two clicks, two instances) post it once', async () => {
    const s = await setup();
    const t = await s.ticket(THREAD);
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Once only', visibility: 'public' });
    const other = createTicketReplies({ repos: s.repos, notifyThread: (k, text, o) => s.conv.notifyThread(k, text, o), email: false, now: () => new Date(), log: silentLogger() });
    const results = await Promise.all([...Array.from({ length: 4 }, () => s.conv.deliverStaffReplies(t.id)), other.deliver(t.id), other.deliver(t.id)]);
    expect(results.flat()).toHaveLength(1);
    expect(s.slack.sent).toHaveLength(1);
  });

  it('never delivers an internal note', async () => {
    const s = await setup({ email: true });
    const t = await s.ticket(THREAD);
    const noThread = await s.ticket();
    for (const id of [t.id, noThread.id]) {
      await s.support.tickets.respond(STAFF, { ticketId: id, message: 'staff eyes only', visibility: 'internal' });
      expect(await s.conv.deliverStaffReplies(id)).toEqual([]);
      expect((await s.repos.tickets.get(id))?.messages.at(-1)?.delivery).toBeUndefined();
    }
    expect(s.slack.sent).toEqual([]);
    expect((await storedRows(s.repos)).outbox).toEqual([]);
  });

  it('records a channel that refuses the reply as failed, and says so to staff', async () => {
    const s = await setup();
    const t = await s.ticket(THREAD);
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Hello', visibility: 'public' });
    s.slack.failNext = 10;
    const [r] = await deliverForStaff(s.conv, t.id, silentLogger());
    expect(r?.reached).toBe(false);
    expect(r?.text).toMatch(new RegExp(`^Saved on ${t.id}, but it could not be delivered to the customer \\(.*channel down.*\\)`));
    expect((await s.repos.tickets.get(t.id))?.messages.at(-1)?.delivery).toMatchObject({ status: 'failed', reason: expect.stringContaining('channel down') });
    // a thread no running channel owns fails the same way
    const email = await s.ticket('email:<root@example.com>');
    await s.support.tickets.respond(STAFF, { ticketId: email.id, message: 'Hi', visibility: 'public' });
    expect((await s.conv.deliverStaffReplies(email.id))[0]?.delivery).toMatchObject({ status: 'failed', reason: expect.stringMatching(/No channel delivers threads of kind 'email'/) });
  });

  it('emails a ticket without a conversation when email runs: one mail per reply, "Re: [T-…] subject"', async () => {
    const s = await setup({ email: true });
    const t = await s.ticket();
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Your new card is on its way.', visibility: 'public' });
    const [r] = await s.conv.deliverStaffReplies(t.id);
    expect(r?.delivery).toMatchObject({ status: 'queued', channel: 'email', to: 'a…@example.com' });
    expect(r?.notice).toBe('Emailed to the customer at a…@example.com (queued for sending).');
    const mails = (await storedRows(s.repos)).outbox;
    expect(mails).toHaveLength(1);
    expect(mails[0]?.payload).toMatchObject({ kind: 'system', to: 'ada@example.com', subject: `Re: [${t.id}] Card declined` });
    expect(String(mails[0]?.payload['text'])).toContain(`Reply from our support team on ticket ${t.id}:\n\nYour new card is on its way.`);
  });

  it('a staff view shows what became of an emailed reply: queued, then delivered when sent, or failed with the reason', async () => {
    const s = await setup({ email: true });
    const t = await s.ticket();
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'First', visibility: 'public' });
    await s.conv.deliverStaffReplies(t.id);
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Second', visibility: 'public' });
    await s.conv.deliverStaffReplies(t.id);
    const viewed = async () => (await s.support.tickets.get(STAFF, t.id)).messages.filter((m) => m.delivery).map((m) => m.delivery?.status);
    expect(await viewed()).toEqual(['queued', 'queued']);
    // The outbox worker's side: the first goes out, the second is refused for good.
    const at = '2026-03-01T10:05:00.000Z';
    const [first, second] = await s.repos.outbox.claimDue({ now: '2999-01-01T00:00:00.000Z', limit: 10, holder: 'worker', leaseMs: 60_000 });
    expect(await s.repos.outbox.markSent(first!.id, 'worker', at)).toBe(true);
    expect(await s.repos.outbox.markFailed(second!.id, 'worker', { error: '550 5.1.1 mailbox unavailable' })).toBe(true);
    const view = await s.support.tickets.get(STAFF, t.id);
    expect(view.messages.filter((m) => m.delivery).map((m) => m.delivery)).toEqual([
      expect.objectContaining({ status: 'delivered', at, to: 'a…@example.com' }),
      expect.objectContaining({ status: 'failed', reason: '550 5.1.1 mailbox unavailable' }),
    ]);
    // The customer's own view never shows delivery state.
    expect((await s.support.tickets.get({ kind: 'customer', customerId: 'cus_001' }, t.id)).messages.some((m) => 'delivery' in m)).toBe(false);
  });

  it('without a conversation or email, saves the reply, records "undeliverable" and tells staff plainly', async () => {
    const s = await setup({ email: false });
    const t = await s.ticket();
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Hello', visibility: 'public' });
    const [r] = await deliverForStaff(s.conv, t.id, silentLogger());
    expect(r).toEqual({ reached: false, text: `Saved on ${t.id}, but the customer has no channel to receive it (no conversation, and email is not configured). Please contact them another way.` });
    expect((await s.repos.tickets.get(t.id))?.messages.at(-1)?.delivery).toMatchObject({ status: 'undeliverable' });
    expect(s.slack.sent).toEqual([]);
    expect((await storedRows(s.repos)).outbox).toEqual([]);
  });

  it('the sweep delivers replies left waiting past the grace period (a crash, another process), and only those', async () => {
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    const s = await setup({ clock: () => new Date(now) });
    const t = await s.ticket(THREAD);
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Left behind', visibility: 'public' });
    now += 30_000;
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Just sent', visibility: 'public' });
    const replies = createTicketReplies({ repos: s.repos, notifyThread: (k, text, o) => s.conv.notifyThread(k, text, o), email: false, now: () => new Date(now), log: silentLogger(), graceMs: 60_000 });
    expect(await replies.sweep()).toBe(0);
    now += 40_000; // the first is 70 s old, the second 40 s
    expect(await replies.sweep()).toBe(1);
    expect(s.slack.sent.map((d) => d.reply.text)).toEqual([`Reply from our support team on ticket ${t.id}:\n\nLeft behind`]);
    expect((await s.repos.tickets.get(t.id))?.messages.map((m) => m.delivery?.status)).toEqual(['delivered', 'pending']);
  });

  it('a started conversations layer sweeps on its own, and stops sweeping when stopped', async () => {
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    const s = await setup({ clock: () => new Date(now), replySweepMs: 20 });
    const t = await s.ticket(THREAD);
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Stored before a restart', visibility: 'public' });
    now += 5 * 60_000;
    await s.conv.start();
    await until(() => s.slack.sent.length === 1);
    await s.conv.stop();
    await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'After stop', visibility: 'public' });
    now += 5 * 60_000;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.slack.sent).toHaveLength(1);
  });

  it('with several instances on one store, only the holder of the sweep lease sweeps; another takes over once it stops', async () => {
    const s = await setup();
    const calls: string[] = [];
    const sweepOf = (holder: string) => createReplySweep({ replies: { sweep: async () => { calls.push(holder); return 0; } }, leases: s.repos.leases, holder, everyMs: 60_000, log: silentLogger() });
    const a = sweepOf('instance-a');
    const b = sweepOf('instance-b');
    expect(await a.sweep()).toBe(0);
    expect(await b.sweep()).toBeUndefined();
    expect(await a.sweep()).toBe(0);
    expect(calls).toEqual(['instance-a', 'instance-a']);
    await a.stop();
    expect(await b.sweep()).toBe(0);
    expect(calls).toEqual(['instance-a', 'instance-a', 'instance-b']);
    await b.stop();
  });

  it('takes over a claim left by an instance that stopped mid-delivery only once it is stale, telling the channel', async () => {
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    const s = await setup({ clock: () => new Date(now) });
    const t = await s.ticket(THREAD);
    const view = await s.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Hello', visibility: 'public' });
    const id = view.messages.at(-1)?.id as string;
    // an instance claimed it and stopped
    await s.repos.tickets.setDelivery(t.id, id, { status: 'sending', at: new Date(now).toISOString() }, { status: 'pending' });
    expect(await s.conv.deliverStaffReplies(t.id)).toEqual([]);
    now += 6 * 60_000;
    const [r] = await s.conv.deliverStaffReplies(t.id);
    expect(r?.delivery.status).toBe('delivered');
    expect(s.slack.sent[0]?.reply).toMatchObject({ maybeDelivered: true, inReplyToId: `ticket-reply:${id}` });
  });
});
