import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { DEFAULT_PAGE_SIZE as FS_PAGE_SIZE } from '../../connectors/factuursturen/connector.js';
import { createActivities } from '../../activities/index.js';
import { createConnector, providerBaseUrl } from '../../connectors/index.js';
import { CredentialSealer } from '../../lib/crypto.js';
import { syncWorkflow } from '../../workflows/index.js';
import { startStack, uniqueTenant, type Stack } from '../helpers/stack.js';
import { activate } from '../helpers/activation.js';

/**
 * Long imports: resumable from the heartbeat after a crash, and continued as new so history stays small.
 * Five pages of the connector's page size in the fake.
 */
const PAGE = FS_PAGE_SIZE;
const CLIENTS = 5 * PAGE;
let stack: Stack;
const tenant = uniqueTenant('resume');

beforeAll(async () => {
  stack = await startStack('resume');
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: CLIENTS });
  await activate(stack, { provider: 'factuursturen', tenant });
  // Start every test from an empty customer table with a fresh listing.
  await stack.api('POST', `/v1/tenants/${tenant}/integration/pause`);
});
afterAll(async () => {
  await stack?.stop();
});

async function resetCustomers() {
  await stack.database.sql`delete from simon.customers where tenant_id = ${tenant}`;
  await stack.database.sql`delete from integration.log_entries where tenant_id = ${tenant}`;
  await stack.database.sql`delete from integration.sync_state where tenant_id = ${tenant} and entity = 'customers'`;
}

const activeClients = () => stack.fake.state.clients.filter((c) => c.active).length;

describe('initial import of a long listing', () => {
  it('continues as new every few pages and still imports every customer exactly once', async () => {
    await resetCustomers();
    const handle = await stack.client.workflow.start(syncWorkflow, {
      workflowId: `sync/${tenant}/customers`,
      taskQueue: stack.taskQueue,
      args: [{ tenantId: tenant, provider: 'factuursturen', scope: 'customers', initial: true, pagesPerCall: 1, maxActivitiesPerRun: 2 }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    const result = await handle.result();
    expect(result.tallies.customers).toMatchObject({ done: CLIENTS, created: activeClients() });

    // The first run handed over to a new run of the same workflow id.
    const first = await stack.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    // 5 pages at 1 page per activity and 2 activities per run: three runs, the last one completed.
    const last = await stack.client.workflow.getHandle(handle.workflowId).describe();
    expect(last.runId).not.toBe(handle.firstExecutionRunId);
    expect(last.status.name).toBe('COMPLETED');

    const [{ n, distinct }] = await stack.database.sql`select count(*)::int as n, count(distinct external_id)::int as distinct from simon.customers where tenant_id = ${tenant}`;
    expect([n, distinct]).toEqual([activeClients(), activeClients()]);
    const [{ logs }] = await stack.database.sql`select count(*)::int as logs from integration.log_entries where tenant_id = ${tenant} and message = 'Klant toegevoegd aan Simon'`;
    expect(logs).toBe(activeClients());
  });

  it('resumes a retried page activity from its last heartbeat instead of starting the listing again', async () => {
    await resetCustomers();
    const activities = createActivities({
      database: stack.database,
      env: stack.env,
      sealer: new CredentialSealer(stack.env.CREDENTIALS_KEY),
      temporal: stack.client,
      taskQueue: stack.taskQueue,
      createConnector,
      baseUrl: (p) => providerBaseUrl(stack.env, p),
    });
    // First attempt: two pages, heartbeating the cursor after each; then the worker "dies".
    const first = new MockActivityEnvironment({ attempt: 1 });
    const beats: unknown[] = [];
    first.on('heartbeat', (d) => beats.push(d));
    const partial: { done: number } = await first.run((input: Parameters<typeof activities.importPages>[0]) => activities.importPages(input), { tenantId: tenant, entity: 'customers' as const, cursor: null, done: 0, maxPages: 2 });
    expect(partial.done).toBe(2 * PAGE);
    expect(beats.at(-1)).toEqual({ cursor: String(2 * PAGE), done: 2 * PAGE });

    // The retry gets the last heartbeat's details from Temporal and goes on from there.
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats.at(-1) });
    const rest: unknown = await retry.run((input: Parameters<typeof activities.importPages>[0]) => activities.importPages(input), { tenantId: tenant, entity: 'customers' as const, cursor: null, done: 0 });
    expect(rest).toMatchObject({ cursor: null, done: CLIENTS });

    const [{ n }] = await stack.database.sql`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`;
    expect(n).toBe(activeClients());
    const [{ logs }] = await stack.database.sql`select count(*)::int as logs from integration.log_entries where tenant_id = ${tenant} and message = 'Klant toegevoegd aan Simon'`;
    expect(logs).toBe(activeClients());
    const [state] = await stack.database.sql`select records_done, records_total, phase from integration.sync_state where tenant_id = ${tenant} and entity = 'customers'`;
    expect(state).toMatchObject({ records_done: CLIENTS, records_total: CLIENTS, phase: 'incremental' });
  });
});
