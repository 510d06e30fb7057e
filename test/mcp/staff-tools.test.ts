import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANON, STAFF, call, createHarness, fixtureDb, ok, textOf, type Harness } from './fixtures.js';
import type { InProcessConnection } from '../../src/mcp/index.js';

const db = fixtureDb();

let h: Harness;
let staff: InProcessConnection;
beforeEach(async () => {
  h = createHarness();
  staff = await h.connect(STAFF);
});
afterEach(async () => { await h.closeAll(); });

const ticketIn = (id: string) => h.repos.tickets.get(id);

describe('staff tools (happy paths)', () => {
  it('find_customer matches by name and by email', async () => {
    const byName = ok<{ customers: Array<{ id: string }> }>(await call(staff, 'find_customer', { query: 'alice' }));
    expect(byName.customers.map((c) => c.id)).toEqual(['cus_001']);
    const byEmail = await call(staff, 'find_customer', { query: 'bob@example.org' });
    expect(ok<{ customers: Array<{ id: string }> }>(byEmail).customers.map((c) => c.id)).toEqual(['cus_002']);
    expect(textOf(byEmail)).toContain('Bob Chen');
  });

  it('list_tickets returns every ticket and filters by status, priority, customer and channel', async () => {
    const ids = async (args: Record<string, unknown>) => ok<{ tickets: Array<{ id: string }> }>(await call(staff, 'list_tickets', args)).tickets.map((t) => t.id).sort();
    expect(await ids({})).toEqual(db.tickets.map((t) => t.id).sort());
    expect(await ids({ status: 'in_progress' })).toEqual(db.tickets.filter((t) => t.status === 'in_progress').map((t) => t.id));
    expect(await ids({ priority: 'high' })).toEqual(db.tickets.filter((t) => t.priority === 'high').map((t) => t.id));
    expect(await ids({ customerId: 'cus_001' })).toEqual(db.tickets.filter((t) => t.customerId === 'cus_001').map((t) => t.id).sort());
    expect(await ids({ channel: 'email' })).toEqual(db.tickets.filter((t) => t.channel === 'email').map((t) => t.id));
    expect(await ids({ limit: 2 })).toHaveLength(2);
  });

  it('handle_ticket returns the ticket with internal messages, the customer, notes and an analysis', async () => {
    const r = await call(staff, 'handle_ticket', { ticketId: 'T-1001' });
    const d = ok<{ ticket: { id: string; messages: Array<{ visibility: string }> }; customer: { id: string }; notes: Array<{ id: string }>; analysis: { category: { name: string }; sentiment: { label: string }; priority: string } }>(r);
    expect(d.ticket.id).toBe('T-1001');
    expect(d.ticket.messages.map((m) => m.visibility)).toContain('internal');
    expect(d.customer.id).toBe('cus_001');
    expect(d.notes.map((n) => n.id)).toEqual(db.notes.filter((n) => n.customerId === 'cus_001').map((n) => n.id));
    expect(d.analysis.category.name).toBe('card');
    expect(['negative', 'neutral', 'positive']).toContain(d.analysis.sentiment.label);
    expect(textOf(r)).toContain('Analysis: card');
  });

  it('handle_ticket on an anonymous ticket has no customer', async () => {
    const d = ok<{ customer: unknown }>(await call(staff, 'handle_ticket', { ticketId: 'T-1004' }));
    expect(d.customer).toBeNull();
  });

  it('respond_to_ticket adds a public response, moves the status and adds a CRM note', async () => {
    const notesBefore = (await h.repos.notes.listForCustomer('cus_001', 1000)).length;
    const r = await call(staff, 'respond_to_ticket', { ticketId: 'T-1001', message: 'We lifted the block; please try again.', visibility: 'public', status: 'in_progress', note: 'Travel notice added.' });
    const { ticket } = ok<{ ticket: { status: string; messages: Array<{ body: string; visibility: string }> } }>(r);
    expect(ticket.status).toBe('in_progress');
    expect(ticket.messages.at(-1)).toMatchObject({ body: 'We lifted the block; please try again.', visibility: 'public' });
    expect((await ticketIn('T-1001'))?.firstResponseAt).toBeDefined();
    const notes = await h.repos.notes.listForCustomer('cus_001', 1000);
    expect(notes).toHaveLength(notesBefore + 1);
    expect(notes[0]).toMatchObject({ customerId: 'cus_001', body: 'Travel notice added.', ticketId: 'T-1001' });
  });

  it('respond_to_ticket makes the caller choose who may read the response (no silent public default)', async () => {
    const before = (await ticketIn('T-1001'))?.messages.length;
    const r = await call(staff, 'respond_to_ticket', { ticketId: 'T-1001', message: 'drafted by the model for staff' });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/visibility/);
    expect((await ticketIn('T-1001'))?.messages.length).toBe(before);
    // the model is told what each choice does, and that there is no default
    const tool = (await staff.client.listTools()).tools.find((t) => t.name === 'respond_to_ticket');
    expect(tool?.inputSchema.required).toContain('visibility');
    expect(tool?.description).toMatch(/no default/);
    expect(tool?.description).toMatch(/`public` is a reply TO THE CUSTOMER, sent to them on their channel/);
    expect(tool?.description).toMatch(/`internal` is a note for staff only, never sent/);
  });

  it('respond_to_ticket: a public reply waits for delivery (recorded on the message), an internal note has no delivery', async () => {
    const pub = ok<{ ticket: { messages: Array<{ visibility: string; delivery?: { status: string } }> } }>(await call(staff, 'respond_to_ticket', { ticketId: 'T-1001', message: 'On it', visibility: 'public' }));
    expect(pub.ticket.messages.at(-1)?.delivery?.status).toBe('pending');
    const internal = ok<{ ticket: { messages: Array<{ delivery?: unknown }> } }>(await call(staff, 'respond_to_ticket', { ticketId: 'T-1001', message: 'note', visibility: 'internal' }));
    expect(internal.ticket.messages.at(-1)?.delivery).toBeUndefined();
    const handled = await call(staff, 'handle_ticket', { ticketId: 'T-1001' });
    expect(textOf(handled)).toMatch(/Staff reply msg_\S+ \(.+\): delivery pending/);
    const alice = await h.connect({ kind: 'customer', customerId: 'cus_001' });
    expect(JSON.stringify(await call(alice, 'get_my_ticket', { ticketId: 'T-1001' }))).not.toContain('delivery');
  });

  it('respond_to_ticket with internal visibility is hidden from the customer', async () => {
    ok(await call(staff, 'respond_to_ticket', { ticketId: 'T-1001', message: 'staff-eyes-only remark', visibility: 'internal' }));
    const alice = await h.connect({ kind: 'customer', customerId: 'cus_001' });
    const seen = await call(alice, 'get_my_ticket', { ticketId: 'T-1001' });
    expect(JSON.stringify(seen)).not.toContain('staff-eyes-only');
  });

  it('update_ticket_status walks the lifecycle and records history', async () => {
    for (const status of ['in_progress', 'resolved', 'closed', 'open'] as const) {
      const r = await call(staff, 'update_ticket_status', { ticketId: 'T-1001', status, note: `to ${status}` });
      expect(ok<{ ticket: { status: string } }>(r).ticket.status).toBe(status);
    }
    const history = (await ticketIn('T-1001'))?.history ?? [];
    expect(history.slice(-4).map((e) => [e.from, e.to])).toEqual([['open', 'in_progress'], ['in_progress', 'resolved'], ['resolved', 'closed'], ['closed', 'open']]);
    expect(history.at(-1)?.by).toEqual({ kind: 'staff', id: 'U_STAFF1' });
  });

  it('add_customer_note stores a note authored by the staff member', async () => {
    const r = await call(staff, 'add_customer_note', { customerId: 'cus_002', body: 'Called back, all fine.', ticketId: 'T-1003' });
    const { note } = ok<{ note: { id: string; customerId: string; ticketId: string; author: { id: string } } }>(r);
    expect(note).toMatchObject({ customerId: 'cus_002', ticketId: 'T-1003', author: { id: 'U_STAFF1' } });
    expect((await h.repos.notes.listForCustomer('cus_002', 1000)).find((n) => n.id === note.id)?.body).toBe('Called back, all fine.');
  });

  it('list_pending_approvals shows a new request and not the expired one', async () => {
    const alice = await h.connect({ kind: 'customer', customerId: 'cus_001' });
    const req = ok<{ approvalId: string }>(await call(alice, 'request_password_change', { reason: 'locked out' }));
    const r = await call(staff, 'list_pending_approvals');
    const { approvals } = ok<{ approvals: Array<{ id: string; status: string }> }>(r);
    expect(approvals.map((a) => a.id)).toEqual([req.approvalId]);
    expect(approvals[0]?.status).toBe('pending');
    expect(textOf(r)).toContain('locked out');
  });

  it('get_support_metrics counts tickets by status and channel', async () => {
    const m = ok<{ ticketsByStatus: Record<string, number>; ticketsByChannel: Record<string, number>; openApprovals: number }>(await call(staff, 'get_support_metrics'));
    for (const status of ['open', 'in_progress', 'resolved', 'closed']) {
      expect(m.ticketsByStatus[status] ?? 0, status).toBe(db.tickets.filter((t) => t.status === status).length);
    }
    expect(m.ticketsByChannel.email).toBe(db.tickets.filter((t) => t.channel === 'email').length);
    expect(typeof m.openApprovals).toBe('number');
  });

  it('create_ticket (staff) opens a ticket for a named customer', async () => {
    const r = await call(staff, 'create_ticket', { subject: 'Phone call follow-up', description: 'Customer phoned about a fee.', customerId: 'cus_002' });
    const { ticket } = ok<{ ticket: { id: string; customerId: string } }>(r);
    expect(ticket.customerId).toBe('cus_002');
    expect((await ticketIn(ticket.id))?.customerId).toBe('cus_002');
  });

  it('search_knowledge_base works for staff', async () => {
    const { results } = ok<{ results: Array<{ articleId: string }> }>(await call(staff, 'search_knowledge_base', { query: 'opening hours' }));
    expect(results[0]?.articleId).toBe('opening-hours');
  });
});

describe('anonymous tools (happy paths)', () => {
  it('create_ticket needs a contact and stores it without a customer', async () => {
    const anon = await h.connect(ANON);
    const r = await call(anon, 'create_ticket', { subject: 'Question about fees', description: 'What do foreign payments cost?', contact: 'visitor@example.com' });
    const { ticket } = ok<{ ticket: { id: string; customerId: string | null } }>(r);
    expect(ticket.customerId).toBeNull();
    expect((await ticketIn(ticket.id))?.contact).toBe('visitor@example.com');
    const before = await h.snapshot();
    const missing = await call(anon, 'create_ticket', { subject: 'x', description: 'y' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/contact/);
    expect(await h.snapshot()).toBe(before);
  });

  it('search_knowledge_base works without identity', async () => {
    const anon = await h.connect(ANON);
    const { results } = ok<{ results: Array<{ articleId: string }> }>(await call(anon, 'search_knowledge_base', { query: 'foreign transaction fees' }));
    expect(results[0]?.articleId).toBe('fees');
  });
});
