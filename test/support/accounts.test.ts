import { describe, expect, it } from 'vitest';
import { ANN, ANON, BOB, makeSupport, NOT_STAFF, snapshot, STAFF } from './fixture.js';

describe('accounts', () => {
  it('details show the caller, their accounts and masked cards only', () => {
    const { support } = makeSupport();
    const d = support.accounts.details(ANN);
    expect(d.customer).toMatchObject({ id: 'cus_ann', name: 'Ann Lee', address: { country: 'US' } });
    expect(d.accounts.map((a) => a.id).sort()).toEqual(['acc_ann_chk', 'acc_ann_sav']);
    expect(d.cards.map((c) => c.last4).sort()).toEqual(['1111', '4242']);
    expect(Object.keys(d.cards[0] ?? {}).sort()).toEqual(['accountId', 'brand', 'expMonth', 'expYear', 'id', 'last4', 'status']);
    expect(JSON.stringify(d)).not.toContain('cus_bob');
  });

  it('balances are integer minor units with a per-currency formatted amount', () => {
    const { support } = makeSupport();
    const ann = support.accounts.balance(ANN);
    expect(ann.find((b) => b.accountId === 'acc_ann_chk')).toMatchObject({ balanceMinor: 123456, currency: 'USD', formatted: '$1,234.56' });
    expect(ann.find((b) => b.accountId === 'acc_ann_sav')).toMatchObject({ balanceMinor: 50000, formatted: '¥50,000' });
    expect(support.accounts.balance(BOB)).toEqual([{ accountId: 'acc_bob_chk', type: 'checking', currency: 'EUR', balanceMinor: -2550, formatted: '-€25.50' }]);
  });

  it('transactions: newest first, default 10, limit, since/until, one account', () => {
    const { support } = makeSupport();
    const all = support.accounts.transactions(ANN, {});
    expect(all).toHaveLength(10);
    const times = all.map((t) => Date.parse(t.postedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all[0]?.id).toBe('tx_ann_11');
    expect(support.accounts.transactions(ANN, { limit: 100 })).toHaveLength(14);
    expect(support.accounts.transactions(ANN, { limit: 3 }).map((t) => t.id)).toEqual(['tx_ann_11', 'tx_ann_10', 'tx_ann_9']);
    const window = support.accounts.transactions(ANN, { since: '2026-03-01', until: '2026-03-03', limit: 100 });
    expect(window.map((t) => t.postedAt.slice(0, 10))).toEqual(['2026-03-03', '2026-03-02', '2026-03-01']);
    const sav = support.accounts.transactions(ANN, { accountId: 'acc_ann_sav' });
    expect(sav.map((t) => t.id)).toEqual(['tx_ann_s1', 'tx_ann_s2']);
    expect(support.accounts.transactions(ANN, { since: '2026-03-05T09:00:00Z', accountId: 'acc_ann_sav' })).toEqual([]);
  });

  it('transactions of another customer account are not found, and bad filters are rejected', () => {
    const { support } = makeSupport();
    expect(() => support.accounts.transactions(ANN, { accountId: 'acc_bob_chk' })).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => support.accounts.transactions(ANN, { limit: 0 })).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => support.accounts.transactions(ANN, { limit: 101 })).toThrow(/at most 100/);
    expect(() => support.accounts.transactions(ANN, { since: 'yesterday' })).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => support.accounts.transactions(ANN, { since: '2026-03-05', until: '2026-03-01' })).toThrow(/since is after until/);
  });

  it('an address update only asks (country uppercased); the confirmation applies it, audits it and tells the email on file', async () => {
    const { support, store } = makeSupport();
    const r = await support.accounts.updateAddress(ANN, { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'de' });
    expect(r).toMatchObject({ status: 'pending_confirmation', address: { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' } });
    expect(support.accounts.details(ANN).customer.address).toMatchObject({ line1: '1 Oak St', country: 'US' });
    await support.accounts.confirmAddressChangeById(ANN, r.changeId);
    expect(support.accounts.details(ANN).customer.address).toEqual({ line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' });
    const audit = store.read().audit.at(-1);
    expect(audit).toMatchObject({ actor: { kind: 'customer', id: 'cus_ann' }, action: 'address.update', target: 'customer:cus_ann' });
    // The address on file is told, so a change the customer did not make is noticed.
    const notice = store.read().outbox.at(-1);
    expect(notice).toMatchObject({ channel: 'email', status: 'pending', payload: { kind: 'system', to: 'Ann.Lee@example.com', subject: 'Your postal address was changed' } });
    expect(String(notice?.payload['text'])).toContain('5 New Way');
    expect(String(notice?.payload['text'])).toContain('If you did not');
  });

  it('rejects unknown countries and bad fields without changing anything', async () => {
    const { support, store } = makeSupport();
    const before = snapshot(store);
    for (const country of ['XX', 'EU', 'Germany', 'D', '']) {
      await expect(support.accounts.updateAddress(ANN, { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country })).rejects.toMatchObject({ code: 'bad_input' });
    }
    await expect(support.accounts.updateAddress(ANN, { line1: '', city: 'Berlin', postalCode: '10115', country: 'DE' })).rejects.toThrow(/line1/);
    await expect(support.accounts.updateAddress(ANN, { line1: 'x', city: 'Berlin', postalCode: '<script>', country: 'DE' })).rejects.toThrow(/postalCode/);
    expect(snapshot(store)).toEqual(before);
  });

  it('identity lookups: slack id, case-insensitive exact email, id; never the password hash', () => {
    const { support } = makeSupport();
    expect(support.accounts.customerBySlackUserId('U_ANN')?.id).toBe('cus_ann');
    expect(support.accounts.customerBySlackUserId('U_NOPE')).toBeUndefined();
    expect(support.accounts.customerByEmail('  ann.lee@EXAMPLE.com ')?.id).toBe('cus_ann');
    expect(support.accounts.customerByEmail('ann.lee@example.co')).toBeUndefined();
    expect(support.accounts.customerByEmail('lee@example.com')).toBeUndefined();
    expect(support.accounts.customer('cus_bob')?.name).toBe('Bob Stone');
    expect(support.accounts.customer('nope')).toBeUndefined();
  });

  it('findCustomer is staff-only and matches name, email or id substrings', () => {
    const { support } = makeSupport();
    expect(support.accounts.findCustomer(STAFF, 'stone').map((c) => c.id)).toEqual(['cus_bob']);
    expect(support.accounts.findCustomer(STAFF, 'EXAMPLE').map((c) => c.id)).toEqual(['cus_ann', 'cus_bob']);
    expect(support.accounts.findCustomer(STAFF, 'cus_a').map((c) => c.id)).toEqual(['cus_ann']);
    expect(support.accounts.findCustomer(STAFF, 'zzz')).toEqual([]);
    for (const caller of [ANN, ANON, NOT_STAFF]) {
      expect(() => support.accounts.findCustomer(caller, 'ann')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    }
  });

  it('customer operations refuse staff and anonymous callers', () => {
    const { support } = makeSupport();
    for (const caller of [STAFF, ANON]) {
      expect(() => support.accounts.details(caller)).toThrow(expect.objectContaining({ code: 'forbidden' }));
      expect(() => support.accounts.balance(caller)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    }
    expect(() => support.accounts.details({ kind: 'customer', customerId: 'cus_ghost' })).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
