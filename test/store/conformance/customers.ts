import { describe, expect, it } from 'vitest';
import { account, at, card, customer, seedCustomer, transaction } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

export function customerTests(repos: GetRepos): void {
  describe('customers', () => {
    it('stores a customer and returns copies, never live references', async () => {
      const input = customer(1, { slackUserId: 'U1', passwordHash: 'scrypt$x' });
      await repos().customers.create(input);
      input.name = 'changed after create';
      const first = await repos().customers.get('cus_001');
      expect(first).toEqual(customer(1, { slackUserId: 'U1', passwordHash: 'scrypt$x' }));
      first!.address.city = 'changed after get';
      expect((await repos().customers.get('cus_001'))?.address.city).toBe('Springfield');
      expect(await repos().customers.get('cus_404')).toBeUndefined();
    });

    it('refuses a duplicate id, email (any case) or Slack user id', async () => {
      await repos().customers.create(customer(1, { slackUserId: 'U1' }));
      await expectCode(repos().customers.create(customer(1, { email: 'other@example.com' })), 'conflict');
      await expectCode(repos().customers.create(customer(2, { email: ' CUSTOMER1@example.COM' })), 'conflict');
      await expectCode(repos().customers.create(customer(3, { slackUserId: 'U1' })), 'conflict');
      expect(await repos().customers.get('cus_002')).toBeUndefined();
    });

    it('finds a customer by email ignoring case and spaces, and by Slack user id', async () => {
      await repos().customers.create(customer(1, { slackUserId: 'U1' }));
      await repos().customers.create(customer(2));
      expect((await repos().customers.findByEmail('  Customer1@EXAMPLE.com '))?.id).toBe('cus_001');
      expect(await repos().customers.findByEmail('nobody@example.com')).toBeUndefined();
      expect((await repos().customers.findBySlackUserId('U1'))?.id).toBe('cus_001');
      expect(await repos().customers.findBySlackUserId('U2')).toBeUndefined();
      expect((await repos().customers.getMany(['cus_002', 'cus_404', 'cus_001'])).map((c) => c.id)).toEqual(['cus_002', 'cus_001']);
      expect(await repos().customers.getMany([])).toEqual([]);
    });

    it('searches id, name and email by substring, Slack id exactly, ordered by id, limited', async () => {
      for (const n of [3, 1, 2]) await repos().customers.create(customer(n, { slackUserId: `UX${n}` }));
      await repos().customers.create(customer(4, { name: 'Zed', email: 'zed@other.org' }));
      expect((await repos().customers.search('CUSTOMER', 10)).map((c) => c.id)).toEqual(['cus_001', 'cus_002', 'cus_003']);
      expect((await repos().customers.search('customer', 2)).map((c) => c.id)).toEqual(['cus_001', 'cus_002']);
      expect((await repos().customers.search('other.org', 10)).map((c) => c.id)).toEqual(['cus_004']);
      expect((await repos().customers.search('ux2', 10)).map((c) => c.id)).toEqual(['cus_002']);
      expect(await repos().customers.search('UX', 10)).toEqual([]);
      await expectCode(repos().customers.search('  ', 10), 'bad_input');
      for (const bad of BAD_LIMITS) await expectCode(repos().customers.search('c', bad), 'bad_input');
    });

    it('replaces the address and the password hash', async () => {
      await repos().customers.create(customer(1));
      const moved = await repos().customers.setAddress('cus_001', { line1: '2 Elm', city: 'Ogdenville', postalCode: '999', country: 'CA' });
      expect(moved?.address).toEqual({ line1: '2 Elm', city: 'Ogdenville', postalCode: '999', country: 'CA' });
      expect((await repos().customers.get('cus_001'))?.address.city).toBe('Ogdenville');
      expect(await repos().customers.setAddress('cus_404', customer(1).address)).toBeUndefined();
      expect(await repos().customers.setPasswordHash('cus_001', 'scrypt$new', at(5))).toBe(true);
      expect(await repos().customers.get('cus_001')).toMatchObject({ passwordHash: 'scrypt$new', passwordChangedAt: at(5) });
      expect(await repos().customers.setPasswordHash('cus_404', 'x', at(5))).toBe(false);
    });

    it('keeps accounts and cards per customer and checks their owners exist', async () => {
      await repos().customers.create(customer(1));
      await repos().customers.create(customer(2));
      await repos().customers.addAccount(account('acc_b', 'cus_001', { openedAt: at(-10) }));
      await repos().customers.addAccount(account('acc_a', 'cus_001', { openedAt: at(-20) }));
      await repos().customers.addAccount(account('acc_c', 'cus_002'));
      await expectCode(repos().customers.addAccount(account('acc_b', 'cus_001')), 'conflict');
      await expectCode(repos().customers.addAccount(account('acc_x', 'cus_404')), 'not_found');
      expect((await repos().customers.accountsOf('cus_001')).map((a) => a.id)).toEqual(['acc_a', 'acc_b']);
      expect((await repos().customers.getAccount('acc_c'))?.customerId).toBe('cus_002');
      await repos().customers.addCard(card('card_1', 'cus_001', 'acc_a'));
      await repos().customers.addCard(card('card_2', 'cus_001', 'acc_b', { last4: '1111' }));
      await expectCode(repos().customers.addCard(card('card_3', 'cus_404', 'acc_a')), 'not_found');
      await expectCode(repos().customers.addCard(card('card_3', 'cus_001', 'acc_404')), 'not_found');
      expect((await repos().customers.cardsOf('cus_001')).map((c) => c.id)).toEqual(['card_1', 'card_2']);
      expect(await repos().customers.cardsOf('cus_002')).toEqual([]);
      expect((await repos().customers.getCard('card_2'))?.last4).toBe('1111');
    });

    it('deactivates a card once: compare-and-set, one winner among concurrent callers', async () => {
      await seedCustomer(repos(), 1);
      const results = await concurrently(10, (i) => repos().customers.deactivateCard('card_1', at(i)));
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.record).toMatchObject({ status: 'deactivated' });
      const stored = await repos().customers.getCard('card_1');
      expect(stored?.deactivatedAt).toBe(winners[0]?.record?.deactivatedAt);
      for (const r of results.filter((x) => !x.won)) expect(r.record?.status).toBe('deactivated');
      expect(await repos().customers.deactivateCard('card_404', at(0))).toEqual({ won: false, record: undefined });
    });

    it('freezes an active card once and unfreezes a frozen one once: compare-and-set on the status', async () => {
      await seedCustomer(repos(), 1);
      const freezes = await concurrently(10, () => repos().customers.freezeCard('card_1'));
      expect(freezes.filter((r) => r.won)).toHaveLength(1);
      for (const r of freezes) expect(r.record).toMatchObject({ id: 'card_1', status: 'frozen' });
      expect((await repos().customers.getCard('card_1'))?.status).toBe('frozen');
      expect((await repos().customers.cardsOf('cus_001')).map((c) => c.status)).toEqual(['frozen']);
      const unfreezes = await concurrently(10, () => repos().customers.unfreezeCard('card_1'));
      expect(unfreezes.filter((r) => r.won)).toHaveLength(1);
      expect((await repos().customers.getCard('card_1'))?.status).toBe('active');
      // Unfreezing an active card is not won; neither is anything on a card that does not exist.
      expect(await repos().customers.unfreezeCard('card_1')).toMatchObject({ won: false, record: { status: 'active' } });
      expect(await repos().customers.freezeCard('card_404')).toEqual({ won: false, record: undefined });
      expect(await repos().customers.unfreezeCard('card_404')).toEqual({ won: false, record: undefined });
    });

    it('deactivates a frozen card; a deactivated card can be neither frozen nor unfrozen', async () => {
      await seedCustomer(repos(), 1);
      await repos().customers.addCard(card('card_1b', 'cus_001', 'acc_1', { status: 'frozen', last4: '1111' }));
      expect((await repos().customers.getCard('card_1b'))?.status).toBe('frozen');
      const d = await repos().customers.deactivateCard('card_1b', at(3));
      expect(d).toEqual({ won: true, record: card('card_1b', 'cus_001', 'acc_1', { status: 'deactivated', last4: '1111', deactivatedAt: at(3) }) });
      expect(await repos().customers.freezeCard('card_1b')).toMatchObject({ won: false, record: { status: 'deactivated' } });
      expect(await repos().customers.unfreezeCard('card_1b')).toMatchObject({ won: false, record: { status: 'deactivated' } });
      expect((await repos().customers.getCard('card_1b'))?.deactivatedAt).toBe(at(3));
    });

    it('lists transactions newest first within inclusive bounds, over the given accounts, limited', async () => {
      await seedCustomer(repos(), 1);
      await repos().customers.addAccount(account('acc_9', 'cus_001'));
      await repos().customers.addTransaction(transaction('tx_1', 'acc_1', at(10)));
      await repos().customers.addTransaction(transaction('tx_2', 'acc_1', at(30)));
      await repos().customers.addTransaction(transaction('tx_3', 'acc_9', at(20)));
      await repos().customers.addTransaction(transaction('tx_4', 'acc_1', at(30)));
      await expectCode(repos().customers.addTransaction(transaction('tx_5', 'acc_404', at(0))), 'not_found');
      await expectCode(repos().customers.addTransaction(transaction('tx_1', 'acc_1', at(0))), 'conflict');
      const q = (extra: object) => repos().customers.transactions({ accountIds: ['acc_1', 'acc_9'], limit: 10, ...extra }).then((l) => l.map((t) => t.id));
      expect(await q({})).toEqual(['tx_4', 'tx_2', 'tx_3', 'tx_1']);
      expect(await q({ since: at(20), until: at(30) })).toEqual(['tx_4', 'tx_2', 'tx_3']);
      expect(await q({ until: at(20) })).toEqual(['tx_3', 'tx_1']);
      expect(await q({ limit: 2 })).toEqual(['tx_4', 'tx_2']);
      expect(await repos().customers.transactions({ accountIds: ['acc_9'], limit: 10 }).then((l) => l.map((t) => t.id))).toEqual(['tx_3']);
      expect(await repos().customers.transactions({ accountIds: [], limit: 10 })).toEqual([]);
      for (const bad of BAD_LIMITS) await expectCode(repos().customers.transactions({ accountIds: ['acc_1'], limit: bad }), 'bad_input');
    });
  });
}
