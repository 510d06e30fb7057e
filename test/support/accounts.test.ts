import { describe, expect, it } from 'vitest';
import { ANN, ANON, auditLog, BOB, fixtureDb, makeSupport, NOT_STAFF, snapshot, STAFF, systemMails } from './fixture.js';

describe('accounts', () => {
  it('details show the caller, their accounts and masked cards only', async () => {
    const { support } = await makeSupport();
    const d = await support.accounts.details(ANN);
    expect(d.customer).toMatchObject({ id: 'cus_ann', name: 'Ann Lee', address: { country: 'US' } });
    expect(d.accounts.map((a) => a.id).sort()).toEqual(['acc_ann_chk', 'acc_ann_sav']);
    expect(d.cards.map((c) => c.last4).sort()).toEqual(['1111', '4242']);
    expect(Object.keys(d.cards[0] ?? {}).sort()).toEqual(['accountId', 'brand', 'expMonth', 'expYear', 'id', 'last4', 'status']);
    expect(JSON.stringify(d)).not.toContain('cus_bob');
  });

  it('balances are integer minor units with a per-currency formatted amount', async () => {
    const { support } = await makeSupport();
    const ann = await support.accounts.balance(ANN);
    expect(ann.find((b) => b.accountId === 'acc_ann_chk')).toMatchObject({ balanceMinor: 123456, currency: 'USD', formatted: '$1,234.56' });
    expect(ann.find((b) => b.accountId === 'acc_ann_sav')).toMatchObject({ balanceMinor: 50000, formatted: '¥50,000' });
    expect(await support.accounts.balance(BOB)).toEqual([{ accountId: 'acc_bob_chk', type: 'checking', currency: 'EUR', balanceMinor: -2550, formatted: '-€25.50' }]);
  });

  it('transactions: newest first, default 10, limit, since/until, one account', async () => {
    const { support } = await makeSupport();
    const all = await support.accounts.transactions(ANN, {});
    expect(all).toHaveLength(10);
    const times = all.map((t) => Date.parse(t.postedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all[0]?.id).toBe('tx_ann_11');
    expect(await support.accounts.transactions(ANN, { limit: 100 })).toHaveLength(14);
    expect((await support.accounts.transactions(ANN, { limit: 3 })).map((t) => t.id)).toEqual(['tx_ann_11', 'tx_ann_10', 'tx_ann_9']);
    const window = await support.accounts.transactions(ANN, { since: '2026-03-01', until: '2026-03-03', limit: 100 });
    expect(window.map((t) => t.postedAt.slice(0, 10))).toEqual(['2026-03-03', '2026-03-02', '2026-03-01']);
    const sav = await support.accounts.transactions(ANN, { accountId: 'acc_ann_sav' });
    expect(sav.map((t) => t.id)).toEqual(['tx_ann_s1', 'tx_ann_s2']);
    expect(await support.accounts.transactions(ANN, { since: '2026-03-05T09:00:00Z', accountId: 'acc_ann_sav' })).toEqual([]);
  });

  it('transactions of another customer account are not found, and bad filters are rejected', async () => {
    const { support } = await makeSupport();
    await expect(support.accounts.transactions(ANN, { accountId: 'acc_bob_chk' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(support.accounts.transactions(ANN, { limit: 0 })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(support.accounts.transactions(ANN, { limit: 101 })).rejects.toThrow(/at most 100/);
    await expect(support.accounts.transactions(ANN, { since: 'yesterday' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(support.accounts.transactions(ANN, { since: '2026-03-05', until: '2026-03-01' })).rejects.toThrow(/since is after until/);
  });

  it('an address update only asks (country uppercased); the confirmation applies it, audits it and tells the email on file', async () => {
    const { support, repos } = await makeSupport();
    const r = await support.accounts.updateAddress(ANN, { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'de' });
    expect(r).toMatchObject({ status: 'pending_confirmation', address: { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' } });
    expect((await support.accounts.details(ANN)).customer.address).toMatchObject({ line1: '1 Oak St', country: 'US' });
    await support.accounts.confirmAddressChangeById(ANN, r.changeId);
    expect((await support.accounts.details(ANN)).customer.address).toEqual({ line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' });
    const audit = (await auditLog(repos)).at(-1);
    expect(audit).toMatchObject({ actor: { kind: 'customer', id: 'cus_ann' }, action: 'address.update', target: 'customer:cus_ann' });
    // The address on file is told, so a change the customer did not make is noticed.
    const notice = (await systemMails(repos)).at(-1);
    expect(notice).toMatchObject({ status: 'pending', payload: { kind: 'system', to: 'Ann.Lee@example.com', subject: 'Your postal address was changed' } });
    expect(notice?.payload.text).toContain('5 New Way');
    expect(notice?.payload.text).toContain('If you did not');
  });

  it('rejects unknown countries and bad fields without changing anything', async () => {
    const h = await makeSupport();
    const { support } = h;
    const before = await snapshot(h);
    for (const country of ['XX', 'EU', 'Germany', 'D', '']) {
      await expect(support.accounts.updateAddress(ANN, { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country })).rejects.toMatchObject({ code: 'bad_input' });
    }
    await expect(support.accounts.updateAddress(ANN, { line1: '', city: 'Berlin', postalCode: '10115', country: 'DE' })).rejects.toThrow(/line1/);
    await expect(support.accounts.updateAddress(ANN, { line1: 'x', city: 'Berlin', postalCode: '<script>', country: 'DE' })).rejects.toThrow(/postalCode/);
    expect(await snapshot(h)).toEqual(before);
  });

  it('identity lookups: slack id, case-insensitive exact email, id; never the password hash', async () => {
    const db = fixtureDb();
    db.customers[0]!.passwordHash = 'scrypt$16384$8$1$c2FsdA==$aGFzaA==';
    const { support } = await makeSupport({ db });
    expect((await support.accounts.customerBySlackUserId('U_ANN'))?.id).toBe('cus_ann');
    expect(await support.accounts.customerBySlackUserId('U_NOPE')).toBeUndefined();
    expect((await support.accounts.customerByEmail('  ann.lee@EXAMPLE.com '))?.id).toBe('cus_ann');
    expect(await support.accounts.customerByEmail('ann.lee@example.co')).toBeUndefined();
    expect(await support.accounts.customerByEmail('lee@example.com')).toBeUndefined();
    expect((await support.accounts.customer('cus_bob'))?.name).toBe('Bob Stone');
    expect(await support.accounts.customer('nope')).toBeUndefined();
    for (const found of [await support.accounts.customer('cus_ann'), await support.accounts.customerByEmail('ann.lee@example.com'), await support.accounts.customerBySlackUserId('U_ANN')]) {
      expect(found).toMatchObject({ id: 'cus_ann' });
      expect(found).not.toHaveProperty('passwordHash');
    }
  });

  it('findCustomer is staff-only and matches name, email or id substrings', async () => {
    const { support } = await makeSupport();
    expect((await support.accounts.findCustomer(STAFF, 'stone')).map((c) => c.id)).toEqual(['cus_bob']);
    expect((await support.accounts.findCustomer(STAFF, 'EXAMPLE')).map((c) => c.id)).toEqual(['cus_ann', 'cus_bob']);
    expect((await support.accounts.findCustomer(STAFF, 'cus_a')).map((c) => c.id)).toEqual(['cus_ann']);
    expect((await support.accounts.findCustomer(STAFF, 'u_ann')).map((c) => c.id)).toEqual(['cus_ann']);
    expect(await support.accounts.findCustomer(STAFF, 'zzz')).toEqual([]);
    for (const caller of [ANN, ANON, NOT_STAFF]) {
      await expect(support.accounts.findCustomer(caller, 'ann')).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('customer operations refuse staff and anonymous callers', async () => {
    const { support } = await makeSupport();
    for (const caller of [STAFF, ANON]) {
      await expect(support.accounts.details(caller)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(support.accounts.balance(caller)).rejects.toMatchObject({ code: 'forbidden' });
    }
    await expect(support.accounts.details({ kind: 'customer', customerId: 'cus_ghost' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
