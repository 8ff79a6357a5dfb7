import { defineConfig } from 'vitest/config';

/**
 * `npm run test:ui`: the browser tests (docs/testing.md, "The browser test"). Each file starts the local stack the way
 * `npm start` does, so there is no global setup; one file at a time, with deadlines in minutes.
 */
export default defineConfig({
  test: {
    include: ['test/ui/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // .ci/run checks this report as it checks the main one.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest-ui.json' },
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
  },
});
