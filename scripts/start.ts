/**
 * `npm start`: the whole local stack on embedded defaults, for a newcomer to see data flow.
 *  - Postgres: DATABASE_URL, else an embedded server with its data in .data/pg (git-ignored);
 *  - Temporal: TEMPORAL_ADDRESS, else the `temporal` CLI's dev server with its Web UI (data in .data/temporal.db);
 *  - migrations, the worker and the API in this process, the fake FactuurSturen server;
 *  - a demo tenant activated against the fake, with one archived work order turned into a concept invoice.
 * Ctrl-C stops all of it.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadEnvOrExit, type Env } from '../lib/env.js';
import { connectDatabase, runMigrations } from '../db/client.js';
import { startEmbeddedPostgres, type PostgresServer } from './local/postgres-server.js';
import { projectRoot, resolveTemporalCli, startTemporalDevServer, type DevServer } from './local/temporal-server.js';
import { startSdkDevServer } from './local/temporal-fallback.js';
import { bundleWorkflows, createWorker } from '../activities/worker.js';
import { createApp } from '../api/app.js';
import { createDataConverter } from '../lib/codec.js';
import { startFakeFactuurSturen, seedFactuurSturen, DEFAULT_FS_ACCOUNT, type FakeFactuurSturen } from '../fakes/factuursturen/server.js';
import { startFakeOctopus, DEFAULT_OCTOPUS_USER } from '../fakes/octopus/server.js';
import { startFakeImuis, DEFAULT_ENVIRONMENT_CODE } from '../fakes/imuis/server.js';
import { startFakeRompslomp } from '../fakes/rompslomp/server.js';
import { startFakeVismaNet } from '../fakes/visma-net/server.js';
import { runDemo } from './demo.js';
import { startCodecProxy } from './local/codec-proxy.js';

const say = (m: string) => process.stdout.write(`${m}\n`);
// LOCAL_DATA_DIR moves the embedded Postgres and Temporal data elsewhere (tests use it); .data/ by default.
const dataDir = process.env.LOCAL_DATA_DIR ?? path.join(projectRoot, '.data');

async function main() {
  const devTokens = !process.env.API_TOKENS;
  const adminToken = `dev-admin-${randomBytes(6).toString('hex')}`;
  const backendToken = `dev-backend-${randomBytes(6).toString('hex')}`;
  const supportToken = `dev-support-${randomBytes(6).toString('hex')}`;
  const env: Env = loadEnvOrExit({
    ...process.env,
    ...(devTokens ? { API_TOKENS: `${adminToken}:admin,${backendToken}:backend,${supportToken}:support` } : {}),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const stops: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  // Postgres
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say('Starting embedded PostgreSQL (data in .data/pg)…');
    const pg: PostgresServer = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: Number(process.env.EMBEDDED_PG_PORT ?? 54329), persistent: true, database: 'simon' });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  await runMigrations(databaseUrl);
  const database = connectDatabase(databaseUrl);
  stops.push(() => database.close());

  // The UI decrypts payloads through the codec; with dev tokens, a local proxy adds the support token for it.
  const codecProxyPort = Number(process.env.CODEC_PROXY_PORT ?? 3009);
  const codecProxyUrl = `http://127.0.0.1:${codecProxyPort}`;
  if (devTokens) {
    const proxy = await startCodecProxy({
      port: codecProxyPort, apiUrl: `http://127.0.0.1:${env.PORT}`, supportToken,
      uiOrigins: env.TEMPORAL_UI_ORIGIN,
    });
    stops.push(() => proxy.stop());
  }

  // Temporal
  let address = env.TEMPORAL_ADDRESS;
  let uiUrl = env.TEMPORAL_UI_URL;
  if (!address) {
    const cli = resolveTemporalCli({ log: say });
    const uiPort = env.TEMPORAL_UI_PORT;
    const opts = { port: Number(process.env.TEMPORAL_PORT ?? 7233), uiPort, dbFile: path.join(dataDir, 'temporal.db') };
    say('Starting the Temporal dev server with its Web UI…');
    const dev: DevServer = cli
      ? await startTemporalDevServer({ cli, ...opts, codecEndpoint: devTokens ? codecProxyUrl : `http://127.0.0.1:${env.PORT}/codec` })
      : await startSdkDevServer(opts);
    stops.push(() => dev.stop());
    address = dev.address;
    uiUrl = dev.uiUrl;
  }
  const connection = await Connection.connect({ address });
  stops.push(() => connection.close());
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });

  // The fake FactuurSturen, when the configured base URL is a local one.
  let fake: FakeFactuurSturen | undefined;
  const fsUrl = new URL(env.FACTUURSTUREN_BASE_URL);
  if (['127.0.0.1', 'localhost'].includes(fsUrl.hostname)) {
    fake = await startFakeFactuurSturen({ port: Number(fsUrl.port || 80) });
    seedFactuurSturen(fake.state, { groups: 3, products: 60, clients: 150 });
    stops.push(() => fake!.stop());
  }

  // The other packages' fakes, so every provider can be activated locally (Octopus and iMuis with the
  // credentials printed below, Rompslomp and Visma.net through their OAuth screens).
  const others: string[] = [];
  const localPort = (url: string) => {
    const u = new URL(url);
    return ['127.0.0.1', 'localhost'].includes(u.hostname) ? Number(u.port || 80) : null;
  };
  const octopusPort = localPort(env.OCTOPUS_BASE_URL);
  if (octopusPort) {
    const f = await startFakeOctopus({ port: octopusPort, seed: { relations: 120, products: 40, groups: 3 } });
    stops.push(() => f.stop());
    others.push(`Octopus ${env.OCTOPUS_BASE_URL} (user ${DEFAULT_OCTOPUS_USER.user}, password ${DEFAULT_OCTOPUS_USER.password})`);
  }
  const imuisPort = localPort(env.IMUIS_BASE_URL);
  if (imuisPort) {
    const f = await startFakeImuis({ port: imuisPort, seed: {} });
    stops.push(() => f.stop());
    others.push(`iMuis ${env.IMUIS_BASE_URL} (omgevingscode ${DEFAULT_ENVIRONMENT_CODE})`);
  }
  const rompslompPort = localPort(env.ROMPSLOMP_BASE_URL);
  if (rompslompPort) {
    const f = await startFakeRompslomp({ port: rompslompPort, seed: {} });
    stops.push(() => f.stop());
    others.push(`Rompslomp ${env.ROMPSLOMP_BASE_URL} (OAuth: GET …/activation/oauth-url)`);
  }
  const vismaPort = localPort(env.VISMA_NET_BASE_URL);
  const connectPort = localPort(env.VISMA_CONNECT_BASE_URL);
  if (vismaPort && connectPort) {
    const f = await startFakeVismaNet({ apiPort: vismaPort, salesOrderPort: localPort(env.VISMA_NET_SALESORDER_BASE_URL) ?? undefined, connectPort, seed: {} });
    stops.push(() => f.stop());
    others.push(`Visma.net ${env.VISMA_NET_BASE_URL} (OAuth via ${env.VISMA_CONNECT_BASE_URL})`);
  }

  // Worker
  say('Bundling workflows and starting the worker…');
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection: nativeConnection, client, database, env, taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE,
    workflowBundle: await bundleWorkflows(),
  });
  const workerRun = worker.run();
  stops.push(async () => { worker.shutdown(); await workerRun; await nativeConnection.close(); });

  // API
  const app = createApp({ database, env, temporal: { client, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, uiUrl } });
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: '127.0.0.1' });
  stops.push(() => new Promise((r) => server.close(() => r(undefined))));
  const apiUrl = `http://127.0.0.1:${env.PORT}`;

  say('');
  say('Simon accounting integrations — local stack is up');
  say(`  API            ${apiUrl}/v1`);
  say(`  API reference  ${apiUrl}/v1/docs`);
  say(`  OpenAPI        ${apiUrl}/v1/openapi.json`);
  say(`  Temporal UI    ${uiUrl ?? '(external Temporal: see your own UI)'}`);
  if (fake) say(`  Fake FactuurSturen ${fake.url}  (user ${DEFAULT_FS_ACCOUNT.username}, API key ${DEFAULT_FS_ACCOUNT.apiKey})`);
  for (const o of others) say(`  Fake ${o}`);
  if (devTokens) {
    say(`  Dev tokens     admin ${adminToken}`);
    say(`                 backend ${backendToken}`);
    say(`                 support ${supportToken}`);
  } else {
    say('  Tokens         from API_TOKENS');
  }
  say('Press Ctrl-C to stop.\n');

  if (fake && devTokens) {
    await runDemo({ apiUrl, adminToken, backendToken, fake, say }).catch((err) => say(`Demo tenant: ${(err as Error).message}`));
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
