import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApiKeys } from '../../../src/channels/web/api-keys.js';
import { runApiKeyCli } from '../../../src/channels/web/apikey-cli.js';
import { createMemoryRepositories } from '../../../src/store/memory/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('API keys', () => {
  it('verifies the key it printed, stores only a hash of it, and refuses it once revoked', async () => {
    const repos = createMemoryRepositories();
    const keys = createApiKeys({ apiKeys: repos.apiKeys, clock: () => new Date('2026-12-01T10:00:00Z') });
    const { key, record } = await keys.create('Shop backend', ['chat:act-as-customer', 'tokens:mint']);
    expect(key).toMatch(/^hlk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const secret = key.split('_').slice(2).join('_');
    expect(JSON.stringify(repos.snapshot())).not.toContain(secret);
    expect((await keys.verify(key))?.id).toBe(record.id);
    // A wrong secret for a real id, an unknown id, junk: all refused alike.
    expect(await keys.verify(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await keys.verify(key.replace(record.id, '0123456789abcdef'))).toBeUndefined();
    expect(await keys.verify('Bearer x')).toBeUndefined();
    await keys.revoke(record.id);
    expect(await keys.verify(key)).toBeUndefined();
  });

  it('the CLI creates (printing the key once, on stdout alone), lists without secrets, revokes, and says what is wrong', async () => {
    const repos = createMemoryRepositories();
    const clock = () => new Date('2026-12-01T10:00:00Z');
    const created = io();
    expect(await runApiKeyCli(['create', '--name', 'Shop', '--scope', 'tokens:mint'], repos, clock, created.io)).toBe(0);
    expect(created.out).toHaveLength(1);
    const key = created.out[0]!;
    expect(created.err.join('\n')).toContain('not shown again');
    const id = key.split('_')[1]!;

    const listed = io();
    expect(await runApiKeyCli(['list'], repos, clock, listed.io)).toBe(0);
    expect(listed.out.join('\n')).toContain(`${id}  active`);
    expect(listed.out.join('\n')).not.toContain(key.slice(-43));

    const revoked = io();
    expect(await runApiKeyCli(['revoke', id], repos, clock, revoked.io)).toBe(0);
    expect(revoked.out.join('\n')).toContain('revoked');
    const after = io();
    await runApiKeyCli(['list'], repos, clock, after.io);
    expect(after.out.join('\n')).toContain(`${id}  revoked 2026-12-01T10:00:00.000Z`);

    for (const argv of [['create', '--name', 'X'], ['create', '--name', 'X', '--scope', 'admin'], ['revoke', 'nope'], ['frobnicate'], ['create', '--bogus']]) {
      const bad = io();
      expect(await runApiKeyCli(argv, repos, clock, bad.io)).toBe(1);
      expect(bad.err.join('\n')).not.toBe('');
      expect(bad.out).toEqual([]);
    }
  });

  it('`npm run apikey` runs against the configured JSON store as a real process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-apikey-'));
    try {
      const env = { ...process.env, DATA_FILE: join(dir, 'db.json'), SEED_FILE: join(root, 'data/seed.json'), DATABASE_URL: '', LOG_LEVEL: 'silent' };
      const run = (...args: string[]) => spawnSync('npx', ['tsx', 'src/channels/web/apikey-cli.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      const created = run('create', '--name', 'Shop backend', '--scope', 'chat:act-as-customer', '--scope', 'tokens:mint');
      expect(created.status).toBe(0);
      const key = created.stdout.trim();
      expect(key).toMatch(/^hlk_/);
      const stored = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
      expect(stored).toContain(key.split('_')[1]);
      expect(stored).not.toContain(key.slice(-43));
      const listed = run('list');
      expect(listed.stdout).toContain('chat:act-as-customer,tokens:mint  Shop backend');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
