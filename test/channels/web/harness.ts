/** A real Helpline (memory store from the demo seed, offline model) with its HTTP server on loopback, and API keys to call it with. */
import { mkdtempSync, rmSync } from 'node:fs';
import { SignJWT } from 'jose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App, type AppOptions } from '../../../src/app.js';
import { createApiKeys } from '../../../src/channels/web/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/config/logger.js';
import { createMemoryRepositories, type MemoryRepositories } from '../../../src/store/memory/index.js';
import type { ApiKeyScope } from '../../../src/store/schema.js';
import { loadSeed } from '../terminal/harness.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
export const TOKEN_SECRET = 'test-web-token-secret-0123456789-abcdefghij';

export interface WebHarness {
  app: App;
  repos: MemoryRepositories;
  base: string;
  key(scopes: ApiKeyScope[], name?: string): Promise<string>;
  revoke(key: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWeb(env: Record<string, string> = {}, appOpts: Partial<AppOptions> = {}): Promise<WebHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'helpline-web-'));
  const repos = createMemoryRepositories(loadSeed());
  let app: App;
  try {
    const config = loadConfig({
      DATA_FILE: join(dir, 'db.json'), SEED_FILE: root('data/seed.json'), KB_DIR: root('data/kb'), LOG_LEVEL: 'silent',
      WEB_TOKEN_SECRET: TOKEN_SECRET, ...env,
    });
    app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0, repos, ...appOpts });
    await app.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const keys = createApiKeys({ apiKeys: repos.apiKeys, clock: () => new Date() });
  return {
    app, repos, base: app.wired.http!.url,
    key: async (scopes, name = 'test backend') => (await keys.create(name, scopes)).key,
    revoke: async (key) => {
      await keys.revoke(key.split('_')[1] ?? '');
    },
    close: async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a staff member's Approve click does (src/channels/slack/approval-actions.ts) on the instance it reached:
 * decide the thread's pending approval (checking its action), then tell the customer's thread. Returns the decision.
 */
export async function approvePending(app: App, threadKey: string, action: string) {
  const staff = { kind: 'staff', staffId: 'U_STAFF' } as const;
  const pending = (await app.support.approvals.listPending(staff)).find((a) => a.threadKey === threadKey);
  if (pending?.action !== action) throw new Error(`no pending ${action} in ${threadKey}: ${JSON.stringify(pending)}`);
  const decided = await app.support.approvals.decide(staff, { approvalId: pending.id, decision: 'approve' });
  await app.conversations.notifyThread(decided.threadKey!, decided.customerMessage);
  return decided;
}

/** fetch with a JSON body (when given) and the JSON answer. */
export async function call(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers by path and compare them with toEqual
  return { status: res.status, headers: res.headers, json: json as Record<string, any> };
}

/** A customer token signed by hand (as the server would, or with another secret): to test expiry and forgery. */
export function signedToken(opts: { customerId?: string; secret?: string; iat?: number; ttlSeconds?: number } = {}): Promise<string> {
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('helpline').setAudience('helpline-web')
    .setSubject(opts.customerId ?? 'cus_001').setIssuedAt(iat).setExpirationTime(iat + (opts.ttlSeconds ?? 60))
    .sign(new TextEncoder().encode(opts.secret ?? TOKEN_SECRET));
}
