// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell syntax (${VAR:-default}), not templates
import { describe, expect, it } from 'vitest';
import { nodeFlags, startScript } from '../../bench/start-flags.js';

describe('the memory benchmark runs under the production start flags', () => {
  it('reads the flags of package.json start script, expanding ${VAR:-default}', () => {
    expect(nodeFlags('node --max-old-space-size=${HELPLINE_HEAP_MB:-1024} --trace-gc dist/main.js', {})).toEqual(['--max-old-space-size=1024', '--trace-gc']);
    expect(nodeFlags('node --max-old-space-size=${HELPLINE_HEAP_MB:-1024} dist/main.js', { HELPLINE_HEAP_MB: '700' })).toEqual(['--max-old-space-size=700']);
    expect(nodeFlags('node dist/main.js', {})).toEqual([]);
    expect(() => nodeFlags('tsx src/main.ts', {})).toThrow(/does not run node/);
  });

  it('npm start runs the compiled build with a bounded heap (the memory target depends on it)', () => {
    const script = startScript();
    expect(script).toMatch(/\bdist\/main\.js\b/);
    const limit = nodeFlags(script, {}).find((f) => f.startsWith('--max-old-space-size='));
    expect(Number(limit?.split('=')[1])).toBeGreaterThanOrEqual(256);
    expect(Number(limit?.split('=')[1])).toBeLessThanOrEqual(1536);
  });
});
