import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from '../activities/index.js';
import type { Database } from '../db/client.js';
import type { Env } from './env.js';
import { CredentialSealer } from './crypto.js';
import { createConnector, providerBaseUrl } from '../connectors/index.js';

export const workflowsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');

/** Bundles the workflow code once (webpack + swc); our ESM sources import `./x.js`, which webpack must map to `./x.ts`. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error(m: string) { process.stderr.write(`${m}\n`); }, log() {} } as never,
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
  workflowBundle: WorkflowBundleWithSourceMap;
  shutdownGraceTime?: string;
}

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
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle,
    activities,
    shutdownGraceTime: (opts.shutdownGraceTime ?? '10 seconds') as never,
  });
}
