import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/channels/email/check-cli.js';
import { fixturesDir } from './fixtures/build.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const cli = path.join(repoRoot, 'src/channels/email/check-cli.ts');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', EMAIL_FROM: 'support@helpline.test', LOG_LEVEL: 'silent' };

async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [cli, ...args], { cwd: repoRoot, env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run email:check', () => {
  it('prints what Helpline would do with a message, as JSON, exit 0', async () => {
    const { code, stdout } = await check([path.join(fixturesDir, 'customer-plain.eml'), '--trusted-authserv-id', 'mx.helpline.test']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      action: 'reply',
      reason: 'ok',
      sender: { address: 'alice@example.com', verified: true },
      threadKey: 'email:<first-message@mail.example.com>',
    });
    expect(out.text).toContain('my card ending 4242 was declined');
  }, 30_000);

  it('reports ignored mail with the reason, and honours --no-verify', async () => {
    const bounce = await check([path.join(fixturesDir, 'bounce-dsn.eml')]);
    expect(JSON.parse(bounce.stdout)).toMatchObject({ action: 'ignore', reason: 'delivery status report', bounce: { recipients: ['gone@customer.example'] } });
    const relay = await check([path.join(fixturesDir, 'no-message-id.eml'), '--no-verify']);
    expect(JSON.parse(relay.stdout).sender).toMatchObject({ address: 'dave@example.net', verified: true });
  }, 30_000);

  it('exits 2 with usage on bad arguments or an unreadable file', async () => {
    const none = await check([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: npm run email:check');
    expect((await check([path.join(fixturesDir, 'does-not-exist.eml')])).code).toBe(2);
    expect(parseCliArgs(['a.eml', '--bogus'])).toBe('unknown option --bogus');
    expect(parseCliArgs(['a.eml', '--trusted-authserv-id'])).toBe('--trusted-authserv-id needs a value');
    expect(parseCliArgs(['a.eml', '--trusted-authserv-id=mx.x'])).toEqual({ file: 'a.eml', noVerify: false, full: false, trustedAuthservId: 'mx.x' });
  }, 30_000);
});
