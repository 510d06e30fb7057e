import { describe, expect, it } from 'vitest';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { createSupport } from '../../src/support/index.js';
import { linkInOutbox } from '../helpers/system-mail.js';
import { ANN, ANON, KB_DIR, makeSupport, snapshot, STAFF } from './fixture.js';

const proto = (json: string) => JSON.parse(json) as never;

describe('bad input is refused with a clear bad_input error and the store unchanged', () => {
  it.each<[string, (h: Awaited<ReturnType<typeof makeSupport>>) => unknown]>([
    ['wrong type: limit as string', (h) => h.support.accounts.transactions(ANN, { limit: '5' } as never)],
    ['wrong type: address not an object', (h) => h.support.accounts.updateAddress(ANN, 'Main Street' as never)],
    ['unknown key on address', (h) => h.support.accounts.updateAddress(ANN, { line1: '1 X', city: 'Y', postalCode: '1', country: 'US', admin: true } as never)],
    ['oversize city', (h) => h.support.accounts.updateAddress(ANN, { line1: '1 X', city: 'Y'.repeat(101), postalCode: '1', country: 'US' })],
    ['__proto__ key in address', (h) => h.support.accounts.updateAddress(ANN, proto('{"line1":"1 X","city":"Y","postalCode":"1","country":"US","__proto__":{"polluted":true}}'))],
    ['constructor key in ticket', (h) => h.support.tickets.create(ANN, {}, proto('{"subject":"s","description":"d","constructor":{"prototype":{}}}'))],
    ['nested __proto__ in request context', (h) => h.support.tickets.create(ANN, proto('{"threadKey":"x","__proto__":{"a":1}}'), { subject: 's', description: 'd' })],
    ['oversize ticket description', (h) => h.support.tickets.create(ANN, {}, { subject: 's', description: 'd'.repeat(10_001) })],
    ['empty subject', (h) => h.support.tickets.create(ANN, {}, { subject: '   ', description: 'd' })],
    ['bad priority', (h) => h.support.tickets.create(ANN, {}, { subject: 's', description: 'd', priority: 'asap' as never })],
    ['ticket id not like T-123', (h) => h.support.tickets.get(ANN, '1001; drop table')],
    ['ticket id wrong type', (h) => h.support.tickets.get(ANN, { id: 'T-1001' } as never)],
    ['oversize reason', (h) => h.support.approvals.requestPasswordChange(ANN, {}, 'r'.repeat(1001))],
    ['reason wrong type', (h) => h.support.approvals.requestPasswordChange(ANN, {}, 42 as never)],
    ['last4 not 4 digits', (h) => h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '42', reason: 'x' })],
    ['unknown key on decision', (h) => h.support.approvals.decide(STAFF, { approvalId: 'apr_1', decision: 'approve', force: true } as never)],
    ['approval id with odd characters', (h) => h.support.approvals.decide(STAFF, { approvalId: '../../etc', decision: 'approve' })],
    ['respond visibility wrong', (h) => h.support.tickets.respond(STAFF, { ticketId: 'T-1001', message: 'x', visibility: 'secret' as never })],
    ['respond message oversize', (h) => h.support.tickets.respond(STAFF, { ticketId: 'T-1001', message: 'm'.repeat(10_001), visibility: 'public' })],
    ['note body empty', (h) => h.support.notes.add(STAFF, { customerId: 'cus_ann', body: '' })],
    ['staff filter unknown key', (h) => h.support.tickets.list(STAFF, { sort: 'asc' } as never)],
    ['customer search oversize', (h) => h.support.accounts.findCustomer(STAFF, 'q'.repeat(201))],
    ['anonymous ticket contact oversize', (h) => h.support.tickets.create(ANON, {}, { subject: 's', description: 'd', contact: `${'a'.repeat(250)}@x.io` })],
  ])('%s', async (_name, run) => {
    const h = await makeSupport();
    const before = await snapshot(h);
    let error: unknown;
    try {
      await run(h);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'bad_input' });
    expect((error as Error).message).toMatch(/^Invalid .+: .+/);
    expect(await snapshot(h)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('messages name the field and the problem', async () => {
    const h = await makeSupport();
    await expect(h.support.accounts.updateAddress(ANN, { line1: '1 X', city: 'Y', postalCode: '1', country: 'US', admin: true } as never)).rejects.toThrow(/admin/);
    await expect(h.support.accounts.updateAddress(ANN, proto('{"line1":"1 X","city":"Y","postalCode":"1","country":"US","__proto__":{}}'))).rejects.toThrow(/"__proto__" is not allowed/);
    await expect(h.support.accounts.transactions(ANN, { limit: '5' } as never)).rejects.toThrow(/limit/);
  });
});

describe('audit', () => {
  it('every change is audited with actor, action, target and time, and never a secret', async () => {
    const h = await makeSupport();
    const moved = await h.support.accounts.updateAddress(ANN, { line1: '2 Pine', city: 'Austin', postalCode: '73301', country: 'us' });
    await h.support.accounts.confirmAddressChangeById(ANN, moved.changeId);
    const t = await h.support.tickets.create(ANN, {}, { subject: 'Help', description: 'Help me' });
    await h.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Sure', visibility: 'public', status: 'in_progress' });
    const r = await h.support.approvals.requestPasswordChange(ANN, {}, 'forgot');
    const d = await h.support.approvals.decide(STAFF, { approvalId: r.approvalId, decision: 'approve' });
    expect(d.outcome).toBe('reset_link_emailed');
    const token = (await linkInOutbox(h.support, h.repos, `password-reset:${r.approvalId}`)).split('/reset/')[1] ?? '';
    await h.support.passwords.resetWithToken(token, 'a long new passphrase');
    const audit = await h.support.audit.list(STAFF, 100);
    expect(audit.map((e) => e.action)).toEqual(['password.reset', 'password.reset_issued', 'approval.approve', 'approval.request', 'ticket.respond', 'ticket.create', 'address.update', 'address.change_requested']);
    for (const e of audit) expect(e.at).toBe('2026-03-10T12:00:00.000Z');
    const text = JSON.stringify(audit);
    expect(text).not.toContain(token.split('.').at(-1));
    expect(text).not.toContain('a long new passphrase');
    expect(text).not.toContain('/reset/');
    expect(text).not.toContain('/confirm-address/');
    await expect(h.support.audit.list(ANN)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('isStaff needs a staff caller on the allow-list, and a throwing allow-list denies', async () => {
    const h = await makeSupport();
    expect(h.support.isStaff(STAFF)).toBe(true);
    expect(h.support.isStaff({ kind: 'staff', staffId: 'U_OTHER' })).toBe(false);
    expect(h.support.isStaff(ANN)).toBe(false);
    const broken = createSupport({
      repos: createMemoryRepositories(), kbDir: KB_DIR, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://x',
      staff: { isStaff: () => { throw new Error('allow-list unreadable'); } },
    });
    expect(broken.isStaff(STAFF)).toBe(false);
    await expect(broken.metrics.get(STAFF)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
