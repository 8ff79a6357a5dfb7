/**
 * `npm run worker`: one Temporal worker process (scale out by running more of them).
 * Configuration from the environment (lib/env.ts); DATABASE_URL and TEMPORAL_ADDRESS are required.
 * Compiled (`npm run build`, then `npm run worker` = node dist/scripts/worker.js) it loads the workflow bundle the
 * build wrote (dist/workflow-bundle.js); under tsx (`npm run worker:dev`) it bundles the workflow sources at start.
 * SIGTERM/SIGINT: stop polling, give in-flight activities WORKER_SHUTDOWN_GRACE to finish (then they are
 * cancelled, and their retry on another worker resumes from the last heartbeat), close the connections, exit 0.
 * Logs are JSON lines on stdout.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { connectDatabase } from '../db/client.js';
import { createDataConverter } from '../lib/codec.js';
import { loadEnvOrExit } from '../lib/env.js';
import { createLogger, installTemporalLogging } from '../lib/logger.js';
import { runsCompiled, workflowBundlePath } from './build-layout.js';
import { bundleWorkflows, createWorker } from '../activities/worker.js';

/** After the grace time the worker cancels activities; this much more is allowed for them to return before we give up. */
const forceExitAfterGraceMs = 15_000;

const env = loadEnvOrExit();
const logger = createLogger(env, { service: 'worker' });

function required(name: 'DATABASE_URL' | 'TEMPORAL_ADDRESS'): string {
  const value = env[name];
  if (!value) {
    logger.fatal({ field: name }, `${name} is required for the worker`);
    process.exit(1);
  }
  return value;
}

async function main() {
  const databaseUrl = required('DATABASE_URL');
  const address = required('TEMPORAL_ADDRESS');
  installTemporalLogging(logger, env);

  // The bundle comes from the same `npm run build` as this compiled file; under tsx a bundle left in dist/ may be stale.
  const usePrebuilt = runsCompiled && existsSync(workflowBundlePath);
  const workflowBundle: WorkflowBundleOption = usePrebuilt ? { codePath: workflowBundlePath } : await bundleWorkflows();
  logger.info({ workflowBundle: usePrebuilt ? workflowBundlePath : 'bundled from source' }, 'workflow bundle');

  const database = connectDatabase(databaseUrl);
  const nativeConnection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });
  const worker = await createWorker({
    connection: nativeConnection,
    client,
    database,
    env,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    namespace: env.TEMPORAL_NAMESPACE,
    workflowBundle,
    shutdownGraceTime: env.WORKER_SHUTDOWN_GRACE,
  });

  // installTemporalLogging leaves signals to us (shutdownSignals: []).
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: env.WORKER_SHUTDOWN_GRACE }, 'shutting down: no new tasks, in-flight activities get the grace time');
    if (worker.getState() === 'RUNNING') worker.shutdown();
    setTimeout(() => {
      logger.error({ graceMs: env.WORKER_SHUTDOWN_GRACE }, 'worker did not stop after the grace time; exiting');
      process.exit(1);
    }, env.WORKER_SHUTDOWN_GRACE + forceExitAfterGraceMs).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  // The container health check reads this file's age (docker-compose.yml).
  const healthFile = env.WORKER_HEALTH_FILE;
  const touch = () => {
    if (healthFile && worker.getState() === 'RUNNING') writeFileSync(healthFile, new Date().toISOString());
  };
  const heartbeat = healthFile ? setInterval(touch, 10_000) : undefined;

  const running = worker.run();
  touch();
  logger.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE }, 'worker started');
  try {
    await running;
  } finally {
    clearInterval(heartbeat);
    await clientConnection.close().catch(() => {});
    await nativeConnection.close().catch(() => {});
    await database.close().catch(() => {});
  }
  logger.info('worker stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    logger.fatal({ err }, 'worker failed');
    process.exit(1);
  },
);
