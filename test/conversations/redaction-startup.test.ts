import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REDACT = fileURLToPath(new URL('../../src/support/redact/index.ts', import.meta.url));

/** Timed in a fresh process: V8 compiles each pattern on first use, and a slow compile holds up the first message. */
const SCRIPT = `
const { redactSecrets } = await import(${JSON.stringify(REDACT)});
const time = (text) => { const t = performance.now(); const r = redactSecrets(text); return { ms: performance.now() - t, text: r.text }; };
const latin = time('hello, my password is hunter2 and my card 4111 1111 1111 1111, the code is 482913');
const wide = time('привет, мой пароль: qwerty123, код подтверждения 482913, карта ４１１１ １１１１ １１１１ １１１１');
console.log(JSON.stringify({ latin, wide }));
`;

describe('redactSecrets on the first message after start', () => {
  it('does not hold the event loop while its patterns compile (plain and non-Latin text)', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { timeout: 20_000 });
    const { latin, wide } = JSON.parse(stdout) as Record<'latin' | 'wide', { ms: number; text: string }>;
    expect(latin.text).toBe('hello, my password is [password removed] and my card [card number removed], the code is [one-time code removed]');
    expect(wide.text).toBe('привет, мой пароль: [password removed], код подтверждения [one-time code removed], карта [card number removed]');
    expect(latin.ms).toBeLessThan(250);
    expect(wide.ms).toBeLessThan(250);
  });
});
