import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { postgresMissing } from './test/helpers/postgres.js';

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };
const pgMissing = postgresMissing();
if (pgMissing) process.stdout.write(`[vitest] the business-rule tests on PostgreSQL (project "postgres") are skipped: ${pgMissing}\n`);

/**
 * The channel and conversation tests that get their store through the engine switch (test/helpers/test-engine.ts:
 * `reposFor`, or the harnesses built on it), found by what they call. The others hold no store, or test one engine
 * on purpose (the multi-instance test runs its own PostgreSQL suite; spawned processes use a JSON file).
 */
const ENGINE_SWITCH = /\b(reposFor|startRealStack|startChat|makeSupport)\(/;
function engineSwitched(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts') && ENGINE_SWITCH.test(readFileSync(join(dir, f), 'utf8')))
    .map((f) => join(dir, f));
}

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'default', include: ['test/**/*.test.ts'] } },
      // The business-rule, channel and conversation tests a second time, on a real PostgreSQL that the harness starts.
      ...(pgMissing ? [] : [{
        test: {
          ...shared, name: 'postgres',
          include: ['test/support/**/*.test.ts', ...engineSwitched('test/channels'), ...engineSwitched('test/conversations')],
          exclude: ['test/support/limits-postgres.test.ts'],
          env: { HELPLINE_TEST_ENGINE: 'postgres' }, setupFiles: ['test/helpers/postgres-project-setup.ts'],
        },
      }]),
    ],
  },
});
