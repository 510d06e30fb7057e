import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { installProcessPolicy, type ProcessErrorKind } from '../src/process-policy.js';
import { createJsonRepositories } from '../src/store/json/index.js';

const dir = mkdtempSync(join(tmpdir(), 'helpline-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve().then(fn).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('process-level error policy', () => {
  it('a rejection is logged and counted and serving goes on; an exception stops through the normal shutdown', async () => {
    const proc = new EventEmitter();
    const counted: ProcessErrorKind[] = [];
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const shutdowns: number[] = [];
    const exits: number[] = [];
    const remove = installProcessPolicy({ proc, log, count: (k) => counted.push(k), shutdown: (code) => { shutdowns.push(code); }, exit: (c) => exits.push(c), deadlineMs: 50 });
    proc.emit('unhandledRejection', new Error('lost promise'), Promise.resolve());
    expect(counted).toEqual(['unhandledRejection']);
    expect(shutdowns).toEqual([]);
    expect(lines.join('')).toContain('lost promise');
    proc.emit('uncaughtException', new Error('thrown'), 'uncaughtException');
    proc.emit('uncaughtException', new Error('thrown again'), 'uncaughtException');
    await new Promise((r) => setTimeout(r, 100));
    expect(counted).toEqual(['unhandledRejection', 'uncaughtException', 'uncaughtException']);
    expect(shutdowns).toEqual([1]); // once, however many follow
    expect(exits).toEqual([1]); // the shutdown above never exits by itself: the deadline does
    remove();
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });

  it('in a running Helpline: keeps answering after a rejection, then exits 1 cleanly after an exception', async () => {
    const port = await freePort();
    const dataFile = join(dir, 'db.json');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(ANTHROPIC_|SLACK_|EMAIL_|DATA_FILE|SEED_FILE|LOG_LEVEL|HTTP_|OPS_)/.test(k)) env[k] = v;
    // node itself (tsx as a loader), not the tsx CLI: signals must reach the Helpline process, not a wrapper.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/policy-child.ts'], { cwd: process.cwd(), env: { ...env, DATA_FILE: dataFile, HTTP_PORT: String(port), LOG_LEVEL: 'info' }, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    try {
      await until('healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
      child.kill('SIGUSR2');
      await until('the rejection logged', () => (stderr.includes('planted rejection') ? true : undefined));
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/helpline_process_errors_total\{kind="unhandledRejection"\} 1/);
      expect(existsSync(`${dataFile}.lock`)).toBe(true);
      child.kill('SIGUSR2');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
      expect(code).toBe(1);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toContain('planted exception');
    expect(stderr).toContain('helpline stopped'); // the normal shutdown ran: store flushed and closed
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
    const repos = await createJsonRepositories({ file: dataFile, seedFile: 'data/seed.json', log: pino({ level: 'silent' }) });
    expect(await repos.customers.get('cus_001')).toBeDefined(); // the file opens again (no lock left, valid content)
    await repos.close();
  }, 60_000);
});
