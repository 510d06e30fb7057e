/**
 * The composition root with real channels: Slack (HTTP mode, real Bolt, fake Web API), email pointed at a closed
 * port (so readiness must name it), and the HTTP server. A customer DM is answered through the offline model and
 * real tools, and /metrics shows what happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/config/logger.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { postEvent } from '../helpers/slack-sign.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const SECRET = 'wiring-secret';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let app: App | undefined;
let fake: FakeSlack | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = fake = dir = undefined;
});

describe('app wiring', () => {
  it('answers a Slack DM with real tools, reports readiness per part and counts it in /metrics', async () => {
    fake = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'helpline-app-'));
    const deadPort = await closedPort();
    const config = loadConfig({
      DATA_FILE: join(dir, 'db.json'), SEED_FILE: root('data/seed.json'), KB_DIR: root('data/kb'), LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_PORT: '0', SLACK_API_URL: `${fake.apiUrl}`,
      SLACK_STAFF_CHANNEL: 'CSTAFF', SLACK_STAFF_USER_IDS: 'U0STAFF0001',
      EMAIL_IMAP_HOST: '127.0.0.1', EMAIL_IMAP_PORT: String(deadPort), EMAIL_IMAP_SECURE: 'false', EMAIL_IMAP_USER: 'support', EMAIL_IMAP_PASSWORD: 'x',
      EMAIL_SMTP_HOST: '127.0.0.1', EMAIL_SMTP_PORT: String(deadPort), EMAIL_FROM: 'Support <support@bank.test>', EMAIL_VERIFY_SENDER: 'false',
    });
    app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0 });
    expect(app.channels).toEqual(['slack', 'email', 'web', 'http']);
    expect(app.modelLabel).toContain('offline');
    await app.start();
    const http = app.wired.http!.url;
    const slackUrl = `http://127.0.0.1:${app.wired.slack!.address()!.port}/slack/events`;

    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    const ready = await fetch(`${http}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { failing: string[] };
    expect(body.failing).toEqual(['imap']);

    // cus_001 (Ada) is linked to Slack user U0DEMO00001 in the seed.
    const ts = '1730000000.000100';
    const event = { token: 't', team_id: fake.teamId, api_app_id: 'A1', type: 'event_callback', event_id: 'EvWIRE1', event_time: 1, event: { type: 'message', channel_type: 'im', channel: 'D0ADA', user: 'U0DEMO00001', text: "what's my balance?", ts, client_msg_id: 'cm-wire-1', team: fake.teamId } };
    expect((await postEvent(slackUrl, SECRET, event)).status).toBe(200);
    const post = await fake.waitFor(() => fake!.callsOf('chat.postMessage').find((c) => c.args['thread_ts'] === ts), 15_000);
    const balances = await app.repos.customers.accountsOf('cus_001');
    expect(balances.length).toBeGreaterThan(0);
    const reply = String(post.args['text']);
    const firstAmount = new Intl.NumberFormat('en-US', { style: 'currency', currency: balances[0]!.currency }).format(balances[0]!.balanceMinor / 100);
    expect(reply).toContain(firstAmount);

    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/helpline_inbound_messages_total\{channel="slack",outcome="accepted"\} 1/);
    expect(metrics).toMatch(/helpline_tool_calls_total\{tool="get_account_balance",result="ok"\} 1/);
    expect(metrics).toMatch(/helpline_model_calls_total\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/helpline_turn_overhead_seconds_count 1/);
    expect(metrics).toMatch(/helpline_outbox_depth 0/);
  });

  it('with OPS_PORT, health, readiness and metrics move off the public listener, which keeps only the reset page', async () => {
    dir = mkdtempSync(join(tmpdir(), 'helpline-app-'));
    const config = loadConfig({
      DATA_FILE: join(dir, 'db.json'), SEED_FILE: root('data/seed.json'), KB_DIR: root('data/kb'), LOG_LEVEL: 'silent', OPS_PORT: '0',
    });
    app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0 });
    await app.start();
    const pub = app.wired.http!.url;
    const ops = app.wired.ops!.url;
    expect(ops).not.toBe(pub);
    for (const path of ['/readyz', '/metrics']) {
      expect((await fetch(`${pub}${path}`)).status).toBe(404);
      expect((await fetch(`${ops}${path}`)).status).toBe(200);
    }
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    const reset = await fetch(`${pub}/reset/not-a-real-token`);
    expect(await reset.text()).toMatch(/link/i); // the reset page's own "invalid link" answer
    expect((await fetch(`${ops}/reset/not-a-real-token`)).status).toBe(404);
  });
});
