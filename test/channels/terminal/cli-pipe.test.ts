import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonStore } from '../../../src/store/json/index.js';
import { loadSeed, waitFor } from './harness.js';

const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ANTHROPIC_|SLACK_|EMAIL_|DATA_FILE|SEED_FILE|LOG_LEVEL)/.test(k)) env[k] = v;
  }
  // No dev mailbox listener: these sessions send no mail, and parallel runs must not race for its port.
  return { ...env, ANTHROPIC_API_KEY: '', LOG_LEVEL: 'info', DEV_MAILBOX: 'off', ...extra };
}

function run(script: string, env: Record<string, string>): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(TSX, [script], { cwd: process.cwd(), env: cleanEnv(env), stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

describe('npm run chat under a pipe (no TTY)', () => {
  it('does a whole session on a fresh data file; replies on stdout, JSON logs on stderr only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-chat-'));
    dirs.push(dir);
    const dataFile = join(dir, 'db.json');
    const seed = loadSeed();
    const card = seed.cards.find((c) => c.customerId === 'cus_001' && c.status === 'active')!;
    const p = run('src/channels/terminal/cli.ts', { DATA_FILE: dataFile });
    const say = async (line: string, until: RegExp) => {
      const from = p.out().length;
      p.child.stdin.write(`${line}\n`);
      await waitFor(() => until.test(p.out().slice(from)), `${until} after "${line}": ${p.out().slice(from)} ${p.err().slice(-500)}`, 40_000);
      return p.out().slice(from);
    };
    await waitFor(() => p.out().includes('Type "help"'), `banner: ${p.err()}`, 40_000);
    expect(p.out()).toContain('model: offline assistant (no ANTHROPIC_API_KEY)');
    await say('user cus_001', /Now chatting as/);
    expect(await say('how much money do I have?', /helpline> /)).toMatch(/balance/i);
    const requested = await say(`deactivate my card ending ${card.last4}`, /helpline> /);
    const approvalId = /approve (apr_\w+)/.exec(requested)?.[1];
    expect(approvalId, requested).toBeDefined();
    expect(await say('staff', /Pending approvals/)).toContain(approvalId);
    expect(await say(`approve ${approvalId}`, /helpline \(notice\)> /)).toContain(card.last4);
    expect(await say('reset', /Started a new conversation/)).toContain('terminal:cus_001:2');
    p.child.stdin.end('quit\n');
    expect(await p.exit).toBe(0);

    expect(p.out()).not.toContain('"level"');
    const logLines = p.err().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const l of logLines) expect(() => JSON.parse(l)).not.toThrow();
    // The decision is durable in the data file (flushed on exit).
    const { doc: db } = await readJsonStore(dataFile);
    expect(db.cards.find((c) => c.id === card.id)?.status).toBe('deactivated');
    expect(db.approvals.find((a) => a.id === approvalId)?.status).toBe('approved');
  }, 120_000);

  it('npm start with a bad variable prints one line naming it (never a secret) and exits 1', async () => {
    const p = run('src/main.ts', { ANTHROPIC_TIMEOUT_MS: 'soon', ANTHROPIC_API_KEY: 'sk-ant-very-secret-key', DATA_FILE: '/nonexistent/x.json' });
    expect(await p.exit).toBe(1);
    const lines = p.err().trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ANTHROPIC_TIMEOUT_MS');
    expect(p.err()).not.toContain('sk-ant-very-secret-key');
    expect(p.out()).toBe('');
  }, 30_000);

  it('shuts down cleanly on SIGTERM: exit 0, the conversation flushed to the data file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-chat-'));
    dirs.push(dir);
    const dataFile = join(dir, 'db.json');
    const p = run('src/channels/terminal/cli.ts', { DATA_FILE: dataFile });
    await waitFor(() => p.out().includes('Type "help"'), `banner: ${p.err()}`, 40_000);
    p.child.stdin.write('user cus_003\nhello there\n');
    await waitFor(() => p.out().includes('helpline> '), 'a reply', 20_000);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.err()).toContain('"msg":"helpline stopped"');
    const { doc: db } = await readJsonStore(dataFile);
    expect(db.conversations.find((c) => c.threadKey === 'terminal:cus_003:1')?.messages.length).toBeGreaterThan(0);
    expect(db.ledger.map((e) => e.status)).toEqual(['done']);
  }, 120_000);
});
