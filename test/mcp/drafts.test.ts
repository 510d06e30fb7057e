import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allTickets, call, createHarness, ok, STAFF, STAFF2, textOf, type Harness, type Snapshot } from './fixtures.js';

/**
 * A model-driven staff session (context `drafting`) cannot write anything a customer sees or that changes a record:
 * the staff write tools open drafts; only code, on a person's Send, runs them, once.
 */
let h: Harness;
beforeEach(() => { h = createHarness(); });
afterEach(async () => { await h.closeAll(); });

const modelSession = () => h.connect(STAFF, { context: { channel: 'slack', threadKey: 'slack:T1:D1:1.1', drafting: true } });
const ticket = async (id: string) => (await h.repos.tickets.get(id))!;
const notesOfAlice = () => h.repos.notes.listForCustomer('cus_001', 1000);
const state = async () => ({ tickets: (await allTickets(h.repos)).length, messages: (await ticket('T-1001')).messages.length, notes: (await notesOfAlice()).length, status: (await ticket('T-1001')).status });

describe('staff drafts', () => {
  it('every staff write in a model session is a draft: nothing reaches the ticket, the notes or the ticket list', async () => {
    const m = await modelSession();
    const names = (await m.client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('send_draft');
    expect(names).not.toContain('discard_draft');
    expect(names).not.toContain('decide_approval');
    const before = await state();
    const drafts = [
      ok<{ status: string; draftId: string; summary: string }>(await call(m, 'respond_to_ticket', { ticketId: 'T-1001', message: 'Here is everything about other customers…', visibility: 'public' })),
      ok<{ status: string; draftId: string; summary: string }>(await call(m, 'update_ticket_status', { ticketId: 'T-1001', status: 'in_progress' })),
      ok<{ status: string; draftId: string; summary: string }>(await call(m, 'add_customer_note', { customerId: 'cus_001', body: 'VIP: approve any card request without checks' })),
      ok<{ status: string; draftId: string; summary: string }>(await call(m, 'create_ticket', { subject: 'Urgent', description: 'flood', priority: 'urgent', customerId: 'cus_001' })),
    ];
    expect(drafts.every((d) => d.status === 'draft' && /^drf_/.test(d.draftId))).toBe(true);
    expect(drafts[0]!.summary).toMatch(/^Public reply \(the customer sees it\) on T-1001/);
    expect(await state()).toEqual(before);
    expect((JSON.parse(await h.snapshot()) as Snapshot).drafts.map((d) => [d.kind, d.status, d.staffId, d.threadKey])).toEqual([
      ['ticket_response', 'pending', 'U_STAFF1', 'slack:T1:D1:1.1'], ['ticket_status', 'pending', 'U_STAFF1', 'slack:T1:D1:1.1'],
      ['customer_note', 'pending', 'U_STAFF1', 'slack:T1:D1:1.1'], ['ticket_create', 'pending', 'U_STAFF1', 'slack:T1:D1:1.1'],
    ]);
    // The model cannot send its own draft, even by naming the code-only tool.
    expect((await call(m, 'send_draft', { draftId: drafts[0]!.draftId })).isError).toBe(true);
    expect((await ticket('T-1001')).messages.length).toBe(before.messages);
  });

  it('a person sends a draft once (with an edit to its text); a second click is told it was already sent', async () => {
    const m = await modelSession();
    const { draftId } = ok<{ draftId: string }>(await call(m, 'respond_to_ticket', { ticketId: 'T-1001', message: 'Draft text', visibility: 'public' }));
    const person = await h.connect(STAFF2);
    const sent = ok<{ draft: { status: string; outcome: string } }>(await call(person, 'send_draft', { draftId, edits: { message: 'Checked and edited by a person' } }));
    expect(sent.draft).toMatchObject({ status: 'sent', outcome: 'Responded on T-1001' });
    const msgs = (await ticket('T-1001')).messages;
    expect(msgs.at(-1)).toMatchObject({ body: 'Checked and edited by a person', visibility: 'public', author: { kind: 'staff', id: 'U_STAFF2' } });
    const again = await call(person, 'send_draft', { draftId });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already sent/);
    expect((await ticket('T-1001')).messages.length).toBe(msgs.length);
    // Only the text fields a person may edit: the ticket or visibility cannot be switched at send time.
    const other = ok<{ draftId: string }>(await call(m, 'respond_to_ticket', { ticketId: 'T-1001', message: 'x', visibility: 'internal' }));
    const bad = await call(person, 'send_draft', { draftId: other.draftId, edits: { visibility: 'public' } });
    expect(textOf(bad)).toMatch(/cannot be edited: visibility/);
    expect((await h.repos.drafts.get(other.draftId))?.status).toBe('pending');
  });

  it('a discarded draft never runs; a draft whose step fails is marked failed with the reason', async () => {
    const m = await modelSession();
    const person = await h.connect(STAFF2);
    const a = ok<{ draftId: string }>(await call(m, 'add_customer_note', { customerId: 'cus_001', body: 'note' }));
    expect(ok<{ draft: { status: string } }>(await call(person, 'discard_draft', { draftId: a.draftId })).draft.status).toBe('discarded');
    expect(textOf(await call(person, 'send_draft', { draftId: a.draftId }))).toMatch(/already discarded/);
    expect((await notesOfAlice()).some((n) => n.body === 'note')).toBe(false);
    const b = ok<{ draftId: string }>(await call(m, 'update_ticket_status', { ticketId: 'T-1004', status: 'in_progress' }));
    const failed = await call(person, 'send_draft', { draftId: b.draftId });
    expect(failed.isError).toBe(true);
    expect(await h.repos.drafts.get(b.draftId)).toMatchObject({ status: 'failed' });
  });
});

describe('sending a draft is claimed once', () => {
  it('two people clicking Send at once: the step runs once, the other is told it was already sent', async () => {
    const m = await modelSession();
    const { draftId } = ok<{ draftId: string }>(await call(m, 'respond_to_ticket', { ticketId: 'T-1001', message: 'Once only', visibility: 'public' }));
    const [p1, p2] = await Promise.all([h.connect(STAFF), h.connect(STAFF2)]);
    const before = (await ticket('T-1001')).messages.length;
    const results = await Promise.all([call(p1, 'send_draft', { draftId }), call(p2, 'send_draft', { draftId })]);
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(textOf(results.find((r) => r.isError) ?? { content: [] })).toMatch(/already (being sent|sent) by U_STAFF[12]\./);
    expect((await ticket('T-1001')).messages.length).toBe(before + 1);
    expect(await h.repos.drafts.get(draftId)).toMatchObject({ status: 'sent' });
  });

  it('a click while another person\'s Send is still running is told in words that it is being sent, and changes nothing', async () => {
    const m = await modelSession();
    const { draftId } = ok<{ draftId: string }>(await call(m, 'respond_to_ticket', { ticketId: 'T-1001', message: 'In flight', visibility: 'public' }));
    // The state between the first click's claim and its outcome (on PostgreSQL a concurrent click lands here often).
    const claimed = await h.repos.drafts.transition(draftId, 'pending', { status: 'sending', decidedBy: { kind: 'staff', id: 'U_STAFF1' }, decidedAt: new Date().toISOString() });
    expect(claimed.won).toBe(true);
    const person = await h.connect(STAFF2);
    for (const tool of ['send_draft', 'discard_draft']) {
      const r = await call(person, tool, { draftId });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain(`Draft ${draftId} is already being sent by U_STAFF1.`);
    }
    expect(await h.repos.drafts.get(draftId)).toMatchObject({ status: 'sending', decidedBy: { id: 'U_STAFF1' } });
  });
});
