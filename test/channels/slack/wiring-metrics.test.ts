/** The composition root wires the Slack channel's drop counter into /metrics (helpline_dropped_inbound_total). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/config/logger.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { postEvent, postRaw } from '../../helpers/slack-sign.js';
import { dm } from './harness.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const SECRET = 'wiring-metrics-secret';

let app: App | undefined;
let fake: FakeSlack | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = fake = dir = undefined;
});

describe('Slack drops in /metrics', () => {
  it('counts refused and acknowledged-only requests by reason, and the app keeps serving', async () => {
    fake = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'helpline-slack-metrics-'));
    const config = loadConfig({
      DATA_FILE: join(dir, 'db.json'), SEED_FILE: root('data/seed.json'), KB_DIR: root('data/kb'), LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_PORT: '0', SLACK_API_URL: fake.apiUrl,
      SLACK_STAFF_CHANNEL: 'CSTAFF', SLACK_STAFF_USER_IDS: 'U0STAFF0001',
    });
    app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0 });
    await app.start();
    const slack = `http://127.0.0.1:${app.wired.slack!.address()!.port}/slack/events`;
    expect((await postEvent(slack, SECRET, { type: 'app_rate_limited', team_id: fake.teamId, minute_rate_limited: 1, api_app_id: 'A0APP' })).status).toBe(200);
    expect((await postRaw(slack, SECRET, 'null', 'application/json')).status).toBe(400);
    expect((await postRaw(slack, SECRET, 'null', 'application/json')).status).toBe(400);
    expect((await postEvent(slack, SECRET, { ...dm(fake, { text: 'hi' }), team_id: 'T0ELSEWHERE' })).status).toBe(200);
    const text = await (await fetch(`${app.wired.http!.url}/metrics`)).text();
    expect(text).toContain('helpline_dropped_inbound_total{channel="slack",reason="app_rate_limited"} 1');
    expect(text).toContain('helpline_dropped_inbound_total{channel="slack",reason="malformed"} 2');
    expect(text).toContain('helpline_dropped_inbound_total{channel="slack",reason="foreign_workspace"} 1');
    expect((await fetch(`${app.wired.http!.url}/healthz`)).status).toBe(200);
  });
});
