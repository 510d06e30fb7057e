/**
 * The documented example (examples/library.ts, shown in the README) run as a user would: after `npm run build`, in
 * its own process, importing the package by its name through package.json `exports`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const seed = JSON.parse(readFileSync(join(root, 'data/seed.json'), 'utf8')) as { accounts: Array<{ customerId: string; balanceMinor: number }> };
const pounds = (minor: number) => `£${(minor / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
}, 120_000);

describe('Helpline as a library, as published', () => {
  it('exports "." as the built library entry with its types, and stays private', () => {
    expect(pkg.private).toBe(true);
    const entry = pkg.exports['.'];
    expect(pkg.types).toBe(entry.types);
    for (const file of [entry.types, entry.import]) expect(existsSync(join(root, file)), file).toBe(true);
    expect(readFileSync(join(root, entry.types), 'utf8')).toMatch(/createHelpline/);
    expect(readFileSync(join(root, 'dist/library/session.d.ts'), 'utf8')).toMatch(/chat\(text: string\): Promise<ChatReply>/);
  });

  it('the build carries what the compiled code reads at run time (migrations, the chat widget), file for file', async () => {
    const { ASSET_DIRS } = (await import(join(root, 'scripts/copy-assets.mjs'))) as { ASSET_DIRS: string[] };
    expect(ASSET_DIRS).toContain('channels/web/widget');
    for (const dir of ASSET_DIRS) expect(readdirSync(join(root, 'dist', dir)).sort(), dir).toEqual(readdirSync(join(root, 'src', dir)).sort());
  });

  it('the example typechecks as a consumer would compile it: `helpline` resolved through exports to the emitted .d.ts', () => {
    const flags = ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
    execFileSync(join(root, 'node_modules/.bin/tsc'), [...flags, join(root, 'examples/library.ts')], { cwd: root, stdio: 'pipe' });
  });

  it('the README shows examples/library.ts exactly', () => {
    const example = readFileSync(join(root, 'examples/library.ts'), 'utf8').trimEnd();
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`## Helpline as a library`);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${example}\n\`\`\``);
  });

  it('runs examples/library.ts: the real balance, a follow-up answered from the thread, an approval left to staff', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'helpline-example-'));
    const dbFile = join(root, 'data/db.json');
    const dbBefore = existsSync(dbFile) ? statSync(dbFile).mtimeMs : undefined;
    try {
      const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), [join(root, 'examples/library.ts')], { cwd, timeout: 60_000 });
      const balances = seed.accounts.filter((a) => a.customerId === 'cus_001').map((a) => pounds(a.balanceMinor));
      expect(balances.length).toBe(2);
      const [first] = stdout.split('\nassistant: ');
      for (const b of balances) expect(first).toContain(b);
      expect(stdout).toMatch(/assistant: Which card should I deactivate\?/);
      expect(stdout).toMatch(/assistant: I've sent your request to deactivate your card ending 4179 to our staff/);
      expect(stdout).toMatch(/^approval waiting for staff: card_deactivation apr_\w+$/m);
      expect(stdout).toMatch(/^history: 6 messages$/m);
      // Nothing written where it ran, nor into the package's data folder.
      expect(readdirSync(cwd)).toEqual([]);
      expect(existsSync(dbFile) ? statSync(dbFile).mtimeMs : undefined).toBe(dbBefore);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
