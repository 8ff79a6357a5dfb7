import { randomBytes } from 'node:crypto';
import { sql as dsql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createApp } from '../../api/app.js';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { parseEnv } from '../../lib/env.js';
import { activityLogger, createLogger, installTemporalLogging, redactedValue } from '../../lib/logger.js';
import { workflowIds } from '../../lib/runs.js';
import { allTables, completedWorkOrder, fsSettings } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * Structured logs (issue 7): the API's and the worker's log lines, captured in-process through a pino destination,
 * are JSON with request id, tenant, workflow id and run id, and a credential passed through the API never shows up.
 */

const lines: string[] = [];
const sink = { write: (line: string) => void lines.push(line) };
const account = { username: `logs-${randomBytes(3).toString('hex')}`, apiKey: `fs-secret-${randomBytes(12).toString('hex')}` };
const wrongKey = `wrong-secret-${randomBytes(12).toString('hex')}`;
const tenant = uniqueTenant('logs');
const workOrderId = 'wo-logs-1';
let stack: Stack;
let app: ReturnType<typeof createApp>;

async function api(method: string, path: string, body?: unknown, token: string = tokens.admin) {
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const entries = () => lines.map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  // Before the first NativeConnection of this process (startStack's worker): the worker's logs go to the same sink.
  installTemporalLogging(createLogger({ LOG_LEVEL: 'debug' }, { service: 'worker' }, sink), { LOG_LEVEL: 'debug' });
  stack = await startStack('logs');
  stack.tenants.push(tenant);
  stack.fake.state.accounts.push(account);
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: 25 });
  app = createApp({
    database: stack.database,
    env: stack.env,
    logger: createLogger({ LOG_LEVEL: 'debug' }, { service: 'api' }, sink),
    temporal: { client: stack.client, namespace: stack.env.TEMPORAL_NAMESPACE, taskQueue: stack.taskQueue },
  });

  expect((await api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' })).status).toBe(200);
  expect((await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables })).status).toBe(200);
  expect((await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: account.username, apiKey: wrongKey } })).status).toBe(400);
  expect((await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: account.username, apiKey: account.apiKey } })).status).toBe(200);
  const saved = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: fsSettings });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();

  const archived = await api('POST', `/v1/tenants/${tenant}/work-orders/${workOrderId}/archive`, await completedWorkOrder(stack, tenant, 'WB-LOG-1'), tokens.backend);
  expect(archived.status, JSON.stringify(archived.body)).toBe(202);
  await eventually(async () => (await api('GET', `/v1/tenants/${tenant}/work-orders/${workOrderId}/export`)).body.state === 'sent', 30_000, 50);
  await stack.client.workflow.getHandle(workflowIds.export(tenant, workOrderId)).result();
  // With Core's logs forwarded, the SDK buffers every line ~100 ms to merge them in time order.
  await eventually(() => Promise.resolve(entries().some((e) => e.workflowId === workflowIds.export(tenant, workOrderId) && e.msg === 'Workflow completed')), 10_000, 50);
});

afterAll(async () => {
  await stack?.stop();
});

