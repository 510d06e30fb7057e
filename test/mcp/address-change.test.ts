import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, ANON, BOB, STAFF, call, createHarness, ok, textOf, type Harness } from './fixtures.js';

const PARIS = { line1: '7 Rue Neuve', city: 'Paris', postalCode: '75001', country: 'FR' };

let h: Harness;
beforeEach(() => { h = createHarness(); });
afterEach(async () => { await h.closeAll(); });

const addressOf = async (id: string) => (await h.repos.customers.get(id))?.address;

describe('update_address asks; only the customer confirms', () => {
  it('however often a model calls it, the address on file stays until the customer confirms', async () => {
    const alice = await h.connect(ALICE);
    const before = await addressOf('cus_001');
    // Nor can it smuggle a confirmation, another customer or a change id into the request.
    for (const extra of [{ confirmed: true }, { customerId: 'cus_002' }, { changeId: 'adr_0123456789' }]) {
      expect((await call(alice, 'update_address', { ...PARIS, ...extra })).isError, JSON.stringify(extra)).toBe(true);
    }
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(ok<{ status: string; changeId: string }>(await call(alice, 'update_address', PARIS)).changeId);
    expect(await addressOf('cus_001')).toEqual(before);
    // Each newer request replaced the one before: at most one is pending.
    expect((await Promise.all(ids.map((id) => h.repos.addressChanges.get(id)))).map((c) => c?.status)).toEqual(['superseded', 'superseded', 'pending']);
    expect(new Set(ids).size).toBe(3);
    // The confirmation is the customer's (support code behind the link or the terminal), and it applies the newest.
    await h.support.accounts.confirmAddressChangeById(ALICE, ids[2]!);
    expect(await addressOf('cus_001')).toMatchObject(PARIS);
  });

  it('no caller, customer, staff or anonymous, is offered a tool that confirms or applies an address change', async () => {
    for (const caller of [ALICE, STAFF, ANON]) {
      const conn = await h.connect(caller);
      const tools = (await conn.client.listTools()).tools;
      expect(tools.map((t) => t.name).filter((n) => /confirm/i.test(n))).toEqual([]);
      const update = tools.find((t) => t.name === 'update_address');
      if (update) {
        expect(update.description).toContain('It does NOT change the address');
        expect(update.annotations?.readOnlyHint).toBe(false);
      }
      const r = await call(conn, 'confirm_address_change', { changeId: 'adr_0123456789' });
      expect(r.isError).toBe(true);
    }
  });

  it('another customer cannot confirm Alice\'s pending change by its id', async () => {
    const alice = await h.connect(ALICE);
    const { changeId } = ok<{ changeId: string }>(await call(alice, 'update_address', PARIS));
    await expect(h.support.accounts.confirmAddressChangeById(BOB, changeId)).rejects.toMatchObject({ code: 'not_found' });
    expect((await addressOf('cus_001'))?.city).toBe('Springfield');
    expect(textOf(await call(alice, 'get_account_details'))).toContain('Springfield');
  });
});
