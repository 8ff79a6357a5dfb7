import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests have their own run (vitest.ui.config.ts, `npm run test:ui`).
    exclude: [...configDefaults.exclude, 'test/ui/**'],
    // Temporal's native bridge does not survive worker threads (sdk-typescript#876).
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report is what .ci/run checks (failed = 0, total > 0), independent of the exit code.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
  },
});
