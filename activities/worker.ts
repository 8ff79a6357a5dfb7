import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from './index.js';
import type { Database } from '../db/client.js';
import type { Env } from '../lib/env.js';
import { CredentialSealer } from '../lib/crypto.js';
import { createDataConverter, failureConverterPath } from '../lib/codec.js';
import { createConnector, providerBaseUrl } from '../connectors/index.js';
import { activityLogInterceptor } from '../lib/logger.js';
import { ensureEventSweepSchedule, ensureExportSweepSchedule } from '../lib/schedules.js';

const here = fileURLToPath(import.meta.url);
/** workflows/index.ts under tsx; dist/workflows/index.js when this runs compiled (`npm run build`). */
export const workflowsPath = path.join(path.dirname(here), '..', 'workflows', `index${path.extname(here)}`);

/**
 * Bundles the workflow code once (webpack + swc); our ESM sources import `./x.js`, which webpack must map to `./x.ts`.
 * The bundle carries the encrypting failure converter (lib/codec.ts), so failures raised in workflow code are encoded too.
 * `opts.workflowsPath` is for tests that bundle other workflow code (the replay test's non-deterministic copy).
 */
export async function bundleWorkflows(opts: { workflowsPath?: string } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: opts.workflowsPath ?? workflowsPath,
    failureConverterPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error(m: string) { process.stderr.write(`${m}\n`); }, log() {} },
    webpackConfigHook: (config) => {
      config.resolve = { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } };
      return config;
    },
  });
}

export interface WorkerOptions {
  connection: NativeConnection;
  client: Client;
  database: Database;
  env: Env;
  taskQueue: string;
  namespace: string;
  /** An in-memory bundle (bundleWorkflows) or a prebuilt file `{ codePath }` (scripts/bundle-workflows.ts). */
  workflowBundle: WorkflowBundleOption;
  /** `'10 seconds'`, or milliseconds. */
  shutdownGraceTime?: string | number;
}

/**
 * How far V8 lets the heap grow past the live data before it collects (its default is dynamic, up to ×4): a
 * 100,000-record import is mostly short-lived garbage, and with the default the worker's RSS rose by ~100 MB and
 * stayed there, though ~35 MB was live. 10 %, with the young generation capped (lib/worker-flags.ts), keeps the peak flat whatever the import's size (docs/import.md,
 * "Worker memory"). Set here, in the composition root, so production, `npm start` and the bench run the same, and
 * when this module is loaded: set later (after the Temporal runtime started), V8 no longer applied it.
 */
const HEAP_GROWING_PERCENT = 10;
v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);

export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  const activities = createActivities({
    database: opts.database,
    env: opts.env,
    sealer: new CredentialSealer(opts.env.CREDENTIALS_KEY),
    temporal: opts.client,
    taskQueue: opts.taskQueue,
    createConnector,
    baseUrl: (provider) => providerBaseUrl(opts.env, provider),
  });
  // Exports recorded but never started (API stopped, Temporal away) are picked up by this schedule.
  await ensureExportSweepSchedule(opts.client, opts.taskQueue, opts.env.EXPORT_SWEEP_INTERVAL);
  // Events written but never kicked (docs/events.md) are delivered by this one.
  await ensureEventSweepSchedule(opts.client, opts.taskQueue, opts.env.EVENT_SWEEP_INTERVAL);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle,
    // Must match the client's (lib/codec.ts): payloads and failures are encrypted in Temporal.
    dataConverter: createDataConverter(opts.env),
    activities,
    // Activity log lines carry the tenant (lib/logger.ts).
    interceptors: { activity: [activityLogInterceptor] },
    shutdownGraceTime: (opts.shutdownGraceTime ?? '10 seconds') as never,
  });
}
