/**
 * `npm run api`: the HTTP API process (stateless; run as many as you like behind a load balancer).
 * Configuration from the environment (lib/env.ts); DATABASE_URL and TEMPORAL_ADDRESS are required.
 * The Temporal connection is lazy, so the API starts while Temporal is still coming up and /v1/ready says so.
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish within API_SHUTDOWN_GRACE,
 * close the database and Temporal connections, exit 0. Logs are JSON lines on stdout.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app.js';
import { connectDatabase } from '../db/client.js';
import { createDataConverter } from '../lib/codec.js';
import { loadEnvOrExit } from '../lib/env.js';
import { createLogger } from '../lib/logger.js';

const env = loadEnvOrExit();
const logger = createLogger(env, { service: 'api' });

function required(name: 'DATABASE_URL' | 'TEMPORAL_ADDRESS'): string {
  const value = env[name];
  if (!value) {
    logger.fatal({ field: name }, `${name} is required for the API`);
    process.exit(1);
  }
  return value;
}

const databaseUrl = required('DATABASE_URL');
const address = required('TEMPORAL_ADDRESS');

const database = connectDatabase(databaseUrl);
const connection = Connection.lazy({ address });
const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });
const app = createApp({
  database,
  env,
  logger,
  temporal: { client, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, uiUrl: env.TEMPORAL_UI_URL },
});

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: '0.0.0.0' }, (info) => {
  logger.info({ port: info.port }, 'API listening');
}) as Server;
server.on('error', (err) => {
  logger.fatal({ err }, 'API server failed');
  process.exit(1);
});

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  logger.info({ signal, graceMs: env.API_SHUTDOWN_GRACE }, 'shutting down: no new connections, in-flight requests get the grace time');
  // Keep-alive connections that go idle after their last response are closed as they go idle.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const force = setTimeout(() => {
    logger.warn({ graceMs: env.API_SHUTDOWN_GRACE }, 'grace time over: closing the remaining connections');
    server.closeAllConnections();
  }, env.API_SHUTDOWN_GRACE);
  await closed;
  clearInterval(idle);
  clearTimeout(force);
  await Promise.allSettled([database.close(), connection.close()]);
  logger.info('API stopped');
  process.exit(0);
}
process.on('SIGTERM', (s) => void stop(s));
process.on('SIGINT', (s) => void stop(s));
