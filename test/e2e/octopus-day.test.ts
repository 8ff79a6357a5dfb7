import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT_LIMITS, DEFAULT_OCTOPUS_USER, startFakeOctopus, type FakeEndpoint, type FakeOctopus } from '../../fakes/octopus/server.js';
import { dayWindow } from '../../lib/quota.js';
import { syncWorkflow } from '../../workflows/index.js';
import { allTables } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * One Octopus day within Octopus's own per-endpoint limits (docs/providers/octopus.md §4: two product and two full
 * relation listings, 48 of each `…/modified`, 24 book-year reads, …), with the default limits in the fake and in our
 * guard: activation with its pick-lists and "Controleer", the initial import, "Nu synchroniseren", two exports and a
 * cleanup. The fake counts every endpoint per dossier and day and refuses what goes over; it must refuse nothing.
 */

let stack: Stack;
let fake: FakeOctopus;
const tenant = uniqueTenant('oct-day');
const base = `/v1/tenants/${tenant}`;
const endpoints = Object.keys(DEFAULT_ENDPOINT_LIMITS) as FakeEndpoint[];
const settings = {
  provider: 'octopus', termsAccepted: true, dossierId: '101', journal: 'V1', workTimeArticle: 'Werktijd', travelTimeArticle: 'Reistijd',
  defaultArticle: 'Voorrijkosten', excludeFilterWord: '', descriptionAsFirstLine: true, paymentReference: 'workOrderNumber', memo: 'none',
};

/** What the fake counted today: per dossier, the dossier listing and dossier tokens per user (they name no dossier in the path). */
const counted = (e: FakeEndpoint) => {
  if (e !== 'dossiers') return fake.endpointCallsToday(e);
  const u = fake.state.endpointUsage[`dossiers|user:${DEFAULT_OCTOPUS_USER.user}`];
  return u ? u.calls : 0;
};
const usage = () => Object.fromEntries(endpoints.map((e) => [e, counted(e)]));
async function guardUsage(): Promise<Record<string, number>> {
  const rows = await stack.database.sql`select endpoint, sum(calls)::int as n from integration.api_endpoint_usage where tenant_id = ${tenant} group by endpoint`;
  return Object.fromEntries(rows.map((r) => [r.endpoint as string, r.n as number]));
}
/** Every endpoint within its limit, nothing refused by Octopus, and our guard counted what Octopus saw. */
async function withinTheDay() {
  for (const e of endpoints) expect([e, counted(e) <= DEFAULT_ENDPOINT_LIMITS[e]]).toEqual([e, true]);
  expect(fake.state.refused).toMatchObject({ endpointLimited: 0, rateLimited: 0 });
  // One tenant, one dossier, one user: our guard's count per endpoint is exactly what Octopus saw.
  const guarded = await guardUsage();
  for (const e of endpoints) expect([e, guarded[e] ?? 0]).toEqual([e, counted(e)]);
}

async function runSchedule(id: string): Promise<unknown> {
  const schedule = stack.client.schedule.getHandle(id);
  const before = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger();
  const action = await eventually(async () => {
    const actions = (await schedule.describe()).info.recentActions;
    return actions.length > before ? actions.at(-1)!.action : undefined;
  }, 30_000, 50);
  return stack.client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId).result();
}

