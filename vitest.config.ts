import { defineConfig } from 'vitest/config';
import { postgresMissing } from './test/helpers/postgres.js';

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };
const pgMissing = postgresMissing();
if (pgMissing) process.stdout.write(`[vitest] the business-rule tests on PostgreSQL (project "postgres") are skipped: ${pgMissing}\n`);

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'default', include: ['test/**/*.test.ts'] } },
      // The business-rule tests a second time, on a real PostgreSQL that the harness starts.
      ...(pgMissing ? [] : [{
        test: {
          ...shared, name: 'postgres', include: ['test/support/**/*.test.ts'], exclude: ['test/support/limits-postgres.test.ts'],
          env: { HELPLINE_TEST_ENGINE: 'postgres' }, setupFiles: ['test/helpers/postgres-project-setup.ts'],
        },
      }]),
    ],
  },
});
