import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityFailure, ApplicationFailure, ScheduleNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { setTenantSchedulesPaused, deleteTenantSchedules } from '../../lib/schedules.js';
import { runMeta } from '../../lib/runs.js';
import type { cleanupWorkflow, CleanupInput } from '../../workflows/cleanup.js';
import { activate } from '../helpers/activation.js';
import { eventually, startStack, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * The cleanup (issue 4, docs/sync.md "Cleanup") end to end: real Temporal dev server, real Postgres, the fake
 * FactuurSturen over HTTP. One tenant is activated through the API with a small seed; each test then changes
 * the fake and Simon's tables the way a user would, runs the cleanup workflow and reads Simon's tables and log.
 *
 * FactuurSturen products have no active flag (the fake serves one only when a test sets it, see FakeFsProduct),
 * so "an article made inactive upstream" is, for this provider, a product deleted upstream; the inactive path
 * is shown with a client, which does have an `active` flag in FactuurSturen.
 */
let stack: Stack;
const tenant = uniqueTenant('cleanup');
const sql = () => stack.database.sql;

async function runCleanup(opts: Partial<CleanupInput> = {}) {
  return stack.client.workflow.execute<typeof cleanupWorkflow>('cleanupWorkflow', {
    workflowId: `cleanup/${tenant}`,
    taskQueue: stack.taskQueue,
    args: [{ tenantId: tenant, provider: 'factuursturen', ...opts }],
    ...runMeta({ tenantId: tenant, provider: 'factuursturen', kind: 'cleanup' }),
  });
}

async function customerByNumber(number: string) {
  const rows = await sql()`select id, active from simon.customers where tenant_id = ${tenant} and external_id = ${number}`;
  return rows[0] as { id: string; active: boolean } | undefined;
}

async function articleByCode(code: string) {
  const rows = await sql()`select id, active from simon.articles where tenant_id = ${tenant} and code = ${code}`;
  return rows[0] as { id: string; active: boolean } | undefined;
}

async function exists(table: string, id: string): Promise<boolean> {
  const rows = await sql().unsafe(`select 1 from ${table} where id = $1`, [id]);
  return rows.length === 1;
}

async function logFor(simonId: string) {
  return sql()`select severity, table_name, message, action, provider_id, workflow_id from integration.log_entries
               where tenant_id = ${tenant} and simon_id = ${simonId} order by id`;
}

async function insertLocalCustomer(name: string): Promise<string> {
  const [row] = await sql()`insert into simon.customers (tenant_id, name, external_id, simon_mutated_at) values (${tenant}, ${name}, null, now()) returning id`;
  return row.id as string;
}

async function insertSimonAddress(customerId: string, street: string): Promise<string> {
  const [row] = await sql()`
    insert into simon.work_addresses (tenant_id, customer_id, origin, name, street, postal_code, city, simon_mutated_at)
    values (${tenant}, ${customerId}, 'simon', 'Werkplaats', ${street}, '5611 AA', 'Eindhoven', now()) returning id`;
  return row.id as string;
}

function deleteClient(clientnr: number) {
  const clients = stack.fake.state.clients;
  clients.splice(clients.findIndex((c) => c.clientnr === clientnr), 1);
}

function deleteProduct(code: string) {
  const products = stack.fake.state.products;
  products.splice(products.findIndex((p) => p.code === code), 1);
}

beforeAll(async () => {
  stack = await startStack('cleanup');
  seedFactuurSturen(stack.fake.state, { groups: 3, products: 10, clients: 8 });
  await activate(stack, { provider: 'factuursturen', tenant });
  // A scheduled sync between a cleanup and the assertions would re-add the inactive client, and scheduled runs
  // would take the fake's injected faults and change its request counts: keep the other schedules still.
  for (const id of [`sync/${tenant}`, `quotes/${tenant}`]) await stack.client.schedule.getHandle(id).pause('cleanup test').catch(() => {});
});

afterAll(async () => {
  await stack?.stop();
});

describe('cleanup', () => {
  const ids: Record<string, string> = {};

  it('removes what is gone or inactive upstream and what was added in Simon, and deactivates what an open work order uses', async () => {
    expect(await sql()`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`).toEqual([{ n: 8 }]);
    ids.deleted = (await customerByNumber('1001'))!.id;
    ids.inactive = (await customerByNumber('1002'))!.id;
    ids.inUse = (await customerByNumber('1003'))!.id;
    ids.staying = (await customerByNumber('1004'))!.id;
    ids.local = await insertLocalCustomer('Zelf toegevoegd in Simon');
    ids.deletedAddress = await insertSimonAddress(ids.deleted, 'Dorpsstraat 1');
    ids.inUseAddress = await insertSimonAddress(ids.inUse, 'Kerkstraat 2');
    ids.inUseOtherAddress = await insertSimonAddress(ids.inUse, 'Molenweg 3');
    ids.stayingAddress = await insertSimonAddress(ids.staying, 'Stationsweg 4');
    // An imported address the provider no longer fills (as Visma.net invoice addresses can be emptied, §14.16).
    const [imported] = await sql()`
      insert into simon.work_addresses (tenant_id, customer_id, origin, external_id, street, city)
      values (${tenant}, ${ids.staying}, 'invoice-address', '1004/invoice-address', 'Postbus 10', 'Eindhoven') returning id`;
    ids.importedAddress = imported.id;

    ids.deletedArticle = (await articleByCode('1009'))!.id;
    ids.inUseArticle = (await articleByCode('1008'))!.id;
    const [localArticle] = await sql()`insert into simon.articles (tenant_id, code, description, external_id) values (${tenant}, 'EIGEN-1', 'Eigen artikel', null) returning id`;
    ids.localArticle = localArticle.id;
    const [group] = await sql()`select id from simon.article_groups where tenant_id = ${tenant} and external_id = '3'`;
    ids.deletedGroup = group.id;

    // A planned work order uses customer 1003 at one of its Simon addresses, and article 1008; an archived one uses 1001.
    await sql()`insert into simon.work_orders (tenant_id, id, number, customer_id, work_address_id, status)
                values (${tenant}, 'wo-open', 'WB-1', ${ids.inUse}, ${ids.inUseAddress}, 'planned'),
                       (${tenant}, 'wo-archived', 'WB-0', ${ids.deleted}, ${ids.deletedAddress}, 'archived')`;
    await sql()`insert into simon.work_order_materials (tenant_id, work_order_id, position, article_id, quantity)
                values (${tenant}, 'wo-open', 1, ${ids.inUseArticle}, 2)`;

    deleteClient(1001);
    stack.fake.state.clients.find((c) => c.clientnr === 1002)!.active = false;
    deleteClient(1003);
    deleteProduct('1009');
    deleteProduct('1008');
    stack.fake.state.categories = stack.fake.state.categories.filter((c) => c.id !== 3);

    const result = await runCleanup();
    expect(result.skipped).toBeNull();
    expect(result.entities.customers).toMatchObject({ listed: 6, removed: 3, deactivated: 1 });
    expect(result.entities.articles).toMatchObject({ listed: 8, removed: 2, deactivated: 1 });
    expect(result.entities.article_groups).toMatchObject({ listed: 2, removed: 1, deactivated: 0 });

    // Gone, each with an info entry naming why, linked to the run.
    for (const [id, reason] of [[ids.deleted, 'verwijderd in FactuurSturen'], [ids.inactive, 'inactief in FactuurSturen'], [ids.local, 'toegevoegd in Simon, niet bekend in FactuurSturen']] as const) {
      expect(await exists('simon.customers', id)).toBe(false);
      const log = await logFor(id);
      expect(log.at(-1)).toMatchObject({ severity: 'info', table_name: 'Klant', message: `Klant verwijderd uit Simon (${reason})`, action: 'Geen Aktie Nodig', workflow_id: `cleanup/${tenant}` });
    }
    expect((await logFor(ids.deleted)).at(-1)!.provider_id).toBe('1001');
    expect(await exists('simon.work_addresses', ids.deletedAddress)).toBe(false);
    expect((await logFor(ids.deletedAddress)).at(-1)).toMatchObject({ table_name: 'Werkadres', message: 'Werkadres verwijderd uit Simon (klant is verwijderd)' });
    expect(await exists('simon.work_addresses', ids.importedAddress)).toBe(false);
    expect((await logFor(ids.importedAddress)).at(-1)!.message).toBe('Werkadres verwijderd uit Simon (adres niet meer gevuld in FactuurSturen)');

    expect(await exists('simon.articles', ids.deletedArticle)).toBe(false);
    expect((await logFor(ids.deletedArticle)).at(-1)).toMatchObject({ table_name: 'Artikel', message: 'Artikel verwijderd uit Simon (verwijderd in FactuurSturen)' });
    expect(await exists('simon.articles', ids.localArticle)).toBe(false);
    expect((await logFor(ids.localArticle)).at(-1)!.message).toBe('Artikel verwijderd uit Simon (toegevoegd in Simon, niet bekend in FactuurSturen)');
    expect(await exists('simon.article_groups', ids.deletedGroup)).toBe(false);
    expect((await logFor(ids.deletedGroup)).at(-1)).toMatchObject({ table_name: 'Artikel Groep', message: 'Artikel Groep verwijderd uit Simon (verwijderd in FactuurSturen)' });

    // Still on an open work order: deactivated, with a warning that says what to do.
    expect(await customerByNumber('1003')).toMatchObject({ active: false });
    expect((await logFor(ids.inUse)).at(-1)).toMatchObject({
      severity: 'warning',
      table_name: 'Klant',
      message: expect.stringContaining('Klant niet verwijderd maar gedeactiveerd in Simon (verwijderd in FactuurSturen)'),
      action: 'Koppel een klant uit FactuurSturen aan de openstaande werkbonnen van deze klant; de klant wordt daarna bij de volgende schoonmaak verwijderd',
    });
    const addresses = await sql()`select id, active from simon.work_addresses where customer_id = ${ids.inUse} order by street`;
    expect(addresses).toEqual([{ id: ids.inUseAddress, active: false }, { id: ids.inUseOtherAddress, active: true }]);
    expect((await logFor(ids.inUseAddress)).at(-1)).toMatchObject({ severity: 'warning', table_name: 'Werkadres', action: expect.stringContaining('Kies op de openstaande werkbonnen een ander werkadres') });
    expect(await articleByCode('1008')).toMatchObject({ active: false });
    expect((await logFor(ids.inUseArticle)).at(-1)).toMatchObject({
      severity: 'warning',
      action: 'Vervang het artikel op de openstaande werkbonnen door een artikel uit FactuurSturen; het artikel wordt daarna bij de volgende schoonmaak verwijderd',
    });

    // Untouched: customers that stay, their Simon-added address, articles of the removed group.
    expect(await sql()`select active from simon.work_addresses where id = ${ids.stayingAddress}`).toEqual([{ active: true }]);
    expect(await sql()`select count(*)::int as n from simon.customers where tenant_id = ${tenant} and active`).toEqual([{ n: 5 }]);
    expect(await sql()`select count(*)::int as n from simon.articles where tenant_id = ${tenant}`).toEqual([{ n: 9 }]);
    expect(await sql()`select count(*)::int as n from integration.external_refs where tenant_id = ${tenant} and entity = 'customers' and external_id in ('1001', '1002')`).toEqual([{ n: 0 }]);
  });

  it('removes nothing more and logs no removal twice when it runs again', async () => {
    const removals = () => sql()`select count(*)::int as n from integration.log_entries where tenant_id = ${tenant} and message like '%verwijderd uit Simon%'`;
    const before = await removals();
    const result = await runCleanup();
    expect(result.entities.customers).toMatchObject({ removed: 0, deactivated: 1 });
    expect(result.entities.articles).toMatchObject({ removed: 0, deactivated: 1 });
    expect(await removals()).toEqual(before);
    expect(await customerByNumber('1003')).toMatchObject({ active: false });
  });

  it('deletes nothing when the listing fails halfway, ends failed with an error entry, and cleans up once the provider answers again', async () => {
    ids.deletedLater = (await customerByNumber('1005'))!.id;
    ids.localLater = await insertLocalCustomer('Nog een lokale klant');
    ids.deletedArticleLater = (await articleByCode('1007'))!.id;
    deleteClient(1005);
    deleteProduct('1007');
    // Groups and articles list fine; every attempt at the clients fails with a 500.
    stack.fake.faults.failNext.push(...Array.from({ length: 50 }, () => ({ status: 500, path: 'clients', method: 'GET' })));
    const productsBefore = stack.fake.state.requests['GET products'] ?? 0;
    try {
      const err = await runCleanup({ retry: { initialInterval: '50 milliseconds', maximumAttempts: 3 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ActivityFailure);
      expect((cause as ActivityFailure).retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
      expect(((cause as ActivityFailure).cause as ApplicationFailure).type).toBe('CleanupListingFailed');
    } finally {
      stack.fake.faults.failNext.length = 0;
    }
    expect(stack.fake.state.requests['GET products']).toBe(productsBefore + 3);

    expect(await exists('simon.customers', ids.deletedLater)).toBe(true);
    expect(await exists('simon.customers', ids.localLater)).toBe(true);
    expect(await exists('simon.articles', ids.deletedArticleLater)).toBe(true);
    const [entry] = await sql()`select severity, table_name, message, action from integration.log_entries
                                where tenant_id = ${tenant} and severity = 'error' order by id desc limit 1`;
    expect(entry).toMatchObject({
      table_name: 'Integratie',
      message: 'Schoonmaak van klanten en artikelen met FactuurSturen mislukt; er is niets verwijderd: HTTP 500: Internal Server Error',
    });
    expect(entry.action).toContain('controleer dan de koppeling met FactuurSturen');

    const result = await runCleanup();
    expect(result.entities.customers).toMatchObject({ removed: 2 });
    expect(await exists('simon.customers', ids.deletedLater)).toBe(false);
    expect(await exists('simon.customers', ids.localLater)).toBe(false);
    expect(await exists('simon.articles', ids.deletedArticleLater)).toBe(false);
  });

  it('removes no customer when the provider suddenly lists none, and warns instead', async () => {
    const saved = stack.fake.state.clients;
    stack.fake.state.clients = [];
    try {
      const before = await sql()`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`;
      const result = await runCleanup();
      expect(result.entities.customers).toMatchObject({ listed: 0, removed: 0, skippedEmptyListing: true });
      expect(await sql()`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`).toEqual(before);
      const [entry] = await sql()`select severity, message from integration.log_entries where tenant_id = ${tenant} and table_name = 'Integratie' order by id desc limit 1`;
      expect(entry).toMatchObject({ severity: 'warning', message: expect.stringContaining('Schoonmaak van klanten overgeslagen: FactuurSturen gaf geen enkele terug') });
    } finally {
      stack.fake.state.clients = saved;
    }
  });
});

describe('cleanup schedule', () => {
  it('runs Monday, Wednesday and Friday at night in Amsterdam time, with jitter and the tenant search attributes', async () => {
    const handle = stack.client.schedule.getHandle(`cleanup/${tenant}`);
    const desc = await handle.describe();
    expect(desc.spec.timezone).toBe('Europe/Amsterdam');
    expect(desc.spec.jitter).toBe(10 * 60 * 1000);
    const calendar = desc.spec.calendars![0];
    expect(calendar.dayOfWeek.map((d) => d.start)).toEqual(['MONDAY', 'WEDNESDAY', 'FRIDAY']);
    expect(calendar.hour).toHaveLength(1);
    expect([2, 3]).toContain(calendar.hour[0].start);
    expect(desc.action.type === 'startWorkflow' && desc.action.workflowType).toBe('cleanupWorkflow');
    for (const attrs of [desc.typedSearchAttributes, desc.action.type === 'startWorkflow' ? desc.action.typedSearchAttributes : undefined]) {
      const pairs = attrs && !Array.isArray(attrs) ? attrs.getAll() : (attrs ?? []);
      expect(pairs.map((p) => [p.key.name, p.value])).toEqual(expect.arrayContaining([['TenantId', tenant], ['Provider', 'factuursturen']]));
    }
    expect(desc.memo).toMatchObject({ kind: 'Schema: schoonmaak' });
    // The next run is at night in Amsterdam on one of the three days.
    const next = desc.info.nextActionTimes[0];
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'long', hour: 'numeric', hourCycle: 'h23' }).formatToParts(next);
    expect(['Monday', 'Wednesday', 'Friday']).toContain(local.find((p) => p.type === 'weekday')!.value);
    expect([2, 3]).toContain(Number(local.find((p) => p.type === 'hour')!.value));
  });

  it('starts a cleanup run when triggered, findable by tenant', async () => {
    const handle = stack.client.schedule.getHandle(`cleanup/${tenant}`);
    await handle.trigger();
    const action = await eventually(async () => (await handle.describe()).info.recentActions[0]?.action, 30_000, 200);
    const run = stack.client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId);
    expect(action.workflow.workflowId.startsWith(`cleanup/${tenant}`)).toBe(true);
    const result = await run.result();
    expect(result.skipped).toBeNull();
    const described = await run.describe();
    expect(described.type).toBe('cleanupWorkflow');
    expect(described.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(expect.arrayContaining([['TenantId', tenant]]));
  });

  it('is paused, resumed and deleted together with the sync schedule', async () => {
    const ids = [`sync/${tenant}`, `cleanup/${tenant}`];
    await setTenantSchedulesPaused(stack.client, tenant, true, 'test');
    for (const id of ids) expect((await stack.client.schedule.getHandle(id).describe()).state.paused).toBe(true);
    await setTenantSchedulesPaused(stack.client, tenant, false, 'test');
    for (const id of ids) expect((await stack.client.schedule.getHandle(id).describe()).state.paused).toBe(false);
    await deleteTenantSchedules(stack.client, tenant);
    for (const id of ids) await expect(stack.client.schedule.getHandle(id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