describe('log lines of the API and the worker', () => {
  it('are JSON, one object a line', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 200)).not.toThrow();
    const services = new Set(entries().map((e) => e.service));
    expect(services).toEqual(new Set(['api', 'worker']));
  });

  it('never contain a credential or token passed through the API', () => {
    const all = lines.join('\n');
    expect(all).not.toContain(account.apiKey);
    expect(all).not.toContain(wrongKey);
    // The connector's Basic authorization header, in case a request were ever logged whole.
    expect(all).not.toContain(Buffer.from(`${account.username}:${account.apiKey}`).toString('base64'));
    for (const token of Object.values(tokens)) expect(all).not.toContain(token);
    // Nor the payload encryption key, which the SDK's "Creating worker" line would otherwise carry.
    const payloadKey = stack.env.PAYLOAD_KEYS[0].key;
    expect(all).not.toContain(payloadKey.toString('base64'));
    expect(all).not.toContain(JSON.stringify([...payloadKey]).slice(1, -1));
  });

  it('of the archive run carry tenant, workflow id and run id', () => {
    const workflowId = workflowIds.export(tenant, workOrderId);
    const run = entries().filter((e) => e.workflowId === workflowId);
    expect(run.length).toBeGreaterThan(0);
    expect(run.some((e) => e.activityType)).toBe(true);
    for (const e of run) expect(e).toMatchObject({ service: 'worker', tenant, workflowId, runId: expect.any(String) });
  });

  it("of the API carry the request id and the path's tenant", () => {
    const requests = entries().filter((e) => e.service === 'api' && e.msg === 'request' && e.path?.startsWith(`/v1/tenants/${tenant}/`));
    expect(requests.length).toBeGreaterThan(5);
    for (const e of requests) expect(e).toMatchObject({ tenant, requestId: expect.any(String), status: expect.any(Number) });
    expect(new Set(requests.map((e) => e.requestId)).size).toBe(requests.length);
  });
});

describe('createLogger', () => {
  it('logs a failed database statement without its values (names, addresses stay out of the log)', async () => {
    const out: string[] = [];
    const logger = createLogger(parseEnv({ LOG_LEVEL: 'info' }), {}, { write: (l: string) => void out.push(l) });
    const name = `Jan den Butter ${randomBytes(3).toString('hex')}`;
    for (const attempt of [
      () => stack.database.db.execute(dsql`select ${name}::int`),
      () => stack.database.sql`select ${name}::int`,
      () => stack.database.sql`insert into simon.customers (tenant_id, id, name, active) values ('t', 'not-a-uuid', ${name}, true)`,
    ]) {
      const err = await attempt().then(() => null, (e: unknown) => e);
      expect(err).toBeTruthy();
      logger.error({ err }, 'statement failed');
    }
    expect(out).toHaveLength(3);
    for (const line of out) {
      expect(line).not.toContain(name);
      expect(line).not.toContain('Butter');
    }
    // What failed is still there for support: the statement and the Postgres error code.
    expect(out[0]).toContain('select $1::int');
    expect(JSON.parse(out[1]).err.code).toBe('22P02');
  });


  it('redacts secrets by key, also one level down', () => {
    const out: string[] = [];
    const logger = createLogger(parseEnv({ LOG_LEVEL: 'info' }), {}, { write: (l: string) => void out.push(l) });
    logger.info(
      {
        authorization: 'Bearer top-1',
        headers: { authorization: 'Bearer hdr-2', cookie: 'sid=cookie-3' },
        credentials: { username: 'u', apiKey: 'key-4' },
        body: { password: 'pw-5', token: 'tok-6', access_token: 'at-7', refresh_token: 'rt-8', apiKey: 'key-9' },
        row: { sealed: 'v1.sealed-10', pendingSealed: 'v1.pending-11' },
        tenant: 'acme',
      },
      'with secrets',
    );
    const [line] = out;
    for (const secret of ['top-1', 'hdr-2', 'cookie-3', 'key-4', 'pw-5', 'tok-6', 'at-7', 'rt-8', 'key-9', 'sealed-10', 'pending-11']) expect(line).not.toContain(secret);
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({ tenant: 'acme', credentials: redactedValue, body: { password: redactedValue }, msg: 'with secrets' });
  });

  it('gives activity code a child logger with tenant, workflow id and run id', async () => {
    const env = new MockActivityEnvironment({ activityType: 'importPages', workflowExecution: { workflowId: 'sync/acme/customers', runId: 'run-1' } });
    const bindings = await env.run(() => Promise.resolve(activityLogger({ entity: 'customers' }).bindings()));
    expect(bindings).toMatchObject({ tenant: 'acme', workflowId: 'sync/acme/customers', runId: 'run-1', activityType: 'importPages', entity: 'customers' });
    // Outside an activity: the base logger with the bindings.
    expect(activityLogger({ tenant: 'acme' }).bindings()).toMatchObject({ tenant: 'acme' });
  });
});
