import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { dbSchema } from '../../src/store/schema.js';
import { createSupport, type Caller } from '../../src/support/index.js';
import { KB_DIR } from './fixture.js';

const SEED = fileURLToPath(new URL('../../data/seed.json', import.meta.url));

/** The rules also work on the committed demo data (written by another part of the project). */
describe.skipIf(!existsSync(SEED))('support over data/seed.json', () => {
  it('every customer can read their records and re-submit their own address; staff views work', async () => {
    const db = dbSchema.parse(JSON.parse(readFileSync(SEED, 'utf8')));
    const repos = createMemoryRepositories(db);
    const support = createSupport({ repos, kbDir: KB_DIR, staff: { isStaff: (id) => id === 'U_STAFF' }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080' });
    const staff: Caller = { kind: 'staff', staffId: 'U_STAFF' };
    for (const c of db.customers) {
      const caller: Caller = { kind: 'customer', customerId: c.id };
      const details = await support.accounts.details(caller);
      expect(details.cards.every((card) => /^\d{4}$/.test(card.last4))).toBe(true);
      for (const b of await support.accounts.balance(caller)) expect(b.formatted).toMatch(/\d/);
      const txs = await support.accounts.transactions(caller, { limit: 100 });
      expect(txs.every((t) => details.accounts.some((a) => a.id === t.accountId))).toBe(true);
      for (const t of await support.tickets.listMine(caller)) expect(t.customerId).toBe(c.id);
      const { line1, line2, city, region, postalCode, country } = c.address;
      await expect(support.accounts.updateAddress(caller, { line1, line2, city, region, postalCode, country })).resolves.toMatchObject({ status: 'pending_confirmation', address: { country } });
    }
    const metrics = await support.metrics.get(staff);
    expect(Object.values(metrics.ticketsByStatus).reduce((a, b) => a + b, 0)).toBe(db.tickets.length);
    for (const t of db.tickets) expect((await support.tickets.handle(staff, t.id)).ticket.id).toBe(t.id);
    const created = await support.tickets.create(staff, {}, { subject: 'Smoke', description: 'Smoke test ticket' });
    expect(Number(created.id.slice(2))).toBeGreaterThan(Math.max(...db.tickets.map((t) => Number(t.id.slice(2)))));
  });
});
