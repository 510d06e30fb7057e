import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/store/repos/index.js';
import { LINK_PLACEHOLDER } from '../../src/support/index.js';
import { ANN, auditLog, BOB, type Harness, makeSupport, snapshot, systemMails } from './fixture.js';

const BERLIN = { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'de' };
const ANN_HOME = { line1: '1 Oak St', city: 'Springfield', postalCode: '12345', country: 'US' };
const LINK = /https:\/\/help\.example\.com\/confirm-address\/(adr_[a-f0-9]+\.\d+\.[A-Za-z0-9_-]+)/;

/** The newest confirmation mail to `to`, and its link minted as the outbox worker mints it when the mail leaves. */
async function linkMail({ support, repos }: Pick<Harness, 'support' | 'repos'>, to = 'Ann.Lee@example.com') {
  const mail = (await systemMails(repos)).filter((o) => o.payload.to === to && o.payload.subject === 'Confirm your new postal address').at(-1);
  const token = LINK.exec(mail ? await support.systemMail.render(mail.payload) : '')?.[1] ?? '';
  return { mail, token };
}

const noticesTo = async (repos: Repositories, to: string) => (await systemMails(repos)).filter((o) => o.payload.to === to && o.payload.subject === 'Your postal address was changed');
const lastAudit = async (repos: Repositories) => (await auditLog(repos)).at(-1);

