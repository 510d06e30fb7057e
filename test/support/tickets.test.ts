import { describe, expect, it } from 'vitest';
import { emptyDb } from '../../src/store/schema.js';
import { allTickets, ANN, ANON, auditLog, BOB, fixtureDb, makeSupport, NOT_STAFF, snapshot, STAFF } from './fixture.js';

describe('ticket creation', () => {
  it('numbers tickets after the highest existing one, from one sequence', async () => {
    const h = await makeSupport();
    const t = await h.support.tickets.create(ANN, { threadKey: 'slack:C1:5', channel: 'slack' }, { subject: 'Statement copy', description: 'Can I get my statement for January?' });
    expect(t.id).toBe('T-1004');
    expect(t).toMatchObject({ customerId: 'cus_ann', channel: 'slack', threadKey: 'slack:C1:5', status: 'open', customerName: 'Ann Lee', createdAt: '2026-03-10T12:00:00.000Z' });
    expect(t.history).toEqual([{ at: '2026-03-10T12:00:00.000Z', from: null, to: 'open', by: { kind: 'customer', id: 'cus_ann' } }]);
    expect((await h.support.tickets.create(BOB, {}, { subject: 'Another', description: 'One more question' })).id).toBe('T-1005');
    const empty = await makeSupport({ db: emptyDb() });
    expect((await empty.support.tickets.create(ANON, {}, { subject: 'Hi', description: 'Hello there', contact: 'a@b.example' })).id).toBe('T-1001');
  });

  it('derives category, sentiment and priority; a given priority may raise but not lower it', async () => {
    const h = await makeSupport();
    const fraud = await h.support.tickets.create(ANN, {}, { subject: 'Fraud', description: 'There are fraudulent charges I did not make, this is a scam!', priority: 'low' });
    expect(fraud).toMatchObject({ category: 'fraud', priority: 'urgent' });
    expect(fraud.sentiment).toBeLessThan(0);
    const hours = await h.support.tickets.create(ANN, {}, { subject: 'Opening hours', description: 'When are you open on Saturday?' });
    expect(hours.priority).toBe('low');
    const raised = await h.support.tickets.create(ANN, {}, { subject: 'Opening hours', description: 'When are you open on Saturday?', priority: 'high' });
    expect(raised.priority).toBe('high');
  });

  it("an anonymous caller's channel-verified contact wins over one typed into the ticket", async () => {
    const h = await makeSupport();
    const t = await h.support.tickets.create({ kind: 'anonymous', contact: 'real@verified.example' }, {}, { subject: 'Help', description: 'Please help', contact: 'attacker@evil.example' });
    expect(t.contact).toBe('real@verified.example');
  });

  it('anonymous callers must give a contact address; customers cannot smuggle a customer id', async () => {
    const h = await makeSupport();
    const before = await snapshot(h);
    await expect(h.support.tickets.create(ANON, {}, { subject: 'Help', description: 'Please help' })).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/contact/) });
    await expect(h.support.tickets.create(ANON, {}, { subject: 'Help', description: 'Please help', contact: 'not an email' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.tickets.create(ANN, {}, { subject: 'Help', description: 'Please help', customerId: 'cus_bob' })).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/customerId/) });
    await expect(h.support.tickets.create(NOT_STAFF, {}, { subject: 'Help', description: 'Please help' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await snapshot(h)).toEqual(before);
    const anon = await h.support.tickets.create(ANON, { channel: 'email' }, { subject: 'Help', description: 'Please help', contact: 'guest@example.net' });
    expect(anon).toMatchObject({ customerId: null, contact: 'guest@example.net', channel: 'email' });
    const staffMade = await h.support.tickets.create(STAFF, {}, { subject: 'Call back', description: 'Customer phoned about a fee', customerId: 'cus_bob' });
    expect(staffMade.customerId).toBe('cus_bob');
    await expect(h.support.tickets.create(STAFF, {}, { subject: 'x', description: 'y', customerId: 'cus_ghost' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('ticket status machine', () => {
  it('open → in_progress → resolved → closed → reopened, with history, times and actors', async () => {
    const h = await makeSupport();
    const t = await h.support.tickets.create(BOB, {}, { subject: 'Address', description: 'I moved to a new address' });
    h.advance(10);
    await h.support.tickets.updateStatus(STAFF, { ticketId: t.id, status: 'in_progress' });
    h.advance(20);
    const resolved = await h.support.tickets.updateStatus(STAFF, { ticketId: t.id, status: 'resolved', note: 'fixed' });
    expect(resolved.resolvedAt).toBe('2026-03-10T12:30:00.000Z');
    h.advance(60);
    const closed = await h.support.tickets.updateStatus(STAFF, { ticketId: t.id, status: 'closed' });
    expect(closed.closedAt).toBe('2026-03-10T13:30:00.000Z');
    const reopened = await h.support.tickets.updateStatus(STAFF, { ticketId: t.id, status: 'open', note: 'customer came back' });
    expect(reopened.status).toBe('open');
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.history.map((x) => [x.from, x.to, x.by.id])).toEqual([
      [null, 'open', 'cus_bob'], ['open', 'in_progress', 'U_STAFF'], ['in_progress', 'resolved', 'U_STAFF'], ['resolved', 'closed', 'U_STAFF'], ['closed', 'open', 'U_STAFF'],
    ]);
    expect(reopened.history[2]?.note).toBe('fixed');
  });

  it('same-status and nonsense transitions are invalid and change nothing', async () => {
    const h = await makeSupport();
    const before = await snapshot(h);
    await expect(h.support.tickets.updateStatus(STAFF, { ticketId: 'T-1003', status: 'open' })).rejects.toMatchObject({ code: 'invalid_transition', message: 'Ticket T-1003 is already open.' });
    await expect(h.support.tickets.updateStatus(STAFF, { ticketId: 'T-1001', status: 'in_progress' })).rejects.toMatchObject({ code: 'invalid_transition', message: expect.stringMatching(/from resolved to in_progress/) });
    await expect(h.support.tickets.updateStatus(STAFF, { ticketId: 'T-1002', status: 'open' })).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(h.support.tickets.respond(STAFF, { ticketId: 'T-1002', message: 'On it', visibility: 'public', status: 'in_progress' })).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(h.support.tickets.updateStatus(STAFF, { ticketId: 'T-1003', status: 'done' as 'open' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.tickets.updateStatus(STAFF, { ticketId: 'T-9999', status: 'closed' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.tickets.updateStatus(ANN, { ticketId: 'T-1001', status: 'closed' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('responses, visibility and notes', () => {
  it('first public staff response sets firstResponseAt once; internal notes do not', async () => {
    const h = await makeSupport();
    const t = await h.support.tickets.create(ANN, {}, { subject: 'Card', description: 'My card was declined' });
    h.advance(5);
    const internal = await h.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Checking logs', visibility: 'internal' });
    expect(internal.firstResponseAt).toBeUndefined();
    h.advance(10);
    const first = await h.support.tickets.respond(STAFF, { ticketId: t.id, message: 'We are looking into it', visibility: 'public', status: 'in_progress', note: 'Declines at fuel stations' });
    expect(first).toMatchObject({ firstResponseAt: '2026-03-10T12:15:00.000Z', status: 'in_progress' });
    h.advance(10);
    const second = await h.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Fixed now', visibility: 'public', status: 'resolved' });
    expect(second).toMatchObject({ firstResponseAt: '2026-03-10T12:15:00.000Z', resolvedAt: '2026-03-10T12:25:00.000Z' });
    expect(await h.support.notes.list(STAFF, 'cus_ann')).toMatchObject([{ body: 'Declines at fuel stations', ticketId: t.id, author: { kind: 'staff', id: 'U_STAFF' } }]);
    const seen = await h.support.tickets.get(ANN, t.id);
    expect(seen.messages.map((m) => m.body)).toEqual(['We are looking into it', 'Fixed now']);
    expect((await h.support.tickets.get(STAFF, t.id)).messages).toHaveLength(3);
  });

  it('customers see only public messages of their own tickets; a reply reopens a resolved ticket', async () => {
    const h = await makeSupport();
    const mine = await h.support.tickets.listMine(ANN);
    expect(mine.map((t) => t.id)).toEqual(['T-1001']);
    expect(JSON.stringify(mine)).not.toContain('INTERNAL');
    expect(await h.support.tickets.listMine(ANN, { status: 'open' })).toEqual([]);
    const after = await h.support.tickets.addCustomerMessage(ANN, { ticketId: 'T-1001', message: 'The fee is back again' });
    expect(after.status).toBe('open');
    expect(after.messages.map((m) => m.body)).toEqual(['We refunded the fee.', 'The fee is back again']);
    expect(after.history.at(-1)).toMatchObject({ from: 'resolved', to: 'open', by: { kind: 'customer', id: 'cus_ann' } });
  });

  it('staff list filters and handle gives ticket, customer, notes and a fresh analysis', async () => {
    const h = await makeSupport();
    expect((await h.support.tickets.list(STAFF, {})).map((t) => t.id)).toEqual(['T-1003', 'T-1002', 'T-1001']);
    expect((await h.support.tickets.list(STAFF, { status: 'in_progress' })).map((t) => t.id)).toEqual(['T-1002']);
    expect((await h.support.tickets.list(STAFF, { customerId: 'cus_ann', channel: 'slack' })).map((t) => t.id)).toEqual(['T-1001']);
    expect((await h.support.tickets.list(STAFF, { category: 'card', limit: 1 })).map((t) => t.id)).toEqual(['T-1002']);
    const handled = await h.support.tickets.handle(STAFF, 'T-1002');
    expect(handled.customer).toMatchObject({ id: 'cus_bob', email: 'bob@example.org' });
    expect(handled.notes.map((n) => n.body)).toEqual(['Prefers email.']);
    expect(handled.analysis.category.name).toBe('card');
    expect((await h.support.tickets.handle(STAFF, 'T-1003')).customer).toBeNull();
    await expect(h.support.tickets.handle(ANN, 'T-1001')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.support.tickets.list(ANN, {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('CRM notes are staff-only and must point at an existing customer (and their ticket)', async () => {
    const h = await makeSupport();
    const note = await h.support.notes.add(STAFF, { customerId: 'cus_ann', body: 'Called about fees', ticketId: 'T-1001' });
    expect(note).toMatchObject({ customerId: 'cus_ann', body: 'Called about fees', createdAt: '2026-03-10T12:00:00.000Z' });
    await expect(h.support.notes.add(STAFF, { customerId: 'cus_ann', body: 'x', ticketId: 'T-1002' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.notes.add(STAFF, { customerId: 'cus_ghost', body: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.notes.add(ANN, { customerId: 'cus_ann', body: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.support.notes.list(BOB, 'cus_bob')).rejects.toMatchObject({ code: 'forbidden' });
    expect((await auditLog(h.repos)).filter((a) => a.action === 'note.add')).toHaveLength(1);
  });

  it('a respond with a CRM note on a ticket without a customer is refused as a whole', async () => {
    const h = await makeSupport({ db: fixtureDb() });
    const before = await snapshot(h);
    await expect(h.support.tickets.respond(STAFF, { ticketId: 'T-1003', message: 'We open at 8', visibility: 'public', note: 'n' })).rejects.toMatchObject({ code: 'bad_input' });
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('ticket floods', () => {
  it('a customer opens at most 5 tickets an hour, an outside contact 3; staff are not limited; the hour rolls on', async () => {
    const h = await makeSupport();
    for (let i = 0; i < 5; i++) await h.support.tickets.create(ANN, {}, { subject: `Question ${i}`, description: 'About my account' });
    await expect(h.support.tickets.create(ANN, {}, { subject: 'One more', description: 'again' })).rejects.toMatchObject({ code: 'rate_limited' });
    // Bob is someone else: unaffected.
    await expect(h.support.tickets.create(BOB, {}, { subject: 'Mine', description: 'My own question' })).resolves.toMatchObject({ customerId: 'cus_bob' });
    const anon = { kind: 'anonymous' as const };
    for (let i = 0; i < 3; i++) await h.support.tickets.create(anon, {}, { subject: `Hi ${i}`, description: 'x', contact: 'Flood@Example.net' });
    await expect(h.support.tickets.create(anon, {}, { subject: 'Hi', description: 'x', contact: 'flood@example.NET' })).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(h.support.tickets.create(anon, {}, { subject: 'Hi', description: 'x', contact: 'other@example.net' })).resolves.toBeDefined();
    for (let i = 0; i < 8; i++) await h.support.tickets.create(STAFF, {}, { subject: `For Ann ${i}`, description: 'x', customerId: 'cus_ann' });
    const before = (await allTickets(h.repos)).length;
    h.advance(61);
    await expect(h.support.tickets.create(ANN, {}, { subject: 'Next hour', description: 'x' })).resolves.toBeDefined();
    expect((await allTickets(h.repos)).length).toBe(before + 1);
  });

  it('outside staff, a requested priority is capped at high; the text itself can still make a ticket urgent', async () => {
    const h = await makeSupport();
    const asked = await h.support.tickets.create(ANN, {}, { subject: 'Statement', description: 'Please send my statement', priority: 'urgent' });
    expect(asked.priority).toBe('high');
    const staff = await h.support.tickets.create(STAFF, {}, { subject: 'Statement', description: 'Please send the statement', priority: 'urgent', customerId: 'cus_ann' });
    expect(staff.priority).toBe('urgent');
  });
});

describe('ticket request context', () => {
  it('accepts the full request context a conversation passes (thread, channel, requester, drafting)', async () => {
    const h = await makeSupport();
    const t = await h.support.tickets.create(ANN, { threadKey: 'email:<a@b>', channel: 'email', requester: { id: 'ann.lee@example.com', verification: 'dmarc=pass' } }, { subject: 'Help', description: 'Please help' });
    expect(t).toMatchObject({ channel: 'email', threadKey: 'email:<a@b>' });
  });
});

describe('ticket creation is one transaction', () => {
  it('concurrent creations count each other: of 8 at once, exactly 5 open and every id is distinct', async () => {
    const h = await makeSupport();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => h.support.tickets.create(ANN, {}, { subject: `Burst ${i}`, description: 'At once' })));
    const opened = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof h.support.tickets.create>>> => r.status === 'fulfilled');
    expect(opened).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
    expect(new Set(opened.map((r) => r.value.id)).size).toBe(5);
    expect((await auditLog(h.repos)).filter((e) => e.action === 'ticket.create')).toHaveLength(5);
  });
});
