import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness.js';

const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
/** util-linux `script` gives the chat a real terminal (a pty), as a person's shell does. */
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) process.stdout.write('[skip] terminal chat on a TTY: needs `script` from util-linux (apt-get install util-linux)\n');

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** The chat started in a pty from a folder holding a copy of `.env.example` as `.env`, the way a newcomer starts. */
function chatOnTty(dir: string, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(ANTHROPIC_|SLACK_|EMAIL_|DATA_FILE|SEED_FILE|KB_DIR|LOG_|HTTP_|DATABASE_URL)/.test(k)) env[k] = v;
  const cli = join(process.cwd(), 'src/channels/terminal/cli.ts');
  const child = spawn('script', ['-qfec', `${TSX} ${cli}`, '/dev/null'], { cwd: dir, env: { ...env, ...extra }, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exit };
}

describe.skipIf(!hasScript)('terminal chat on a TTY with `cp .env.example .env`', () => {
  it('keeps JSON log lines out of the chat: they go to a log file beside the data, named at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-tty-'));
    dirs.push(dir);
    // .env.example as shipped, with the demo data and knowledge base found from the repository.
    const example = readFileSync('.env.example', 'utf8')
      .replace(/^DATA_FILE=.*$/m, `DATA_FILE=${join(dir, 'data/db.json')}`)
      .replace(/^SEED_FILE=.*$/m, `SEED_FILE=${join(process.cwd(), 'data/seed.json')}`)
      .replace(/^KB_DIR=.*$/m, `KB_DIR=${join(process.cwd(), 'data/kb')}`)
      .replace(/^HTTP_PORT=.*$/m, 'HTTP_PORT=')
      .replace(/^DEV_MAILBOX=.*$/m, 'DEV_MAILBOX=off');
    writeFileSync(join(dir, '.env'), example);
    const p = chatOnTty(dir);
    await waitFor(() => p.out().includes('you> '), `prompt: ${p.out()}`, 30_000);
    p.child.stdin.write('What are your opening hours?\n');
    await waitFor(() => /help centre/i.test(p.out()), `answer: ${p.out()}`, 30_000);
    p.child.stdin.write('quit\n');
    expect(await p.exit).toBe(0);

    const logFile = join(dir, 'data/helpline.log');
    expect(p.out()).toContain(`(logs go to ${logFile})`);
    expect(p.out()).not.toMatch(/"level":|"msg":/);
    expect(existsSync(logFile)).toBe(true);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(lines.some((l) => JSON.parse(l).msg === 'message answered')).toBe(true);
    // The customer's words are never in the log at info.
    expect(readFileSync(logFile, 'utf8')).not.toContain('opening hours');
  }, 60_000);
});
