import { describe, expect, it } from 'vitest';
import { LINK_PLACEHOLDER } from '../../src/support/index.js';
import { linkInOutbox } from '../helpers/system-mail.js';
import { ANN, auditLog, makeSupport, snapshot, STAFF, systemMails } from './fixture.js';

async function approvedReset(h: Awaited<ReturnType<typeof makeSupport>>) {
  const r = await h.support.approvals.requestPasswordChange(ANN, { threadKey: 'slack:C1:9', channel: 'slack' }, 'I forgot my password');
  const d = await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' });
  // Minted as the outbox worker mints it before handing the mail to SMTP.
  const link = await linkInOutbox(h.support, h.repos, `password-reset:${r.approvalId}`);
  const token = link.replace('https://help.example.com/reset/', '');
  return { r, d, link, token };
}

describe('password change approvals and reset tokens', () => {
  it('the request alone changes nothing; approval emails a single-use link to the address on file', async () => {
    const h = await makeSupport();
    const { r, d, link, token } = await approvedReset(h);
    expect(r.action).toBe('password_change');
    expect(d.outcome).toBe('reset_link_emailed');
    expect(link).toMatch(/^https:\/\/help\.example\.com\/reset\/rst_[a-f0-9]+\.0\.[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(d)).not.toContain('/reset/');
    expect(d.customerMessage).toBe("We've emailed a password reset link to A…@example.com. It works once and expires in 30 minutes.");
    expect(d.customerMessage).not.toContain(token);
    expect(d.threadKey).toBe('slack:C1:9');
    const outbox = await systemMails(h.repos);
    expect(outbox).toHaveLength(1);
    expect(await h.repos.outbox.countPending()).toBe(1);
    expect(outbox[0]).toMatchObject({ threadKey: `system:password-reset:${r.approvalId}`, status: 'pending', attempts: 0, payload: { kind: 'system', to: 'Ann.Lee@example.com' } });
    // The queued mail holds no link, only where it goes: it is minted as the mail leaves.
    expect(String(outbox[0]?.payload.text)).toContain(LINK_PLACEHOLDER);
    expect(String(outbox[0]?.payload.text)).not.toContain('/reset/');
    expect((await h.repos.customers.get('cus_ann'))?.passwordHash).toBeUndefined();
  });

  it('two concurrent approvals of a password change issue exactly one token and one email', async () => {
    const h = await makeSupport();
    const r = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    const results = await Promise.allSettled([
      h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' }),
      h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' }),
    ]);
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((x) => x.status === 'rejected')).toMatchObject({ reason: { code: 'already_decided' } });
    expect((await snapshot(h)).resetTokens).toHaveLength(1);
    expect(await h.repos.outbox.countPending()).toBe(1);
    expect(await systemMails(h.repos)).toHaveLength(1);
  });

  it('stores only a scrypt hash: the secret appears nowhere in the store, the outbox included', async () => {
    const h = await makeSupport();
    const { token } = await approvedReset(h);
    const secret = token.split('.')[2] ?? '';
    expect(secret.length).toBeGreaterThan(40);
    expect(JSON.stringify(await snapshot(h))).not.toContain(secret);
    const record = await h.repos.resetTokens.get(token.split('.')[0] ?? '');
    expect(record?.tokenHashes).toHaveLength(1);
    expect(record?.tokenHashes[0]).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(record).toMatchObject({ customerId: 'cus_ann', email: 'Ann.Lee@example.com', expiresAt: '2026-03-10T12:30:00.000Z' });
  });

  it('inspect does not use the token; reset sets a scrypt password hash once; reuse is refused', async () => {
    const h = await makeSupport();
    const { token } = await approvedReset(h);
    expect(await h.support.passwords.inspectToken(token)).toEqual({ valid: true, customerId: 'cus_ann', email: 'Ann.Lee@example.com' });
    expect(await h.support.passwords.inspectToken(token)).toMatchObject({ valid: true });
    h.advance(5);
    await expect(h.support.passwords.resetWithToken(token, 'purple elephant skates')).resolves.toEqual({ customerId: 'cus_ann' });
    const ann = await h.repos.customers.get('cus_ann');
    expect(ann?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(JSON.stringify(await snapshot(h))).not.toContain('purple elephant skates');
    expect(ann?.passwordChangedAt).toBe('2026-03-10T12:05:00.000Z');
    expect((await h.repos.resetTokens.get(token.split('.')[0] ?? ''))?.usedAt).toBe('2026-03-10T12:05:00.000Z');
    expect(await h.support.passwords.inspectToken(token)).toEqual({ valid: false, reason: 'used' });
    await expect(h.support.passwords.resetWithToken(token, 'another fine password')).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already been used/) });
    expect((await h.repos.customers.get('cus_ann'))?.passwordHash).toBe(ann?.passwordHash);
    expect((await auditLog(h.repos)).at(-1)).toMatchObject({ action: 'password.reset', target: 'customer:cus_ann' });
  });

  it('an expired or forged token is refused', async () => {
    const h = await makeSupport();
    const { token } = await approvedReset(h);
    const [id, secret] = token.split('.') as [string, string];
    const forged = `${id}.${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await h.support.passwords.inspectToken(forged)).toEqual({ valid: false, reason: 'unknown' });
    expect(await h.support.passwords.inspectToken('garbage')).toEqual({ valid: false, reason: 'unknown' });
    expect(await h.support.passwords.inspectToken(42 as unknown as string)).toEqual({ valid: false, reason: 'unknown' });
    await expect(h.support.passwords.resetWithToken(forged, 'purple elephant skates')).rejects.toMatchObject({ code: 'not_found' });
    h.advance(31);
    expect(await h.support.passwords.inspectToken(token)).toEqual({ valid: false, reason: 'expired' });
    await expect(h.support.passwords.resetWithToken(token, 'purple elephant skates')).rejects.toMatchObject({ code: 'expired' });
    expect((await h.repos.customers.get('cus_ann'))?.passwordHash).toBeUndefined();
  });

  it('enforces the password policy without using the token', async () => {
    const h = await makeSupport();
    const { token } = await approvedReset(h);
    await expect(h.support.passwords.resetWithToken(token, 'short')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/at least 12/) });
    await expect(h.support.passwords.resetWithToken(token, 'x'.repeat(201))).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.support.passwords.resetWithToken(token, 'my-ann.lee-password')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/email/) });
    await expect(h.support.passwords.resetWithToken(token, 'ann.lee@example.com')).rejects.toMatchObject({ code: 'bad_input' });
    expect(await h.support.passwords.inspectToken(token)).toMatchObject({ valid: true });
  });
});

describe('reset tokens are single-use under concurrency', () => {
  it('two resets with one token at once: exactly one sets the password', async () => {
    const h = await makeSupport();
    const { token } = await approvedReset(h);
    const results = await Promise.allSettled([
      h.support.passwords.resetWithToken(token, 'first long passphrase'),
      h.support.passwords.resetWithToken(token, 'second long passphrase'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict', details: { reason: 'used' } } });
    expect((await auditLog(h.repos)).filter((e) => e.action === 'password.reset')).toHaveLength(1);
  });
});