describe('address changes wait for the customer\'s own confirmation', () => {
  it('a request records a pending change and emails a link; the address on file is unchanged', async () => {
    const { support, repos } = await makeSupport();
    const r = await support.accounts.updateAddress(ANN, BERLIN, { channel: 'slack', threadKey: 'slack:T:C:1' });
    expect(r).toMatchObject({ status: 'pending_confirmation', address: { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' }, linkEmailed: true, expiresAt: '2026-03-10T12:30:00.000Z' });
    expect(r.changeId).toMatch(/^adr_[a-f0-9]+$/);
    expect(r.message).toContain('nothing has changed yet');
    expect(r.message).toContain('We emailed a confirmation link to A…@example.com');
    // Not offered outside the terminal: there is no terminal here to type it into.
    expect(r.message).not.toContain('confirm adr_');
    expect((await support.accounts.details(ANN)).customer.address).toEqual(ANN_HOME);
    const { mail, token } = await linkMail({ support, repos });
    expect(mail).toMatchObject({ status: 'pending', payload: { kind: 'system', to: 'Ann.Lee@example.com' } });
    expect(token.startsWith(`${r.changeId}.`)).toBe(true);
    expect(String(mail?.payload.text)).toContain('5 New Way');
    expect(await noticesTo(repos, 'Ann.Lee@example.com')).toEqual([]);
    expect(await lastAudit(repos)).toMatchObject({ action: 'address.change_requested', actor: { kind: 'customer', id: 'cus_ann' }, details: { changeId: r.changeId, linkEmailed: true } });
  });

  it('keeps only a scrypt hash of the link: the secret is nowhere in the store (outbox included), nor in the result', async () => {
    const { support, repos } = await makeSupport();
    const r = await support.accounts.updateAddress(ANN, BERLIN, { channel: 'terminal' });
    const { token } = await linkMail({ support, repos });
    const secret = token.split('.')[2] ?? '';
    expect(secret.length).toBeGreaterThan(40);
    // Nowhere, the outbox included: the queued mail holds a placeholder, the link is minted as it leaves.
    expect(JSON.stringify(await snapshot({ repos }))).not.toContain(secret);
    expect(String((await systemMails(repos))[0]?.payload.text)).toContain(LINK_PLACEHOLDER);
    expect(JSON.stringify(r)).not.toContain(secret);
    expect((await repos.addressChanges.get(r.changeId))?.tokenHashes[0]).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  });

  it('the link applies the change once, tells the email on file, audits it; a replay is refused', async () => {
    const { support, repos } = await makeSupport();
    const r = await support.accounts.updateAddress(ANN, BERLIN);
    const { token } = await linkMail({ support, repos });
    expect(await support.accounts.inspectAddressChange(token)).toEqual({ valid: true, changeId: r.changeId, address: r.address });
    expect((await support.accounts.details(ANN)).customer.address).toEqual(ANN_HOME);

    await expect(support.accounts.confirmAddressChange(token)).resolves.toEqual({ changeId: r.changeId, customerId: 'cus_ann', address: r.address });
    expect((await support.accounts.details(ANN)).customer.address).toEqual({ line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' });
    const notices = await noticesTo(repos, 'Ann.Lee@example.com');
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.payload.text)).toContain('5 New Way');
    expect(String(notices[0]?.payload.text)).toContain('If you did not');
    expect(await lastAudit(repos)).toMatchObject({ action: 'address.update', actor: { kind: 'customer', id: 'cus_ann' }, target: 'customer:cus_ann', details: { changeId: r.changeId, via: 'link', previousCountry: 'US', country: 'DE' } });

    const before = await snapshot({ repos });
    await expect(support.accounts.confirmAddressChange(token)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already been confirmed/) });
    await expect(support.accounts.confirmAddressChangeById(ANN, r.changeId)).rejects.toMatchObject({ code: 'conflict' });
    expect(await support.accounts.inspectAddressChange(token)).toEqual({ valid: false, reason: 'used' });
    expect(await snapshot({ repos })).toEqual(before);
  });

  it('two confirmations at once: exactly one applies, one notice', async () => {
    const { support, repos } = await makeSupport();
    await support.accounts.updateAddress(ANN, BERLIN);
    const { token } = await linkMail({ support, repos });
    const results = await Promise.allSettled([support.accounts.confirmAddressChange(token), support.accounts.confirmAddressChange(token)]);
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await noticesTo(repos, 'Ann.Lee@example.com')).toHaveLength(1);
    expect((await auditLog(repos)).filter((a) => a.action === 'address.update')).toHaveLength(1);
  });

  it('an expired link is refused and changes nothing', async () => {
    const h = await makeSupport();
    await h.support.accounts.updateAddress(ANN, BERLIN);
    const { token } = await linkMail(h);
    h.advance(31);
    const before = await snapshot(h);
    expect(await h.support.accounts.inspectAddressChange(token)).toEqual({ valid: false, reason: 'expired' });
    await expect(h.support.accounts.confirmAddressChange(token)).rejects.toMatchObject({ code: 'expired' });
    expect(await snapshot(h)).toEqual(before);
    expect((await h.support.accounts.details(ANN)).customer.address).toEqual(ANN_HOME);
  });

  it('a newer request replaces the pending one: the older link stops working, the newer one applies', async () => {
    const { support, repos } = await makeSupport();
    const first = await support.accounts.updateAddress(ANN, BERLIN);
    const older = (await linkMail({ support, repos })).token;
    const second = await support.accounts.updateAddress(ANN, { line1: '7 Rue Neuve', city: 'Paris', postalCode: '75001', country: 'FR' });
    const newer = (await linkMail({ support, repos })).token;
    expect(newer).not.toBe(older);
    expect(await support.accounts.inspectAddressChange(older)).toEqual({ valid: false, reason: 'superseded' });
    await expect(support.accounts.confirmAddressChange(older)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/newer address change/) });
    await expect(support.accounts.confirmAddressChangeById(ANN, first.changeId)).rejects.toMatchObject({ code: 'conflict' });
    expect((await support.accounts.details(ANN)).customer.address).toEqual(ANN_HOME);
    await support.accounts.confirmAddressChange(newer);
    expect((await support.accounts.details(ANN)).customer.address).toMatchObject({ line1: '7 Rue Neuve', country: 'FR' });
    const changes = await Promise.all([first.changeId, second.changeId].map((id) => repos.addressChanges.get(id)));
    expect(changes.map((c) => [c?.id, c?.status])).toEqual([[first.changeId, 'superseded'], [second.changeId, 'confirmed']]);
  });

  it('unknown, forged and malformed links are refused as not valid', async () => {
    const { support, repos } = await makeSupport();
    const r = await support.accounts.updateAddress(ANN, BERLIN);
    const forged = `${r.changeId}.${'A'.repeat(43)}`;
    for (const token of [forged, `adr_0123456789abcdef01.${'B'.repeat(43)}`, 'nope', '']) {
      expect(await support.accounts.inspectAddressChange(token)).toEqual({ valid: false, reason: 'unknown' });
      await expect(support.accounts.confirmAddressChange(token)).rejects.toMatchObject({ code: 'not_found' });
    }
    expect((await support.accounts.details(ANN)).customer.address).toEqual(ANN_HOME);
    expect((await repos.addressChanges.get(r.changeId))?.status).toBe('pending');
  });

  it('confirm by id (the terminal) applies only the caller\'s own pending change', async () => {
    const { support, repos } = await makeSupport();
    const r = await support.accounts.updateAddress(ANN, BERLIN, { channel: 'terminal' });
    expect(r.message).toContain(`confirm ${r.changeId}`);
    await expect(support.accounts.confirmAddressChangeById(BOB, r.changeId)).rejects.toMatchObject({ code: 'not_found' });
    expect((await support.accounts.details(ANN)).customer.address).toEqual(ANN_HOME);
    await expect(support.accounts.confirmAddressChangeById(ANN, r.changeId)).resolves.toMatchObject({ changeId: r.changeId, address: { city: 'Berlin' } });
    expect((await support.accounts.details(ANN)).customer.address.city).toBe('Berlin');
    expect((await support.accounts.details(BOB)).customer.address.city).toBe('Leeds');
    expect(await lastAudit(repos)).toMatchObject({ action: 'address.update', details: { via: 'terminal' } });
    expect(await noticesTo(repos, 'Ann.Lee@example.com')).toHaveLength(1);
  });

  it('without email: no mail is claimed or queued; the terminal can still confirm, other channels are refused', async () => {
    const { support, repos } = await makeSupport({ resetDelivery: false });
    const before = await snapshot({ repos });
    await expect(support.accounts.updateAddress(ANN, BERLIN, { channel: 'slack' })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/email is not set up.*Nothing was changed/) });
    expect(await snapshot({ repos })).toEqual(before);
    const r = await support.accounts.updateAddress(ANN, BERLIN, { channel: 'terminal' });
    expect(r.linkEmailed).toBe(false);
    expect(r.message).toContain('no confirmation link was sent');
    expect(r.message).not.toMatch(/we emailed/i);
    expect(r.message).toContain(`type "confirm ${r.changeId}"`);
    expect(await repos.outbox.countPending()).toBe(0);
    expect(await systemMails(repos)).toEqual([]);
    expect((await repos.addressChanges.get(r.changeId))?.tokenHashes).toEqual([]);
    await support.accounts.confirmAddressChangeById(ANN, r.changeId);
    expect((await support.accounts.details(ANN)).customer.address.city).toBe('Berlin');
  });
});