async function archive(id: string, number: string) {
  const [c] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and active and external_id is not null order by number limit 1`;
  const res = await stack.api('POST', `${base}/work-orders/${id}/archive`, {
    number, status: 'completed', customerId: c.id, workAddressId: null, description: 'Onderhoud', customerReference: null, assignedUserId: null,
    workMinutes: 90, travelMinutes: 15, materials: [],
  }, tokens.backend);
  expect(res.status).toBe(202);
  return eventually(async () => {
    const e = await stack.api('GET', `${base}/work-orders/${id}/export`);
    return e.body.state !== 'pending' ? e.body : undefined;
  }, 60_000, 100);
}

beforeAll(async () => {
  fake = await startFakeOctopus({ seed: { relations: 120, products: 40, groups: 4 } });
  stack = await startStack('oct-day', { env: { OCTOPUS_BASE_URL: fake.url, QUOTA_OCTOPUS_PER_MINUTE: '1000' } });
  stack.tenants.push(tenant);
});
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('an Octopus day within its per-endpoint limits', () => {
  it('activation with pick-lists and "Controleer", the initial import, "Nu synchroniseren", two exports and a cleanup', async () => {
    expect((await stack.api('POST', `${base}/integration/activation`, { provider: 'octopus' })).status).toBe(200);
    expect((await stack.api('POST', `${base}/integration/activation/wipe`, { tables: allTables })).status).toBe(200);
    const connect = await stack.api('POST', `${base}/integration/activation/connect`, { credentials: { username: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password } });
    expect(connect.status).toBe(200);
    expect((await stack.api('GET', `${base}/integration/options/dossiers`)).status).toBe(200);
    expect((await stack.api('GET', `${base}/integration/options/journals?administration=101`)).body.items.map((j: { id: string }) => j.id)).toEqual(['V1']);
    expect((await stack.api('GET', `${base}/integration/options/articles?q=tijd&administration=101`)).status).toBe(200);
    const check = await stack.api('POST', `${base}/integration/activation/check-settings`, { settings });
    expect(check.body.ok).toBe(true);

    const saved = await stack.api('PUT', `${base}/integration/settings`, { settings });
    expect(saved.status).toBe(200);
    for (const id of saved.body.importWorkflowIds) await stack.client.workflow.getHandle(id).result();
    const customers = fake.dossier().relations.filter((r) => r.active && r.client).length;
    const [{ n: imported }] = await stack.database.sql`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`;
    expect(imported).toBe(customers);
    // "Controleer", the pick-lists and the import shared one download of the products and one of the groups.
    expect(usage()).toMatchObject({ products: 1, productgroups: 1, relations: 1 });
    await withinTheDay();

    // A relation is deleted and a product changed in Octopus; the admin presses "Nu synchroniseren" for both.
    fake.deleteRelation(2);
    fake.dossier().products[5].priceVatExclusive = 99.5;
    const now = await stack.api('POST', `${base}/integration/sync`, { customers: true, articles: true }, tokens.admin);
    expect(now.status, JSON.stringify(now.body)).toBe(202);
    for (const w of now.body.workflows) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
    const [price] = await stack.database.sql`select sales_price from simon.articles where tenant_id = ${tenant} and external_id = '6'`;
    expect(Number(price.sales_price)).toBe(99.5);
    const [gone] = await stack.database.sql`select active from simon.customers where tenant_id = ${tenant} and external_id = '2'`;
    expect(gone.active).toBe(false);
    expect(usage()).toMatchObject({ products: 2, productgroups: 2, relations: 1, 'relations-modified': 1 });

    const exports = [await archive('wo-day-1', 'D-1'), await archive('wo-day-2', 'D-2')];
    expect(exports.map((e) => e.state)).toEqual(['sent', 'sent']);
    expect(new Set(exports.map((e) => e.documentId)).size).toBe(2);

    const cleanup = (await runSchedule(`cleanup/${tenant}`)) as { entities: Record<string, { listed: number; removed: number; skippedEmptyListing?: true }> };
    expect(cleanup.entities.customers).toMatchObject({ listed: fake.dossier().relations.length, removed: 1 });
    expect(cleanup.entities.articles.skippedEmptyListing).toBeUndefined();
    expect(usage()).toMatchObject({ products: 2, productgroups: 2, relations: 2 });
    await withinTheDay();
  }, 240_000);

  it('a second articles "Nu synchroniseren" is refused up front; Octopus never sees a third product listing', async () => {
    const before = fake.endpointCallsToday('products');
    const res = await stack.api('POST', `${base}/integration/sync`, { articles: true }, tokens.admin);
    expect(res.status).toBe(429);
    expect(Number(res.body.retryAfterSeconds)).toBeGreaterThan(0);
    // The admin is told which listing is spent for today, not a count of calls left.
    expect(res.body.message).toMatch(/^'Nu synchroniseren' niet gestart: Octopus staat .* maar \d+ keer per dag toe/);
    const customers = await stack.api('POST', `${base}/integration/sync`, { customers: true }, tokens.admin);
    expect(customers.status).toBe(202);
    for (const w of customers.body.workflows) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
    expect(fake.endpointCallsToday('products')).toBe(before);
    await withinTheDay();
  });

  it('a sync that needs a spent endpoint waits until midnight, and the log says in Dutch what waits', async () => {
    const handle = await stack.client.workflow.start(syncWorkflow, {
      workflowId: `sync/${tenant}/articles`, taskQueue: stack.taskQueue, args: [{ tenantId: tenant, provider: 'octopus', scope: 'articles' }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const pending = await eventually(async () => {
      const p = (await handle.describe()).raw.pendingActivities?.[0];
      return p?.lastFailure?.applicationFailureInfo?.type === 'ProviderRateLimited' ? p : undefined;
    }, 30_000, 50);
    const next = Number(pending.nextAttemptScheduleTime?.seconds ?? 0) * 1000;
    expect(Math.abs(next - dayWindow(new Date()).end.getTime())).toBeLessThan(5_000);
    const [entry] = await stack.database.sql`
      select message, action from integration.log_entries where tenant_id = ${tenant} and severity = 'warning' and message like 'Daglimiet van Octopus%'`;
    expect(entry.message).toMatch(/^Daglimiet van Octopus voor de artikel(lijst|groepen) bereikt \(2 per dag\): het ophalen van artikel(en|groepen) wacht tot \d\d-\d\d-\d{4} 00:00$/);
    expect(entry.action).toContain('Gearchiveerde werkbonnen worden wel verstuurd');
    await handle.terminate('test done');
    await withinTheDay();
  });
});
