import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { silentLogger } from '../../../src/config/index.js';
import { createResetPage, startHttpServer, type HttpServer } from '../../../src/channels/http/index.js';
import { dbSchema } from '../../../src/store/schema.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import { createSupport, type Caller, type Support } from '../../../src/support/index.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';
import { linkInOutbox } from '../../helpers/system-mail.js';

const CHROMIUM = '/usr/bin/chromium';
const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[reset-browser] ${CHROMIUM} not found (apt-get install chromium): browser test skipped`);

describe.skipIf(!haveChromium)('password reset in a real browser', () => {
  const staff: Caller = { kind: 'staff', staffId: 'U0STAFF0001' };
  const customer: Caller = { kind: 'customer', customerId: 'cus_001' };
  let store: Repositories;
  let support: Support;
  let server: HttpServer;
  let browser: Browser;

  beforeAll(async () => {
    store = await reposFor(dbSchema.parse(JSON.parse(readFileSync(root('data/seed.json'), 'utf8'))));
    support = createSupport({
      repos: store, kbDir: root('data/kb'), staff: { isStaff: (id) => id === 'U0STAFF0001' },
      approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'https://help.example.com',
    });
    server = await startHttpServer({
      host: '127.0.0.1', port: 0, log: silentLogger(), checks: {},
      resetPage: createResetPage({ passwords: support.passwords, log: silentLogger() }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an approved password change links to a page that sets the password once', async () => {
    const pending = await support.approvals.requestPasswordChange(customer, { threadKey: 'terminal:cus_001:1', channel: 'terminal' }, 'I forgot my password');
    await support.approvals.decide(staff, { approvalId: pending.approvalId, decision: 'approve' });
    const minted = await linkInOutbox(support, store, `password-reset:${pending.approvalId}`);
    expect(minted).toMatch(/^https:\/\/help\.example\.com\/reset\//);
    const link = server.url + new URL(minted).pathname;
    const before = (await storedRows(store)).customers.find((c) => c.id === 'cus_001')?.passwordHash;

    const page = await browser.newPage();
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Choose a new password');
    await page.fill('#password', 'a perfectly long passphrase');
    await page.fill('#confirm', 'a perfectly long passphrase');
    await Promise.all([page.waitForNavigation(), page.click('#submit')]);
    expect(await page.locator('#done').textContent()).toContain('Your password has been changed');

    const after = (await storedRows(store)).customers.find((c) => c.id === 'cus_001')?.passwordHash;
    expect(after).toMatch(/^scrypt\$/);
    expect(after).not.toBe(before);
    expect(JSON.stringify((await storedRows(store)).customers)).not.toContain('a perfectly long passphrase');

    await page.goto(link);
    expect(await page.locator('#refused').textContent()).toContain('already been used');
    await page.close();
  });

  it('shows the policy error in the page and keeps the link usable', async () => {
    const pending = await support.approvals.requestPasswordChange(customer, {}, 'again');
    await support.approvals.decide(staff, { approvalId: pending.approvalId, decision: 'approve' });
    const link = server.url + new URL(await linkInOutbox(support, store, `password-reset:${pending.approvalId}`)).pathname;
    const page = await browser.newPage();
    await page.goto(link);
    await page.fill('#password', 'ada.lovelace-pass');
    await page.fill('#confirm', 'ada.lovelace-pass');
    await Promise.all([page.waitForNavigation(), page.click('#submit')]);
    expect(await page.locator('#error').textContent()).toMatch(/email/i);
    expect((await support.passwords.inspectToken(new URL(link).pathname.split('/').pop() as string)).valid).toBe(true);
    await page.close();
  });
});
