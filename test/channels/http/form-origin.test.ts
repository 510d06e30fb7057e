/**
 * The token pages refuse a form posted from another site (a foreign Origin), and accept one posted from their own
 * page in a browser, which sends `Origin: null` there (our pages set Referrer-Policy: no-referrer) — the CSRF pair
 * decides then. Real support on a memory store, real HTTP on loopback.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResetPage, startHttpServer, type HttpServer } from '../../../src/channels/http/index.js';
import { silentLogger } from '../../../src/config/index.js';
import { dbSchema } from '../../../src/store/schema.js';
import { createSupport } from '../../../src/support/index.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';
import { linkInOutbox } from '../../helpers/system-mail.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const store = await reposFor(dbSchema.parse(JSON.parse(readFileSync(root('data/seed.json'), 'utf8'))));
const support = createSupport({
  repos: store, kbDir: root('data/kb'), staff: { isStaff: (id) => id === 'U0STAFF0001' },
  approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'https://help.example.com',
});
let server: HttpServer;
beforeAll(async () => {
  server = await startHttpServer({
    host: '127.0.0.1', port: 0, log: silentLogger(), checks: {},
    resetPage: createResetPage({ passwords: support.passwords, log: silentLogger(), publicOrigin: 'https://help.example.com' }),
  });
});
afterAll(async () => { await server.close(); });

async function resetPath(): Promise<string> {
  const pending = await support.approvals.requestPasswordChange({ kind: 'customer', customerId: 'cus_001' }, {}, 'forgot');
  await support.approvals.decide({ kind: 'staff', staffId: 'U0STAFF0001' }, { approvalId: pending.approvalId, decision: 'approve' });
  return new URL(await linkInOutbox(support, store, `password-reset:${pending.approvalId}`)).pathname;
}

/** GET the form, then POST it back with its CSRF pair and this Origin header. */
async function post(path: string, origin: string): Promise<number> {
  const form = await fetch(`${server.url}${path}`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const password = 'a long enough passphrase';
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin },
    body: new URLSearchParams({ csrf, password, confirm: password }).toString(),
  });
  return res.status;
}

describe('form origin on the reset page', () => {
  it('refuses another site\'s Origin even with a valid CSRF pair, and changes nothing', async () => {
    const path = await resetPath();
    const before = (await storedRows(store)).customers.find((c) => c.id === 'cus_001')?.passwordHash;
    expect(await post(path, 'https://evil.example')).toBe(403);
    expect((await storedRows(store)).customers.find((c) => c.id === 'cus_001')?.passwordHash).toBe(before);
  });

  it('accepts `Origin: null` (a browser on our no-referrer page) and the public origin', async () => {
    expect(await post(await resetPath(), 'null')).toBe(200);
    expect(await post(await resetPath(), 'https://help.example.com')).toBe(200);
  });
});
