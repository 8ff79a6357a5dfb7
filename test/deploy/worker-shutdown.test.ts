import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import { DEFAULT_FS_ACCOUNT, seedFactuurSturen, startFakeFactuurSturen, type FakeFactuurSturen } from '../../fakes/factuursturen/server.js';
import type { Database } from '../../db/client.js';
import { createDataConverter } from '../../lib/codec.js';
import { parseEnv } from '../../lib/env.js';
import { deleteTenantSchedules } from '../../lib/schedules.js';
import { runMeta, workflowIds } from '../../lib/runs.js';
import { syncWorkflow } from '../../workflows/index.js';
import { freshDatabase } from '../helpers/db.js';
import { allTables } from '../helpers/activation.js';
import { eventually, uniqueTenant } from '../helpers/stack.js';
import { exitWithin, startService, type ServiceProcess } from './process.js';

/**
 * SIGTERM to a worker process in the middle of an initial import (issue 7, docs/exactly-once.md): the process exits within
 * its grace time, and a new worker process finishes the import with every customer exactly once.
 */

const customers = 20_000;
const adminToken = 'worker-shutdown-admin';
const taskQueue = `test-sigterm-${randomBytes(3).toString('hex')}`;
const payloadKey = randomBytes(32);
const payloadKeys = `sigterm-1:${payloadKey.toString('base64')}`;
const tenants: string[] = [];

let database: Database;
let databaseUrl: string;
let fake: FakeFactuurSturen;
let connection: Connection;
let client: Client;
let app: ReturnType<typeof createApp>;
const workers: ServiceProcess[] = [];

const healthDir = mkdtempSync(path.join(os.tmpdir(), 'worker-health-'));

async function startWorker(graceMs: number): Promise<ServiceProcess & { healthFile: string }> {
  const healthFile = path.join(healthDir, `worker-${workers.length + 1}`);
  const worker = startService('worker.ts', {
    WORKER_HEALTH_FILE: healthFile,
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    FACTUURSTUREN_BASE_URL: fake.url,
    WORKER_SHUTDOWN_GRACE: `${graceMs}ms`,
    EXPORT_SWEEP_INTERVAL: '0',
    PAYLOAD_KEYS: payloadKeys,
  });
  workers.push(worker);
  await worker.waitForLine((e) => e.msg === 'worker started', 120_000);
  return { ...worker, healthFile };
}

async function api(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The activation steps up to a stored connection, through the API; they run as workflows on the worker processes. */
async function connectTenant(prefix: string): Promise<string> {
  const tenant = uniqueTenant(prefix);
  tenants.push(tenant);
  expect((await api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' })).status).toBe(200);
  expect((await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables })).status).toBe(200);
  const connect = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
  expect(connect.status, JSON.stringify(connect.body)).toBe(200);
  return tenant;
}

/** Starts the tenant's initial customer import directly, so the test chooses how many pages one activity call writes. */
async function startImport(tenant: string, pagesPerCall?: number) {
  return client.workflow.start(syncWorkflow, {
    workflowId: workflowIds.sync(tenant, 'customers'),
    taskQueue,
    args: [{ tenantId: tenant, provider: 'factuursturen', scope: 'customers', initial: true, ...(pagesPerCall ? { pagesPerCall } : {}) }],
    ...runMeta({ tenantId: tenant, provider: 'factuursturen', kind: 'sync', detail: 'customers, initiële import' }),
  });
}

async function customerCount(tenant: string): Promise<number> {
  const [row] = await database.sql`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`;
  return row.n as number;
}

/** Every active customer exactly once (customers inactive upstream are never inserted, by design), and one log entry each. */
async function expectImportedExactlyOnce(tenant: string) {
  const active = fake.state.clients.filter((c) => c.active).map((c) => String(c.clientnr));
  expect(active.length).toBeGreaterThan(customers * 0.9);
  expect(await customerCount(tenant)).toBe(active.length);
  const ids = await database.sql`select external_id, count(*)::int as n from simon.customers where tenant_id = ${tenant} group by external_id`;
  expect(ids.every((r) => r.n === 1)).toBe(true);
  expect(ids.map((r) => r.external_id as string).sort()).toEqual([...active].sort());
  const [added] = await database.sql`
    select count(*)::int as n, count(distinct provider_id)::int as ids
    from integration.log_entries where tenant_id = ${tenant} and message = 'Klant toegevoegd aan Simon'`;
  expect(added).toEqual({ n: active.length, ids: active.length });
}

/** JSON lines only; activity lines carry tenant, workflow id and run id; no secret in any line. */
function expectCleanJsonLogs(worker: ServiceProcess, tenant: string) {
  const entries = worker.lines.map((l) => JSON.parse(l) as Record<string, any>);
  expect(entries.some((e) => e.msg === 'worker stopped')).toBe(true);
  const imports = entries.filter((e) => e.activityType === 'importPages' && e.tenant === tenant);
  expect(imports.length).toBeGreaterThan(0);
  for (const e of imports) expect(e).toMatchObject({ service: 'worker', workflowId: workflowIds.sync(tenant, 'customers'), runId: expect.any(String) });
  // Not the provider's API key, not the payload key (the SDK logs its worker options at debug level).
  const all = worker.lines.join('\n');
  expect(all).not.toContain(DEFAULT_FS_ACCOUNT.apiKey);
  expect(all).not.toContain(payloadKey.toString('base64'));
  expect(all).not.toContain(JSON.stringify([...payloadKey]).slice(1, -1));
}

beforeAll(async () => {
  const db = await freshDatabase('sigterm');
  database = db.database;
  databaseUrl = db.url;
  fake = await startFakeFactuurSturen();
  seedFactuurSturen(fake.state, { groups: 2, products: 10, clients: customers });
  const env = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, API_TOKENS: `${adminToken}:admin`, PAYLOAD_KEYS: payloadKeys });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });
  app = createApp({ database, env, temporal: { client, namespace: env.TEMPORAL_NAMESPACE, taskQueue } });
});

