import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DATE, SEED_PATH, seedText } from '../../scripts/make-seed.js';
import { dbSchema, type Db, type TicketStatus } from '../../src/store/schema.js';

const text = await readFile(SEED_PATH, 'utf8');
const parsed = dbSchema.safeParse(JSON.parse(text));
const db = parsed.data as Db;
const ref = Date.parse(REFERENCE_DATE);
const DAY = 86_400_000;

/** open → in_progress → resolved → closed; reopen (→ open) from resolved/closed. */
const ALLOWED: Record<TicketStatus, TicketStatus[]> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['resolved', 'closed'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

describe('data/seed.json', () => {
  it('validates against the store schema and is exactly what the generator produces', () => {
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(seedText()).toBe(text);
  });

  it('has 20+ varied customers with sequential ids, about half on Slack', () => {
    expect(db.customers.length).toBeGreaterThanOrEqual(20);
    expect(db.customers.map((c) => c.id)).toEqual(db.customers.map((_, i) => `cus_${String(i + 1).padStart(3, '0')}`));
    expect(new Set(db.customers.map((c) => c.address.country)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(db.customers.map((c) => c.email)).size).toBe(db.customers.length);
    expect(db.customers.every((c) => c.phone?.startsWith('+'))).toBe(true);
    const slack = db.customers.filter((c) => c.slackUserId).map((c) => c.slackUserId!);
    expect(slack.length / db.customers.length).toBeGreaterThanOrEqual(0.4);
    expect(slack.length / db.customers.length).toBeLessThanOrEqual(0.6);
    expect(new Set(slack).size).toBe(slack.length);
    for (const id of slack) expect(id).toMatch(/^U0[A-Z0-9]{9}$/);
  });

  it('makes cus_001 a good demo customer', () => {
    const ada = db.customers[0]!;
    expect(ada).toMatchObject({ id: 'cus_001', slackUserId: 'U0DEMO00001', email: 'ada.lovelace@example.com' });
    expect(db.accounts.filter((a) => a.customerId === 'cus_001').map((a) => a.type).sort()).toEqual(['checking', 'savings']);
    const cards = db.cards.filter((c) => c.customerId === 'cus_001');
    expect(cards.filter((c) => c.status === 'active')).toHaveLength(2);
    expect(cards.filter((c) => c.status === 'deactivated')).toHaveLength(1);
  });

  it('gives every customer accounts and 1–3 cards of their own', () => {
    const accountOwner = new Map(db.accounts.map((a) => [a.id, a.customerId]));
    for (const c of db.customers) {
      expect(db.accounts.some((a) => a.customerId === c.id)).toBe(true);
      const cards = db.cards.filter((k) => k.customerId === c.id);
      expect(cards.length).toBeGreaterThanOrEqual(1);
      expect(cards.length).toBeLessThanOrEqual(3);
    }
    for (const card of db.cards) {
      expect(card.id).toMatch(/^card_/);
      expect(accountOwner.get(card.accountId)).toBe(card.customerId);
      expect(card.status === 'deactivated').toBe(card.deactivatedAt !== undefined);
    }
    expect(db.cards.filter((c) => c.status === 'deactivated').length).toBeGreaterThanOrEqual(3);
    expect(new Set(db.accounts.map((a) => a.type))).toEqual(new Set(['checking', 'savings', 'credit']));
    expect(new Set(db.accounts.map((a) => a.currency))).toEqual(new Set(['USD', 'EUR', 'GBP']));
    expect(db.accounts.every((a) => a.id.startsWith('acc_') && Number.isInteger(a.balanceMinor))).toBe(true);
  });

  it('has 10+ transactions per account within the 90 days before the reference date', () => {
    for (const account of db.accounts) {
      const txns = db.transactions.filter((t) => t.accountId === account.id);
      expect(txns.length, account.id).toBeGreaterThanOrEqual(10);
      for (const t of txns) {
        const at = Date.parse(t.postedAt);
        expect(at).toBeLessThanOrEqual(ref);
        expect(at).toBeGreaterThanOrEqual(ref - 90 * DAY);
        expect(t.currency).toBe(account.currency);
      }
    }
    expect(db.transactions.some((t) => t.amountMinor < 0)).toBe(true);
    expect(new Set(db.transactions.map((t) => t.status))).toEqual(new Set(['posted', 'pending']));
    expect(new Set(db.transactions.map((t) => t.id)).size).toBe(db.transactions.length);
  });

  it('has tickets in every status with consistent history, messages and timestamps', () => {
    for (const status of ['open', 'in_progress', 'resolved', 'closed'] as const) {
      expect(db.tickets.filter((t) => t.status === status).length, status).toBeGreaterThanOrEqual(2);
    }
    expect(db.tickets.map((t) => t.id)).toEqual(db.tickets.map((_, i) => `T-${1001 + i}`));
    expect(db.state['tickets.nextNumber']).toBe(1001 + db.tickets.length);
    const customers = new Set(db.customers.map((c) => c.id));
    for (const t of db.tickets) {
      if (t.customerId !== null) expect(customers.has(t.customerId)).toBe(true);
      else expect(t.contact).toBeTruthy();
      expect(t.history[0]).toMatchObject({ from: null, to: 'open' });
      for (const [i, h] of t.history.entries()) {
        if (i > 0) expect(ALLOWED[h.from!], `${t.id} ${h.from}→${h.to}`).toContain(h.to);
        if (i > 0) expect(h.from).toBe(t.history[i - 1]!.to);
      }
      expect(t.history.at(-1)!.to).toBe(t.status);
      const handled = t.status !== 'open';
      if (handled) expect(t.firstResponseAt, t.id).toBeDefined();
      expect(t.resolvedAt !== undefined, t.id).toBe(t.status === 'resolved' || t.status === 'closed');
      expect(t.closedAt !== undefined, t.id).toBe(t.status === 'closed');
      expect(Date.parse(t.updatedAt)).toBeLessThanOrEqual(ref);
    }
    const visibilities = new Set(db.tickets.flatMap((t) => t.messages.map((m) => m.visibility)));
    expect(visibilities).toEqual(new Set(['public', 'internal']));
    expect(db.tickets.some((t) => t.history.some((h) => h.to === 'open' && h.from !== null))).toBe(true); // a reopened one
  });

  it('has CRM notes on real customers and tickets, and empty runtime collections', () => {
    expect(db.notes.length).toBeGreaterThanOrEqual(10);
    const tickets = new Set(db.tickets.map((t) => t.id));
    for (const n of db.notes) {
      expect(db.customers.some((c) => c.id === n.customerId)).toBe(true);
      if (n.ticketId) expect(tickets.has(n.ticketId)).toBe(true);
    }
    expect([db.approvals, db.resetTokens, db.outbox, db.audit, db.quarantine].map((c) => c.length)).toEqual([0, 0, 0, 0, 0]);
    expect([db.conversations, db.processed].map((r) => Object.keys(r).length)).toEqual([0, 0]);
  });
});
