/**
 * The chat widget as a person uses it, in headless Chromium (Debian's, driven by playwright-core):
 * - on a company's own site (another origin) that embeds it with one script tag and mints a token for its signed-in
 *   customer through its backend (API key): a streamed answer, a card deactivation approved by staff in Slack (a
 *   signed click on the real Bolt app) arriving live, and the history after a reload;
 * - on Helpline's demo page /chat on a phone-sized screen, with the keyboard only, as an anonymous visitor.
 * The model is the real Claude adapter streaming from the local fake Messages API, paced so the stream is visible.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeAnthropic, toolUse, type FakeAnthropic } from '../../helpers/fake-anthropic.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { postForm } from '../../helpers/slack-sign.js';
import { call, startWeb, type WebHarness } from './harness.js';
import type { Frame } from './live-client.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[widget-browser] ${CHROMIUM} not found (apt-get install chromium): browser test skipped`);
const SECRET = 'widget-test-signing-secret';
const ANSWER = 'You have two active cards: a Visa ending 4179 and a Mastercard ending 6578. Anything else I can check?';

let fake: FakeAnthropic;
let slack: FakeSlack;
let h: WebHarness;
let browser: Browser;
let site: Server;
let siteUrl: string;
const SCREENSHOT = process.env['HELPLINE_WIDGET_SCREENSHOT'];

/** The company's site: a page with the widget's script tag, and its backend's token endpoint (API key server-side). */
async function startCompanySite(): Promise<void> {
  let key: string | undefined;
  site = createServer(async (req, res) => {
    if (req.url === '/helpline/token') {
      key ??= await h.key(['tokens:mint'], 'company site');
      // The site has signed its user in (Ada, cus_001); it asks Helpline for a token for her and hands it to the page.
      const minted = await call(h.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${key}` }, body: { customerId: 'cus_001' } });
      res.writeHead(minted.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token: minted.json['token'] }));
      return;
    }
    if (req.url === '/helpline/guest-token') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"not signed in"}');
      return;
    }
    const tokenUrl = req.url === '/guest' ? '/helpline/guest-token' : '/helpline/token';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Bank</title></head>
<body><h1>Example Bank — your account</h1><p>Signed in as Ada.</p>
<script src="${h.base}/widget.js" data-token-url="${tokenUrl}" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  if (!haveChromium) return;
  fake = await startFakeAnthropic({ chunkChars: 6, chunkDelayMs: 40 });
  slack = await startFakeSlack();
  await startCompanySite();
  h = await startWeb({
    ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: 'claude-test-1', ANTHROPIC_TIMEOUT_MS: '10000', ANTHROPIC_MAX_RETRIES: '0',
    SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_PORT: '0', SLACK_API_URL: slack.apiUrl,
    SLACK_STAFF_CHANNEL: 'CSTAFF', SLACK_STAFF_USER_IDS: 'USTAFF',
    WEB_CORS_ORIGINS: siteUrl,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await new Promise((r) => site?.close(r));
  await slack?.close();
  await fake?.close();
});

/** Console errors and CSP violations: a working page has none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** What has the keyboard focus inside the widget: its name (a control's text, or a field's label). */
const FOCUSED = `(() => {
  const e = document.querySelector('[data-helpline-chat]')?.shadowRoot?.activeElement;
  return e?.labels?.[0]?.textContent ?? e?.getAttribute('aria-label') ?? e?.textContent;
})()`;

/** The conversation's entries as a screen reader reads them ("You: …", "Support: …", "Update: …"). */
const shown = (page: Page) => page.getByRole('log', { name: 'Conversation' }).locator('li').allTextContents();

/** The staff member's click on Approve, as Slack sends it to the Bolt app (signed). */
async function approveInSlack(approvalId: string): Promise<void> {
  const card = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'CSTAFF'), 10_000);
  const { ts } = await slack.waitFor(async () => (await h.repos.approvals.get(approvalId))?.staffMessage, 10_000);
  const payload = {
    type: 'block_actions', team: { id: slack.teamId }, user: { id: 'USTAFF' }, api_app_id: 'A0APP', token: 'legacy', trigger_id: 't',
    container: { type: 'message', message_ts: ts, channel_id: 'CSTAFF' }, channel: { id: 'CSTAFF' }, message: { ts, blocks: card.args['blocks'] },
    response_url: `${slack.baseUrl}/respond/click`, actions: [{ type: 'button', action_id: 'approval_approve', block_id: `approval:${approvalId}`, value: approvalId, action_ts: '1.1' }],
  };
  const res = await postForm(`http://127.0.0.1:${h.app.wired.slack!.address()!.port}/slack/events`, SECRET, { payload: JSON.stringify(payload) });
  expect(res.status).toBe(200);
}

describe.skipIf(!haveChromium)('the chat widget in a real browser', () => {
  it('on a company site: a streamed answer, a card deactivation approved by staff arriving live, the history after a reload', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(siteUrl);
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const box = page.getByRole('textbox', { name: 'Your message' });
    await expect.poll(() => box.evaluate((e) => e === (e.getRootNode() as unknown as { activeElement: unknown }).activeElement)).toBe(true);

    // 1. A question, and the answer as it is written: a growing, busy entry, then the whole text.
    fake.script(reply(ANSWER));
    await box.fill('Which cards do I have?');
    await box.press('Enter');
    const answer = page.locator('li.msg.assistant').last();
    const answerText = answer.locator('.body');
    await expect.poll(async () => {
      const text = (await answer.count()) ? ((await answerText.textContent()) ?? '') : '';
      return text.length > 0 && text.length < ANSWER.length && (await answer.getAttribute('aria-busy')) === 'true';
    }, { timeout: 10_000, interval: 10 }).toBe(true);
    await expect.poll(() => answerText.textContent(), { timeout: 10_000 }).toBe(ANSWER);
    expect(await answer.getAttribute('aria-busy')).toBeNull();
    expect(await shown(page)).toEqual(['You: Which cards do I have?', `Support: ${ANSWER}`]);

    // 2. A card deactivation: the tool opens an approval; staff approve in Slack; the outcome arrives live.
    fake.script(
      toolUse('request_card_deactivation', { last4: '4179', reason: 'Customer lost the card' }),
      reply('I have asked our team to deactivate your card ending 4179. You will hear here as soon as they decide.'),
    );
    await box.fill('I lost my card ending 4179, please deactivate it');
    await box.press('Enter');
    await expect.poll(async () => (await shown(page)).at(-1), { timeout: 10_000 }).toMatch(/asked our team to deactivate/);
    const approval = (await h.repos.approvals.listPending(new Date().toISOString(), 10)).find((a) => a.customerId === 'cus_001');
    expect(approval).toBeDefined();
    await approveInSlack(approval!.id);
    const notice = page.locator('li.msg.notice').last();
    await expect.poll(async () => ((await notice.count()) ? notice.locator('.body').textContent() : ''), { timeout: 10_000 }).toMatch(/4179/);
    expect(await notice.locator('.body').textContent()).toMatch(/deactivated/i);
    expect((await h.repos.customers.getCard('card_001_1'))?.status).toBe('deactivated');
    const before = await shown(page);

    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT });

    // 3. A reload: the same thread, its history as it was (each entry once), and the chat still works.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual(before);
    expect(before).toHaveLength(5);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a connection dropped mid-answer: the widget reconnects, resumes after its last event and shows the answer once', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    // The page's sockets go through Playwright, which forwards every frame and can cut a connection as a network would.
    const sockets: Array<{ close(o?: { code?: number; reason?: string }): Promise<void> }> = [];
    const subscribes: Frame[] = [];
    await page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
      const server = ws.connectToServer();
      sockets.push(ws);
      ws.onMessage((m) => {
        const f = JSON.parse(String(m)) as Frame;
        if (f['type'] === 'subscribe') subscribes.push(f);
        server.send(m);
      });
    });
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await expect.poll(() => subscribes.length).toBe(1);
    const long = `${ANSWER} Your Visa renews in January, and your Mastercard has no pending payments. I am happy to help with anything else.`;
    fake.script(reply(long));
    const box = page.getByRole('textbox', { name: 'Your message' });
    await box.fill('Tell me about my cards');
    await box.press('Enter');
    const answerText = page.locator('li.msg.assistant .body').last();
    await expect.poll(async () => ((await answerText.count()) ? ((await answerText.textContent()) ?? '').length : 0), { timeout: 10_000, interval: 10 }).toBeGreaterThan(12);
    await sockets[0]!.close({ code: 1012, reason: 'network cut' });
    await expect.poll(() => answerText.textContent(), { timeout: 15_000 }).toBe(long);
    // It came back on a new connection and asked for the events after the last one it had.
    expect(sockets).toHaveLength(2);
    expect(subscribes.at(-1)).toMatchObject({ type: 'subscribe', after: expect.stringMatching(/:\d+$/) });
    expect(await shown(page)).toEqual(['You: Tell me about my cards', `Support: ${long}`]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('the demo page /chat on a phone-sized screen, with the keyboard only', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const errors = watchErrors(page);
    await page.goto(`${h.base}/chat`);
    const dialog = page.getByRole('dialog', { name: 'Support (demo)' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    // The panel fills the screen.
    await expect.poll(async () => (await dialog.boundingBox())?.width).toBe(375);
    expect((await dialog.boundingBox())?.height).toBe(667);

    fake.script(reply('You can reset your password from the sign-in page: choose "Forgot password".'));
    await page.keyboard.type('How do I reset my password?');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await shown(page)).at(-1), { timeout: 10_000 }).toBe('Support: You can reset your password from the sign-in page: choose "Forgot password".');
    // An anonymous visitor: the model saw no customer tools.
    const tools = (fake.requests.at(-1)?.body.tools ?? []).map((t) => t.name);
    expect(tools).not.toContain('request_card_deactivation');

    // Escape closes the panel and puts the focus back on the launcher; Enter opens it again with the focus in the box.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await expect.poll(() => launcher.evaluate((e) => e === (e.getRootNode() as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.type('Thanks');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('bye');
    expect(await page.getByRole('textbox', { name: 'Your message' }).inputValue()).toBe('Thanks\nbye');
    // Back through the conversation and the close button to "New chat": a new, empty conversation.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(FOCUSED)).toBe('New chat');
    await page.keyboard.press('Enter');
    await expect.poll(() => shown(page)).toEqual([]);
    await expect.poll(() => page.evaluate(FOCUSED)).toBe('Your message');
    // Every control has a name a screen reader can say.
    for (const name of ['New chat', 'Close chat', 'Send']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a reply streamed while the history is loading is shown once, whole (the history has it)', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const stored = () => page.evaluate(`Object.entries(localStorage).find(([k]) => k.endsWith(':cus_001'))?.[1] ?? ''`) as Promise<string>;
    await expect.poll(stored).toMatch(/^th_/);
    const first = await stored();
    await page.getByRole('button', { name: 'New chat' }).click();
    await expect.poll(stored).not.toBe(first);
    const threadId = await stored();
    expect(threadId).toMatch(/^th_/);
    // The next history read waits until the same customer's app has had a whole answer in this thread over REST.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let reads = 0;
    await page.route(/\/api\/v1\/threads\/th_[0-9a-f]+\/messages$/, async (route) => {
      reads++;
      await held;
      await route.continue();
    });
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await expect.poll(() => reads).toBe(1);
    const key = await h.key(['chat:act-as-customer'], 'mobile app');
    fake.script(reply('Statement sent to your inbox.'));
    const sent = await call(h.base, 'POST', `/api/v1/threads/${threadId}/messages`, {
      headers: { authorization: `Bearer ${key}`, 'x-helpline-customer': 'cus_001' }, body: { clientMessageId: 'app-msg-0001', text: 'Send me my statement' },
    });
    expect(sent.json['status']).toBe('answered');
    release();
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual(['You: Send me my statement', 'Support: Statement sent to your inbox.']);
    await new Promise((r) => setTimeout(r, 300));
    expect(await shown(page)).toEqual(['You: Send me my statement', 'Support: Statement sent to your inbox.']);
    expect(await page.locator('li[aria-busy]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a visitor the site has not signed in (its token endpoint answers 401) chats anonymously', async () => {
    const page = await browser.newPage();
    await page.goto(`${siteUrl}/guest`);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    fake.script(reply('Our branches open at 9am.'));
    const box = page.getByRole('textbox', { name: 'Your message' });
    await box.fill('When do you open?');
    await box.press('Enter');
    await expect.poll(async () => (await shown(page)).at(-1), { timeout: 10_000 }).toBe('Support: Our branches open at 9am.');
    expect((fake.requests.at(-1)?.body.tools ?? []).map((t) => t.name)).not.toContain('get_account_balance');
    await page.close();
  }, 60_000);

  it('the demo page signs a developer in as a demo customer, whose customer tools the model then gets', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${h.base}/chat`);
    await page.getByRole('textbox', { name: /Chat as a demo customer/ }).fill('cus_002');
    await page.getByRole('button', { name: 'Chat as this customer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Support (demo: cus_002)' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    fake.script(reply('You have one card.'));
    const box = page.getByRole('textbox', { name: 'Your message' });
    await box.fill('Which cards do I have?');
    await box.press('Enter');
    await expect.poll(async () => (await shown(page)).at(-1), { timeout: 10_000 }).toBe('Support: You have one card.');
    expect((fake.requests.at(-1)?.body.tools ?? []).map((t) => t.name)).toContain('request_card_deactivation');
    const threads = await h.repos.conversations.listForCustomer('cus_002', 10);
    expect(threads.map((t) => t.channel)).toContain('web');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('serves the script with caching headers and answers a revalidation with 304', async () => {
    const first = await fetch(`${h.base}/widget.js`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/javascript/);
    const etag = first.headers.get('etag')!;
    expect((await fetch(`${h.base}/widget.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const page = await fetch(`${h.base}/chat`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
