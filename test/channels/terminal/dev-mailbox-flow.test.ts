/**
 * The keyless default set-up (no API key, no SMTP, the offline assistant in the terminal chat) changes a password end
 * to end: the customer asks in the chat, staff approve in the same terminal, the reset mail is printed there and
 * listed on the HTTP server's dev mailbox page, and a person in headless Chromium opens /dev/mailbox, clicks the mail,
 * clicks its link and sets a new password. Nothing claims the mail was emailed. Real app (support, MCP, agent,
 * conversations, outbox, HTTP server) on the seed data in memory.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCRUBBED_SYSTEM_TEXT } from '../../../src/store/repos/index.js';
import { freePort } from '../../helpers/dovecot.js';
import { startChat, waitFor, type Chat } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[dev-mailbox-flow] ${CHROMIUM} not found (apt-get install chromium): browser test skipped`);

describe.skipIf(!haveChromium)('password change with no keys and no mail server: terminal, dev mailbox page, reset page', () => {
  let browser: Browser;
  let chat: Chat | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => { await browser?.close(); });
  afterEach(async () => {
    await chat?.close();
    chat = undefined;
  });

  it('request → approval → mail in the terminal and on /dev/mailbox → link → new password; the link then refuses reuse', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    chat = await startChat({ HTTP_PORT: String(port), PUBLIC_BASE_URL: base });
    const hashOf = async () => (await chat?.db())?.customers.find((c) => c.id === 'cus_001')?.passwordHash;
    const before = await hashOf();

    await chat.say('user cus_001', /Now chatting as/);
    const asked = await chat.say('I want to change my password', /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(asked)?.[1];
    expect(approvalId, asked).toBeDefined();
    expect(asked).toContain('dev mailbox');
    expect(asked).not.toMatch(/we('ve)? emailed|sent you a|email address on file/i);

    const decided = await chat.say(`approve ${approvalId}`, /└── end of dev mailbox message/);
    expect(decided).toContain(`Approval ${approvalId} approved: reset_link_in_dev_mailbox`);
    expect(decided).toContain('[dev mailbox] not sent — no SMTP configured');
    expect(decided).toContain('│ To: ada.lovelace@example.com');
    expect(decided).toContain('│ Subject: Reset your Helpline password');
    expect(decided).toContain(`(also at ${base}/dev/mailbox)`);
    // Minted as the terminal printed the mail (the first link of this token); the store holds only its hash.
    const printed = new RegExp(`${base}/reset/rst_[a-f0-9]+\\.0\\.[A-Za-z0-9_-]+`).exec(decided)?.[0];
    expect(printed, decided).toBeDefined();
    await waitFor(() => /helpline \(notice\)> /.test(chat?.output() ?? ''), 'the notice in the customer thread');
    const notice = /helpline \(notice\)> (.*)/.exec(chat.output())?.[1] ?? '';
    expect(notice).toContain(`in the dev mailbox at ${base}/dev/mailbox`);
    expect(notice).toContain('no mail server is configured, so nothing was emailed');
    expect(notice).not.toMatch(/we've emailed/i);

    const page = await browser.newPage();
    const listing = await page.goto(`${base}/dev/mailbox`);
    expect(listing?.status()).toBe(200);
    expect(listing?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(listing?.headers()['x-frame-options']).toBe('DENY');
    expect(await page.locator('#notice').textContent()).toContain('nothing here was sent');
    expect(await page.content()).not.toContain('/reset/'); // the listing mints no link
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Reset your Helpline password' }).click()]);
    // Opening the message mints a fresh link for this view; the printed one stays valid too until one is used.
    const link = new RegExp(`${base}/reset/rst_[a-f0-9]+\\.1\\.[A-Za-z0-9_-]+`).exec((await page.locator('#body').textContent()) ?? '')?.[0];
    expect(link).toBeDefined();
    expect(link).not.toBe(printed);
    expect(JSON.stringify(chat.db())).not.toContain((printed as string).split('.').at(-1));
    expect(JSON.stringify(chat.db())).not.toContain((link as string).split('.').at(-1));
    await Promise.all([page.waitForNavigation(), page.locator(`#body a[href="${link}"]`).click()]);
    expect(page.url()).toBe(link);
    expect(await page.locator('h1').textContent()).toBe('Choose a new password');
    await page.fill('#password', 'correct horse battery staple');
    await page.fill('#confirm', 'correct horse battery staple');
    await Promise.all([page.waitForNavigation(), page.click('#submit')]);
    expect(await page.locator('#done').textContent()).toContain('Your password has been changed');

    const after = await hashOf();
    expect(after).toMatch(/^scrypt\$/);
    expect(after).not.toBe(before);
    await page.goto(link as string);
    expect(await page.locator('#refused').textContent()).toContain('already been used');
    await page.goto(printed as string); // using one link used them all
    expect(await page.locator('#refused').textContent()).toContain('already been used');

    // The used link is no longer in clear in the dev mailbox: the page and the store show the scrubbed body.
    await page.goto(`${base}/dev/mailbox`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Reset your Helpline password' }).click()]);
    expect(await page.locator('#body').textContent()).toBe(SCRUBBED_SYSTEM_TEXT.used);
    expect(JSON.stringify(await chat.db())).not.toContain((link as string).split('.').at(-1));
    await page.close();
  });

  it('escapes HTML in a subject and body, and answers 404 for an unknown message', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    chat = await startChat({ HTTP_PORT: String(port), PUBLIC_BASE_URL: base });
    const at = new Date().toISOString();
    await chat.app.repos.outbox.enqueue({
      id: 'out_evil', threadKey: 'system:evil',
      payload: { kind: 'system', to: 'ada.lovelace@example.com', subject: '<img src=x onerror="window.pwned=1"><b>bold</b>', text: 'Hi <script>window.pwned=2</script> see https://example.com/?a=1&b="2"' },
      nextAttemptAt: at, createdAt: at,
    });
    await waitFor(() => chat?.output().includes('└── end of dev mailbox message') ?? false, 'the mail in the terminal');
    expect(chat.output()).toContain('│ Subject: <img src=x onerror="window.pwned=1"><b>bold</b>'); // plain text in a terminal

    const page = await browser.newPage();
    await page.goto(`${base}/dev/mailbox`);
    const subject = page.locator('a.mail');
    expect(await subject.textContent()).toBe('<img src=x onerror="window.pwned=1"><b>bold</b>');
    expect(await page.locator('img, b').count()).toBe(0);
    await Promise.all([page.waitForNavigation(), subject.click()]);
    expect(await page.locator('h1').textContent()).toBe('<img src=x onerror="window.pwned=1"><b>bold</b>');
    expect(await page.locator('#body').textContent()).toBe('Hi <script>window.pwned=2</script> see https://example.com/?a=1&b="2"');
    expect(await page.locator('#body script, img').count()).toBe(0);
    expect(await page.locator('#body a').getAttribute('href')).toBe('https://example.com/?a=1&b=');
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect((await page.goto(`${base}/dev/mailbox/out_nothing`))?.status()).toBe(404);
    expect((await page.goto(`${base}/dev/mailbox/%3Cscript%3E`))?.status()).toBe(404);
    await page.close();
  });
});