afterAll(async () => {
  for (const w of workers) w.kill();
  for (const t of tenants) await deleteTenantSchedules(client, t).catch(() => {});
  await connection?.close();
  await fake?.stop();
  await database?.close();
});

// Process-level tests: several processes, 20,000 records; on a busy 2-core machine they need minutes, not the default.
describe('worker process on SIGTERM', { timeout: 300_000 }, () => {
  // Worker B is started by the first test and signalled in the second.
  let workerB: ServiceProcess;

  it('exits within its grace time mid-import, and a new worker finishes the import exactly once', async () => {
    const graceMs = 5_000;
    const workerA = await startWorker(graceMs);
    // The container health check's file: written as soon as the worker polls.
    expect(new Date(readFileSync(workerA.healthFile, 'utf8')).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const tenant = await connectTenant('sigterm-a');
    // Small activity calls, each with a slow download from the provider, so the import takes a few seconds.
    fake.faults.latencyMs = 100;
    const handle = await startImport(tenant, 8);

    await eventually(async () => (await customerCount(tenant)) > 0, 120_000, 20);
    workerA.child.kill('SIGTERM');
    expect(await exitWithin(workerA, graceMs + 5_000)).toBe(0);

    // Cut off, not finished by worker A.
    const afterA = await customerCount(tenant);
    expect(afterA).toBeGreaterThan(0);
    expect(afterA).toBeLessThan(customers * 0.9);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // A short grace time: the second test needs its one long activity to outlive it on any machine.
    workerB = await startWorker(250);
    const result = await handle.result();
    expect(result.tallies.customers?.done).toBe(customers);
    await expectImportedExactlyOnce(tenant);
    expectCleanJsonLogs(workerA, tenant);
  });

  it('cancels an activity that outlives the grace time; its retry on the next worker resumes from the last heartbeat', async () => {
    const graceMs = 250;
    const tenant = await connectTenant('sigterm-b');
    fake.faults.latencyMs = 0;
    // One activity call writes the whole listing (100 pages), far longer than worker B's grace time.
    const handle = await startImport(tenant);

    await eventually(async () => (await customerCount(tenant)) > 0, 120_000, 20);
    workerB.child.kill('SIGTERM');
    // The activity is cancelled at the grace time and stops at its next page boundary; then the process stops.
    expect(await exitWithin(workerB, graceMs + 15_000)).toBe(0);
    const afterB = await customerCount(tenant);
    expect(afterB).toBeGreaterThan(0);
    expect(afterB).toBeLessThan(customers * 0.9);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const workerC = await startWorker(5_000);
    await handle.result();
    await expectImportedExactlyOnce(tenant);
    expectCleanJsonLogs(workerB, tenant);

    workerC.child.kill('SIGTERM');
    expect(await exitWithin(workerC, 5_000 + 15_000)).toBe(0);
  });
});
