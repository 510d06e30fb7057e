import { describe, expect, it } from 'vitest';
import type { Ticket, TicketMessage } from '../../../src/store/schema.js';
import { at, customer, newTicket, note } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

const msg = (id: string, minutes: number, visibility: TicketMessage['visibility'] = 'public'): TicketMessage =>
  ({ id, at: at(minutes), author: { kind: 'staff', id: 'U_STAFF' }, visibility, body: `message ${id}` });
const num = (t: Ticket) => Number(t.id.slice(2));

export function ticketTests(repos: GetRepos): void {
  describe('tickets', () => {
    it('allocates T-1001 upward and returns the stored ticket', async () => {
      const t = await repos().tickets.create(newTicket({ subject: 'First' }));
      expect(t.id).toBe('T-1001');
      expect(t.subject).toBe('First');
      expect(await repos().tickets.get('T-1001')).toEqual(t);
      expect((await repos().tickets.create(newTicket())).id).toBe('T-1002');
      expect(await repos().tickets.get('T-9999')).toBeUndefined();
    });

    it('hands out unique, consecutive ids to concurrent creators', async () => {
      const made = await concurrently(20, (i) => repos().tickets.create(newTicket({ subject: `s${i}` })));
      const numbers = made.map(num).sort((a, b) => a - b);
      expect(new Set(numbers).size).toBe(20);
      expect(numbers[19]! - numbers[0]!).toBe(19);
      expect(numbers[0]).toBeGreaterThanOrEqual(1001);
    });

    it('lists newest first with filters and pages that neither skip nor repeat', async () => {
      await repos().customers.create(customer(1));
      await repos().tickets.create(newTicket({ createdAt: at(10), customerId: 'cus_001', status: 'open' }));
      await repos().tickets.create(newTicket({ createdAt: at(30), customerId: 'cus_001', status: 'resolved', priority: 'high' }));
      await repos().tickets.create(newTicket({ createdAt: at(20), status: 'open', channel: 'email' }));
      await repos().tickets.create(newTicket({ createdAt: at(30), customerId: 'cus_001', status: 'open', category: 'card' }));
      const ids = async (filter: object, limit = 10) => (await repos().tickets.list(filter, { limit })).items.map((t) => t.id);
      expect(await ids({})).toEqual(['T-1004', 'T-1002', 'T-1003', 'T-1001']);
      expect(await ids({ customerId: 'cus_001' })).toEqual(['T-1004', 'T-1002', 'T-1001']);
      expect(await ids({ status: 'open' })).toEqual(['T-1004', 'T-1003', 'T-1001']);
      expect(await ids({ customerId: 'cus_001', status: 'open', category: 'card' })).toEqual(['T-1004']);
      expect(await ids({ priority: 'high' })).toEqual(['T-1002']);
      expect(await ids({ channel: 'email' })).toEqual(['T-1003']);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repos().tickets.list({}, { limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((t) => t.id));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual(['T-1004', 'T-1002', 'T-1003', 'T-1001']);
      expect((await repos().tickets.list({}, { limit: 4 })).next).toBeUndefined();
      for (const bad of BAD_LIMITS) await expectCode(repos().tickets.list({}, { limit: bad }), 'bad_input');
      await expectCode(repos().tickets.list({}, { limit: 2, cursor: 'not a cursor' }), 'bad_input');
    });

    it('finds the newest ticket of a thread and counts recent tickets per creator', async () => {
      await repos().customers.create(customer(1));
      await repos().tickets.create(newTicket({ threadKey: 'email:a', createdAt: at(0) }));
      await repos().tickets.create(newTicket({ threadKey: 'email:a', createdAt: at(5) }));
      await repos().tickets.create(newTicket({ threadKey: 'email:b', createdAt: at(9) }));
      expect((await repos().tickets.latestForThread('email:a'))?.id).toBe('T-1002');
      expect(await repos().tickets.latestForThread('email:none')).toBeUndefined();
      await repos().tickets.create(newTicket({ customerId: 'cus_001', createdAt: at(-120) }));
      await repos().tickets.create(newTicket({ customerId: 'cus_001', createdAt: at(-30) }));
      await repos().tickets.create(newTicket({ customerId: 'cus_001', createdAt: at(0) }));
      await repos().tickets.create(newTicket({ contact: 'Anon@Example.com', createdAt: at(-10) }));
      await repos().tickets.create(newTicket({ contact: 'anon@example.com', createdAt: at(-90) }));
      await repos().tickets.create(newTicket({ customerId: 'cus_001', contact: 'anon@example.com', createdAt: at(0) }));
      expect(await repos().tickets.countCreatedSince({ customerId: 'cus_001' }, at(-60))).toBe(3);
      expect(await repos().tickets.countCreatedSince({ contact: 'ANON@example.com' }, at(-60))).toBe(1);
      expect(await repos().tickets.countCreatedSince({ contact: 'anon@example.com' }, at(-100))).toBe(2);
    });

    it('applies a change as one step: messages and history appended, first response kept, timestamps removed', async () => {
      const t = await repos().tickets.create(newTicket());
      const r1 = await repos().tickets.update(t.id, { addMessages: [msg('m1', 1), msg('m2', 2, 'internal')], updatedAt: at(2), firstResponseAt: at(1) });
      expect(r1.won).toBe(true);
      const r2 = await repos().tickets.update(t.id, {
        addMessages: [msg('m3', 3)], firstResponseAt: at(3), status: 'resolved', resolvedAt: at(3), updatedAt: at(3),
        addHistory: [{ at: at(3), from: 'open', to: 'resolved', by: { kind: 'staff', id: 'U_STAFF' }, note: 'done' }],
      });
      expect(r2.record).toMatchObject({ status: 'resolved', resolvedAt: at(3), firstResponseAt: at(1), updatedAt: at(3) });
      expect(r2.record?.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
      expect(r2.record?.history.map((h) => h.to)).toEqual(['open', 'resolved']);
      const r3 = await repos().tickets.update(t.id, { status: 'open', resolvedAt: null, closedAt: null });
      expect(r3.record?.resolvedAt).toBeUndefined();
      expect(await repos().tickets.get(t.id)).toEqual(r3.record);
      expect(await repos().tickets.update('T-9999', { status: 'closed' })).toEqual({ won: false, record: undefined });
    });

    it('transitions compare-and-set on status: one of concurrent transitions wins', async () => {
      const t = await repos().tickets.create(newTicket());
      const results = await concurrently(10, (i) => repos().tickets.update(t.id, { status: 'in_progress', addHistory: [{ at: at(i), from: 'open', to: 'in_progress', by: { kind: 'staff', id: `U${i}` } }] }, { status: 'open' }));
      expect(results.filter((r) => r.won)).toHaveLength(1);
      const stored = await repos().tickets.get(t.id);
      expect(stored?.history).toHaveLength(2);
      const lost = results.find((r) => !r.won);
      expect(lost?.record?.status).toBe('in_progress');
    });

    it('keeps a message\'s delivery state and claims it compare-and-set: one of concurrent claims wins', async () => {
      const t = await repos().tickets.create(newTicket({
        messages: [{ ...msg('m1', 1), delivery: { status: 'pending', at: at(1) } }, msg('m2', 2, 'internal')],
      }));
      expect(t.messages[0]?.delivery).toEqual({ status: 'pending', at: at(1) });
      expect(t.messages[1]?.delivery).toBeUndefined();
      await repos().tickets.update(t.id, { addMessages: [{ ...msg('m3', 3), delivery: { status: 'undeliverable', at: at(3), reason: 'no channel' } }] });
      const claims = await concurrently(8, (i) => repos().tickets.setDelivery(t.id, 'm1', { status: 'sending', at: at(10 + i) }, { status: 'pending' }));
      expect(claims.filter((c) => c.won)).toHaveLength(1);
      const claimedAt = claims.find((c) => c.won)?.record?.messages[0]?.delivery?.at as string;
      expect(claims.find((c) => !c.won)?.record?.messages[0]?.delivery?.status).toBe('sending');
      // a stale claim is taken over only by whoever saw the same claim time
      expect((await repos().tickets.setDelivery(t.id, 'm1', { status: 'pending', at: at(30) }, { status: 'sending', at: at(99) })).won).toBe(false);
      const delivered = { status: 'delivered' as const, at: at(31), channel: 'slack' as const, threadKey: 'slack:T1:C1:1.1' };
      const done = await repos().tickets.setDelivery(t.id, 'm1', delivered, { status: 'sending', at: claimedAt });
      expect(done.won).toBe(true);
      expect(done.record?.messages.map((m) => m.delivery?.status)).toEqual(['delivered', undefined, 'undeliverable']);
      const stored = await repos().tickets.get(t.id);
      expect(stored?.messages[0]?.delivery).toEqual(delivered);
      expect(stored?.messages[2]?.delivery).toEqual({ status: 'undeliverable', at: at(3), reason: 'no channel' });
      // a message without delivery state, an unknown message or ticket: never won
      expect((await repos().tickets.setDelivery(t.id, 'm2', delivered, { status: 'pending' })).won).toBe(false);
      expect(await repos().tickets.setDelivery(t.id, 'nope', delivered, { status: 'pending' })).toEqual({ won: false, record: undefined });
      expect(await repos().tickets.setDelivery('T-9999', 'm1', delivered, { status: 'pending' })).toEqual({ won: false, record: undefined });
    });

    it('lists the messages still waiting for delivery before a time, oldest first, limited', async () => {
      const waiting = (id: string, minutes: number, status: 'pending' | 'sending' | 'delivered' | 'failed'): TicketMessage => ({ ...msg(id, minutes), delivery: { status, at: at(minutes) } });
      const a = await repos().tickets.create(newTicket({ messages: [waiting('a1', 5, 'pending'), waiting('a2', 1, 'delivered'), msg('a3', 2, 'internal')] }));
      const b = await repos().tickets.create(newTicket({ messages: [waiting('b1', 3, 'sending'), waiting('b2', 4, 'failed'), waiting('b3', 20, 'pending')] }));
      expect(await repos().tickets.awaitingDelivery(at(10), 10)).toEqual([{ ticketId: b.id, messageId: 'b1' }, { ticketId: a.id, messageId: 'a1' }]);
      expect(await repos().tickets.awaitingDelivery(at(10), 1)).toEqual([{ ticketId: b.id, messageId: 'b1' }]);
      expect(await repos().tickets.awaitingDelivery(at(30), 10)).toHaveLength(3);
      expect(await repos().tickets.awaitingDelivery(at(0), 10)).toEqual([]);
      for (const bad of BAD_LIMITS) await expectCode(repos().tickets.awaitingDelivery(at(10), bad), 'bad_input');
    });

    it('answers the metrics aggregates', async () => {
      expect(await repos().tickets.medianMinutesTo('firstResponseAt')).toBeNull();
      await repos().tickets.create(newTicket({ createdAt: at(0), status: 'open', category: 'card', channel: 'email', sentiment: 0.5, firstResponseAt: at(10) }));
      await repos().tickets.create(newTicket({ createdAt: at(0), status: 'resolved', category: 'card', sentiment: -1, firstResponseAt: at(20), resolvedAt: at(60) }));
      await repos().tickets.create(newTicket({ createdAt: at(-1440), status: 'resolved', category: 'fraud', firstResponseAt: at(-1400), resolvedAt: at(5) }));
      expect(await repos().tickets.countBy('status')).toEqual({ open: 1, resolved: 2 });
      expect(await repos().tickets.countBy('category')).toEqual({ card: 2, fraud: 1 });
      expect(await repos().tickets.countBy('channel')).toEqual({ email: 1, web: 2 });
      expect(await repos().tickets.medianMinutesTo('firstResponseAt')).toBe(20);
      expect(await repos().tickets.medianMinutesTo('resolvedAt')).toBe((60 + 1445) / 2);
      expect(await repos().tickets.createdPerDay('2026-02-28', '2026-03-02')).toEqual([
        { day: '2026-02-28', count: 1, sentimentSum: 0 },
        { day: '2026-03-01', count: 2, sentimentSum: -0.5 },
        { day: '2026-03-02', count: 0, sentimentSum: 0 },
      ]);
      await expectCode(repos().tickets.createdPerDay('2026-03-02', '2026-03-01'), 'bad_input');
      await expectCode(repos().tickets.createdPerDay('2025-01-01', '2026-03-01'), 'bad_input');
      expect(await repos().tickets.countResolvedBetween(at(0), at(60))).toBe(1);
      expect(await repos().tickets.countResolvedBetween(at(0), at(61))).toBe(2);
    });
  });

  describe('notes', () => {
    it('lists a customer\'s notes newest first, limited, and checks the customer exists', async () => {
      await repos().customers.create(customer(1));
      await repos().customers.create(customer(2));
      await repos().notes.add(note('n1', 'cus_001', at(1)));
      await repos().notes.add(note('n2', 'cus_001', at(3), { ticketId: 'T-1001' }));
      await repos().notes.add(note('n3', 'cus_001', at(2)));
      await repos().notes.add(note('n4', 'cus_002', at(9)));
      await expectCode(repos().notes.add(note('n5', 'cus_404', at(1))), 'not_found');
      await expectCode(repos().notes.add(note('n1', 'cus_001', at(1))), 'conflict');
      expect((await repos().notes.listForCustomer('cus_001', 10)).map((n) => n.id)).toEqual(['n2', 'n3', 'n1']);
      expect((await repos().notes.listForCustomer('cus_001', 1))[0]).toEqual(note('n2', 'cus_001', at(3), { ticketId: 'T-1001' }));
      expect(await repos().notes.listForCustomer('cus_404', 10)).toEqual([]);
      for (const bad of BAD_LIMITS) await expectCode(repos().notes.listForCustomer('cus_001', bad), 'bad_input');
    });
  });
}
