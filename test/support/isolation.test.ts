import { describe, expect, it } from 'vitest';
import { ANN, makeSupport, snapshot } from './fixture.js';

/** Ann tries, by every argument she controls, to reach Bob's records. */
describe('customer isolation', () => {
  it('reads never include another customer\'s data', async () => {
    const { support } = await makeSupport();
    const everything = JSON.stringify([
      await support.accounts.details(ANN),
      await support.accounts.balance(ANN),
      await support.accounts.transactions(ANN, { limit: 100 }),
      await support.tickets.listMine(ANN, { limit: 200 }),
    ]);
    for (const bobThing of ['cus_bob', 'acc_bob_chk', 'card_bob_1', '0005', 'T-1002', 'bob@example.org', 'Café']) {
      expect(everything).not.toContain(bobThing);
    }
  });

  it('another customer\'s ticket, account or card is "not found", and nothing changes', async () => {
    const h = await makeSupport();
    const before = await snapshot(h);
    await expect(h.support.tickets.get(ANN, 'T-1002')).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.tickets.get(ANN, 'T-1003')).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.accounts.transactions(ANN, { accountId: 'acc_bob_chk' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.tickets.addCustomerMessage(ANN, { ticketId: 'T-1002', message: 'hi' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { cardId: 'card_bob_1', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '0005', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await snapshot(h)).toEqual(before);
  });

  it('an id smuggled into the arguments is rejected, not obeyed', async () => {
    const h = await makeSupport();
    const before = await snapshot(h);
    const smuggle = { customerId: 'cus_bob' } as object;
    await expect(h.support.accounts.transactions(ANN, { ...smuggle } as never)).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.tickets.listMine(ANN, { ...smuggle } as never)).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.accounts.updateAddress(ANN, { line1: '1 X', city: 'Y', postalCode: '1', country: 'US', ...smuggle } as never)).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '0005', reason: 'x', ...smuggle } as never)).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.tickets.addCustomerMessage(ANN, { ticketId: 'T-1001', message: 'x', ...smuggle } as never)).rejects.toMatchObject({ code: 'bad_input' });
    expect(await snapshot(h)).toEqual(before);
  });

  it('a caller whose customer record is missing gets nothing', async () => {
    const h = await makeSupport();
    const ghost = { kind: 'customer' as const, customerId: 'cus_bob ' };
    await expect(h.support.accounts.balance(ghost)).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.tickets.get(ghost, 'T-1002')).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.support.approvals.requestPasswordChange(ghost, {}, 'x')).rejects.toMatchObject({ code: 'not_found' });
  });
});
