/**
 * With no mail server (outside production) links go to the local dev mailbox: every text says so and none says
 * "emailed"; the mail is queued like real mail (the dev mailbox worker moves it), and once a link is used its body
 * is scrubbed from the dev mailbox in the same transaction.
 */
import { describe, expect, it } from 'vitest';
import { SCRUBBED_SYSTEM_TEXT } from '../../src/store/repos/index.js';
import { LINK_PLACEHOLDER, NO_LINK } from '../../src/support/index.js';
import { ANN, auditLog, makeSupport, STAFF, systemMails, type Harness } from './fixture.js';

const BERLIN = { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' };
const EMAILED = /we('ve)? emailed|sent you a/i;

/** What the dev mailbox worker does with each queued mail: claim it and mark it `dev`. */
async function moveToDevMailbox(h: Harness): Promise<string[]> {
  const at = h.clock.now.toISOString();
  const claimed = await h.repos.outbox.claimDue({ now: at, limit: 10, holder: 'dev', leaseMs: 60_000 });
  for (const o of claimed) expect(await h.repos.outbox.markDev(o.id, 'dev', at)).toBe(true);
  return claimed.map((o) => o.id);
}

describe('the dev mailbox in support', () => {
  it('a password change: the request and the decision say "dev mailbox", never "emailed"; using the link scrubs it', async () => {
    const h = await makeSupport({ resetDelivery: false, devMailbox: true });
    const r = await h.support.approvals.requestPasswordChange(ANN, { threadKey: 'terminal:cus_ann:1', channel: 'terminal' }, 'I forgot it');
    expect(r.linkDelivery).toBe('dev_mailbox');
    expect(r.message).toContain('goes to the dev mailbox at https://help.example.com/dev/mailbox (no mail server is configured, so it is not emailed)');
    expect(r.message).not.toMatch(EMAILED);
    const d = await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' });
    expect(d.outcome).toBe('reset_link_in_dev_mailbox');
    expect(d.customerMessage).toBe('Your password reset link is in the dev mailbox at https://help.example.com/dev/mailbox (no mail server is configured, so nothing was emailed). It works once and expires in 30 minutes.');
    expect((await auditLog(h.repos)).map((a) => a.action)).toContain('password.reset_issued');

    const [id] = await moveToDevMailbox(h);
    // The dev mailbox keeps the mail with a placeholder; each time it is shown a fresh link is minted.
    const stored = await h.repos.outbox.get(id as string);
    expect(stored?.payload.text).toContain(LINK_PLACEHOLDER);
    const shown = async () => /https:\/\/help\.example\.com\/reset\/(\S+)/.exec(await h.support.systemMail.render(stored?.payload ?? { text: '' }))?.[1] ?? '';
    const [token, again] = [await shown(), await shown()];
    expect(again).not.toBe(token);
    expect(await h.support.passwords.inspectToken(again)).toMatchObject({ valid: true });
    await h.support.passwords.resetWithToken(token, 'a long and quiet harbour');
    const [mail] = await h.repos.outbox.listDev(10);
    expect(mail?.payload.text).toBe(SCRUBBED_SYSTEM_TEXT.used);
    expect(JSON.stringify(mail)).not.toContain(token.split('.').at(-1));
    await expect(h.support.passwords.resetWithToken(token, 'another long harbour')).rejects.toMatchObject({ code: 'conflict' });
    // Using one link used them all; once used, showing the mail mints none.
    await expect(h.support.passwords.resetWithToken(again, 'another long harbour')).rejects.toMatchObject({ code: 'conflict' });
    expect(await h.support.systemMail.render(stored?.payload ?? { text: '' })).toContain(NO_LINK);
  });

  it('with email configured the same steps say "emailed" (and name no dev mailbox)', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    expect(r.linkDelivery).toBe('email');
    expect(r.message).toContain('a single-use reset link is emailed to the address on file');
    const d = await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' });
    expect(d.outcome).toBe('reset_link_emailed');
    expect(`${r.message} ${d.customerMessage}`).not.toMatch(/dev mailbox/i);
  });

  it('an address change: the confirmation link is in the dev mailbox on any channel; confirming scrubs it', async () => {
    const h = await makeSupport({ resetDelivery: false, devMailbox: true });
    const r = await h.support.accounts.updateAddress(ANN, BERLIN, { channel: 'slack', threadKey: 'slack:T:C:1' });
    expect(r.linkEmailed).toBe(false);
    expect(r.message).toContain('The confirmation link is in the dev mailbox at https://help.example.com/dev/mailbox (no mail server is configured, so nothing was emailed)');
    expect(r.message).not.toMatch(EMAILED);
    expect((await auditLog(h.repos)).at(-1)).toMatchObject({ action: 'address.change_requested', details: { linkEmailed: false, linkInDevMailbox: true } });
    await moveToDevMailbox(h);
    const text = await h.support.systemMail.render((await systemMails(h.repos))[0]?.payload ?? { text: '' });
    const token = /confirm-address\/(\S+)/.exec(text)?.[1] as string;
    await h.support.accounts.confirmAddressChange(token);
    expect((await h.support.accounts.details(ANN)).customer.address.city).toBe('Berlin');
    const dev = await h.repos.outbox.listDev(10);
    expect(dev.map((o) => o.payload.text)).toEqual([SCRUBBED_SYSTEM_TEXT.used]);
    // The notice of the change is queued next, for the dev mailbox worker too.
    await moveToDevMailbox(h);
    expect((await h.repos.outbox.listDev(10)).map((o) => o.payload.subject)).toEqual(['Your postal address was changed', 'Confirm your new postal address']);
  });
});
