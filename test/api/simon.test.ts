import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOpenAPI } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { addWorkAddress, listCustomers, simonTables } from '../../db/queries/simon.js';
import {
  articleGroups, articles, contactPersons, credentials, customers, documentExports, integrations, objects, settingsVersions, syncState,
  wipeableTableNames, workAddresses, workOrderMaterials, workOrders,
} from '../../db/schema.js';
import { freshDatabase } from '../helpers/db.js';
import { buildApp, getJson, postJson, seedTenant, tokens } from './helpers.js';

let database: Database;
let app: AppOpenAPI;
const ids: Record<string, string> = {};
const t0 = new Date('2025-02-01T10:00:00.000Z');
const t1 = new Date('2025-02-03T12:30:00.000Z');
const t2 = new Date('2025-02-05T08:15:00.000Z');

beforeAll(async () => {
  ({ database } = await freshDatabase('api_simon'));
  app = buildApp(database);
  await seedTenant(database, 'other');
  await database.db.insert(integrations).values({
    tenantId: 'acme',
    provider: 'factuursturen',
    status: 'paused',
    steps: { wiped: true, connected: true, settingsChecked: true, saved: true },
    activations: 1,
    startedAt: t0,
  });
  const { db } = database;

  const [tools, parts] = await db
    .insert(articleGroups)
    .values([
      { tenantId: 'acme', code: 'GRP-T', description: 'Tijden', externalId: 'g-1', integrationUpdatedAt: t1 },
      { tenantId: 'acme', code: 'GRP-M', description: 'Materialen', externalId: 'g-2', integrationUpdatedAt: t0 },
    ])
    .returning();
  ids.tools = tools.id;
  ids.parts = parts.id;
  await db.insert(articleGroups).values({ tenantId: 'other', code: 'X', externalId: 'g-1' });

  const [hour] = await db
    .insert(articles)
    .values([
      { tenantId: 'acme', code: '0001', description: 'Arbeid', salesPrice: '55.00', unit: 'uur', groupId: tools.id, groupExternalId: 'g-1', externalId: 'a-1', integrationUpdatedAt: t2 },
      { tenantId: 'acme', code: '0002', description: 'Reistijd', salesPrice: '40.00', unit: 'uur', groupExternalId: 'g-1', externalId: 'a-2' },
      { tenantId: 'acme', code: '1000', description: 'Kraan 50% korting', groupId: parts.id, externalId: 'a-3', active: false },
      { tenantId: 'acme', code: 'LOCAL', description: 'Lokaal artikel', simonMutatedAt: t1 },
    ])
    .returning();
  ids.hour = hour.id;

  const [jan, piet] = await db
    .insert(customers)
    .values([
      { tenantId: 'acme', name: 'Jan den Butter', number: 'K-100', city: 'Eindhoven', externalId: 'c-1', integrationUpdatedAt: t1 },
      { tenantId: 'acme', name: 'Piet Bakker', number: 'K-200', externalId: 'c-2', integrationUpdatedAt: t2 },
      { tenantId: 'acme', name: 'Oud Klant_Co', number: 'K-300', externalId: 'c-3', active: false },
    ])
    .returning();
  ids.jan = jan.id;
  ids.piet = piet.id;
  const [stranger] = await db.insert(customers).values({ tenantId: 'other', name: 'Jan Vreemd', externalId: 'c-1' }).returning();
  ids.stranger = stranger.id;

  await db.insert(workAddresses).values([
    { tenantId: 'acme', customerId: jan.id, street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven', origin: 'customer-address', externalId: 'c-1/customer-address', integrationUpdatedAt: t1 },
    { tenantId: 'other', customerId: stranger.id, street: 'Elders 1', origin: 'customer-address', externalId: 'c-1/customer-address' },
  ]);

  await db.insert(workOrders).values([
    { tenantId: 'acme', id: 'wo-1', number: 'W-1', customerId: jan.id, description: 'Lekkage', status: 'open', source: 'quote', sourceQuoteId: 'Q-7', createdAt: t1 },
    { tenantId: 'acme', id: 'wo-2', number: 'W-2', customerId: piet.id, status: 'completed', source: 'simon', simonMutatedAt: t2 },
    { tenantId: 'acme', id: 'wo-3', number: 'W-3', customerId: piet.id, status: 'planned', source: 'quote', sourceQuoteId: 'Q-8', createdAt: t2 },
    { tenantId: 'other', id: 'wo-9', number: 'W-9', status: 'open', source: 'quote' },
  ]);
  await db.insert(workOrderMaterials).values([
    { tenantId: 'acme', workOrderId: 'wo-1', position: 2, articleId: hour.id, quantity: '1.5', price: '55.00' },
    { tenantId: 'acme', workOrderId: 'wo-1', position: 1, description: 'Tekstregel', quantity: '1' },
  ]);
  await db.insert(objects).values({ tenantId: 'acme', name: 'CV-ketel', simonMutatedAt: t0 });
  await db.insert(contactPersons).values([{ tenantId: 'acme', name: 'Kees' }, { tenantId: 'acme', name: 'Anna' }]);

  await db.insert(syncState).values([
    { tenantId: 'acme', entity: 'customers', phase: 'incremental', recordsDone: 3, recordsTotal: 3, lastSuccessAt: t2 },
    { tenantId: 'acme', entity: 'article_groups', phase: 'initial', recordsDone: 2, recordsTotal: null, lastError: 'HTTP 503 van FactuurSturen' },
  ]);
  await db.insert(settingsVersions).values([
    { tenantId: 'acme', provider: 'factuursturen', version: 1, settings: { provider: 'factuursturen' }, effectiveFrom: t0, requestId: 'req-1' },
    { tenantId: 'acme', provider: 'factuursturen', version: 2, settings: { provider: 'factuursturen' }, effectiveFrom: t1, requestId: 'req-2' },
    { tenantId: 'acme', provider: 'factuursturen', version: 3, settings: { provider: 'factuursturen' }, effectiveFrom: new Date(Date.now() + 86_400_000), requestId: 'req-3' },
  ]);
  await db.insert(credentials).values({ tenantId: 'acme', provider: 'factuursturen', sealed: 'v1.k1.SECRETSEALED.tag.ct', label: 'jan@bedrijf.nl' });
  await db.insert(documentExports).values([
    { tenantId: 'acme', workOrderId: 'wo-a', provider: 'factuursturen', state: 'sent', reference: 'r-a', archivedAt: t1 },
    { tenantId: 'acme', workOrderId: 'wo-b', provider: 'factuursturen', state: 'held', reference: 'r-b', archivedAt: t1 },
    { tenantId: 'acme', workOrderId: 'wo-c', provider: 'factuursturen', state: 'held', reference: 'r-c', archivedAt: t1 },
    { tenantId: 'acme', workOrderId: 'wo-d', provider: 'factuursturen', state: 'failed', reference: 'r-d', archivedAt: t1 },
    { tenantId: 'other', workOrderId: 'wo-e', provider: 'factuursturen', state: 'failed', reference: 'r-e', archivedAt: t1 },
  ]);
});

afterAll(async () => {
  await database?.close();
});

describe('customers', () => {
  it('lists the tenant\'s customers by name, with active filter, search and paging', async () => {
    const all = await getJson(app, '/v1/tenants/acme/customers', tokens.support);
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { name: string }) => c.name)).toEqual(['Jan den Butter', 'Oud Klant_Co', 'Piet Bakker']);
    expect(all.body.nextOffset).toBeNull();
    expect(all.body.items[0]).toMatchObject({ id: ids.jan, number: 'K-100', externalId: 'c-1', integrationUpdatedAt: t1.toISOString(), active: true });

    const active = await getJson(app, '/v1/tenants/acme/customers?active=true', tokens.support);
    expect(active.body.items.map((c: { name: string }) => c.name)).toEqual(['Jan den Butter', 'Piet Bakker']);
    const inactive = await getJson(app, '/v1/tenants/acme/customers?active=false', tokens.support);
    expect(inactive.body.items.map((c: { name: string }) => c.name)).toEqual(['Oud Klant_Co']);

    expect((await getJson(app, '/v1/tenants/acme/customers?q=k-2', tokens.support)).body.items.map((c: { name: string }) => c.name)).toEqual(['Piet Bakker']);
    expect((await getJson(app, '/v1/tenants/acme/customers?q=JAN', tokens.support)).body.items).toHaveLength(1);
    // `_` and `%` are literal in a search, not wildcards.
    expect((await getJson(app, '/v1/tenants/acme/customers?q=_', tokens.support)).body.items.map((c: { name: string }) => c.name)).toEqual(['Oud Klant_Co']);
    expect((await getJson(app, '/v1/tenants/acme/customers?q=%25', tokens.support)).body.items).toHaveLength(0);

    const p1 = await getJson(app, '/v1/tenants/acme/customers?limit=2', tokens.support);
    expect(p1.body.items).toHaveLength(2);
    expect(p1.body.nextOffset).toBe(2);
    const p2 = await getJson(app, '/v1/tenants/acme/customers?limit=2&offset=2', tokens.support);
    expect(p2.body.items.map((c: { name: string }) => c.name)).toEqual(['Piet Bakker']);
    expect(p2.body.nextOffset).toBeNull();
  });

  it('never lists another tenant\'s customers', async () => {
    const page = await listCustomers(database, 'acme', { q: 'Vreemd' });
    expect(page.items).toEqual([]);
  });
});

describe('work addresses', () => {
  it('adds a work address with origin simon and reads it back', async () => {
    const before = Date.now();
    const created = await postJson(app, `/v1/tenants/acme/customers/${ids.jan}/work-addresses`, tokens.backend, {
      name: '  Jan den Butter  ',
      street: 'Kerkstraat 1',
      postalCode: '5611 AB',
      city: 'Eindhoven',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      customerId: ids.jan,
      name: 'Jan den Butter',
      street: 'Kerkstraat 1',
      postalCode: '5611 AB',
      city: 'Eindhoven',
      country: null,
      origin: 'simon',
      originLabel: 'Toegevoegd in Simon',
      externalId: null,
      active: true,
      integrationUpdatedAt: null,
    });
    expect(Date.parse(created.body.simonMutatedAt)).toBeGreaterThanOrEqual(before - 1000);

    const list = await getJson(app, `/v1/tenants/acme/customers/${ids.jan}/work-addresses`, tokens.support);
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { origin: string }) => a.origin)).toEqual(['customer-address', 'simon']);
    expect(list.body.items[1].id).toBe(created.body.id);

    const simonOnly = await getJson(app, '/v1/tenants/acme/work-addresses?origin=simon', tokens.support);
    expect(simonOnly.body.items.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    const all = await getJson(app, '/v1/tenants/acme/work-addresses', tokens.support);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items.every((a: { customerId: string }) => a.customerId === ids.jan)).toBe(true);
    const byCustomer = await getJson(app, `/v1/tenants/acme/work-addresses?customerId=${ids.piet}`, tokens.support);
    expect(byCustomer.body.items).toEqual([]);
  });

  it('answers 404 for a customer that does not exist for the tenant, and adds nothing', async () => {
    expect(await addWorkAddress(database, 'acme', { customerId: ids.stranger, street: 's', postalCode: 'p', city: 'c' })).toBeNull();
    const missing = await postJson(app, `/v1/tenants/acme/customers/00000000-0000-4000-8000-000000000000/work-addresses`, tokens.backend, {
      street: 's', postalCode: 'p', city: 'c',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
    const list = await getJson(app, `/v1/tenants/acme/customers/00000000-0000-4000-8000-000000000000/work-addresses`, tokens.support);
    expect(list.status).toBe(404);
    const strangers = await database.db.select().from(workAddresses);
    expect(strangers.filter((a) => a.customerId === ids.stranger)).toHaveLength(1);
  });
});

describe('articles and groups', () => {
  it('lists articles with their group, by group id or by the provider\'s group id', async () => {
    const { status, body } = await getJson(app, '/v1/tenants/acme/articles', tokens.support);
    expect(status).toBe(200);
    expect(body.items.map((a: { code: string }) => a.code)).toEqual(['0001', '0002', '1000', 'LOCAL']);
    const [hour, travel, tap, local] = body.items;
    expect(hour).toMatchObject({ salesPrice: '55.0000', unit: 'uur', group: { id: ids.tools, code: 'GRP-T', description: 'Tijden' } });
    expect(travel.group).toEqual({ id: ids.tools, code: 'GRP-T', description: 'Tijden' });
    expect(tap).toMatchObject({ active: false, group: { code: 'GRP-M' } });
    expect(local).toMatchObject({ externalId: null, group: null });

    expect((await getJson(app, '/v1/tenants/acme/articles?active=true&q=tijd', tokens.support)).body.items.map((a: { code: string }) => a.code)).toEqual(['0002']);
    expect((await getJson(app, '/v1/tenants/acme/articles?q=50%25', tokens.support)).body.items.map((a: { code: string }) => a.code)).toEqual(['1000']);
    expect((await getJson(app, `/v1/tenants/acme/articles?groupId=${ids.parts}`, tokens.support)).body.items.map((a: { code: string }) => a.code)).toEqual(['1000']);
  });

  it('lists article groups', async () => {
    const { body } = await getJson(app, '/v1/tenants/acme/article-groups', tokens.support);
    expect(body.items.map((g: { code: string }) => g.code)).toEqual(['GRP-M', 'GRP-T']);
    expect(body.items[1]).toMatchObject({ description: 'Tijden', externalId: 'g-1', active: true });
  });
});

describe('work orders', () => {
  it('lists the work orders created from quotes, newest first, with their materials', async () => {
    const { status, body } = await getJson(app, '/v1/tenants/acme/work-orders?source=quote', tokens.backend);
    expect(status).toBe(200);
    expect(body.items.map((w: { id: string }) => w.id)).toEqual(['wo-3', 'wo-1']);
    const wo1 = body.items[1];
    expect(wo1).toMatchObject({ number: 'W-1', source: 'quote', sourceQuoteId: 'Q-7', status: 'open', statusLabel: 'Open', customerId: ids.jan, description: 'Lekkage' });
    expect(wo1.materials).toEqual([
      { position: 1, articleId: null, description: 'Tekstregel', quantity: '1.0000', price: null },
      { position: 2, articleId: ids.hour, description: null, quantity: '1.5000', price: '55.0000' },
    ]);
    expect(body.items[0].materials).toEqual([]);
    const all = await getJson(app, '/v1/tenants/acme/work-orders', tokens.backend);
    expect(all.body.items).toHaveLength(3);
  });

  it('names the quote each one came from and its work address, so the office can plan it (docs/quotes.md)', async () => {
    const [address] = await database.sql`select id::text as id from simon.work_addresses where tenant_id = 'acme' and customer_id = ${ids.jan}`;
    const importedAt = new Date('2025-02-03T12:31:00.000Z');
    await database.sql`
      insert into integration.imported_quotes (tenant_id, provider, quote_id, work_order_id, kind, number, created_at)
      values ('acme', 'factuursturen', 'Q-7', 'wo-1', 'quote', '2024-0007', ${importedAt}), ('other', 'factuursturen', 'Q-7', 'wo-1', 'quote', 'elders', now())`;
    await database.sql`update simon.work_orders set work_address_id = ${address.id} where tenant_id = 'acme' and id = 'wo-1'`;

    const { body } = await getJson(app, '/v1/tenants/acme/work-orders?source=quote', tokens.backend);
    const [wo3, wo1] = body.items;
    expect(wo1.origin).toEqual({ provider: 'factuursturen', kind: 'quote', kindLabel: 'Offerte', quoteId: 'Q-7', quoteNumber: '2024-0007', importedAt: importedAt.toISOString() });
    expect(wo1.workAddressId).toBe(address.id);
    expect(wo1.workAddress).toEqual({
      id: address.id, name: null, street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven', country: null, active: true,
      origin: 'customer-address', originLabel: 'Klantadres',
    });
    // No import record (and no work address): both null, never another tenant's.
    expect(wo3).toMatchObject({ id: 'wo-3', origin: null, workAddressId: null, workAddress: null });
    const simonMade = (await getJson(app, '/v1/tenants/acme/work-orders?source=simon', tokens.backend)).body.items;
    expect(simonMade.map((w: { id: string; origin: unknown }) => [w.id, w.origin])).toEqual([['wo-2', null]]);
  });
});

describe('GET /v1/tenants/{tenant}/simon-tables', () => {
  it('gives row count, last Simon mutation and last integration update for the seven wipeable tables', async () => {
    const { status, body } = await getJson(app, '/v1/tenants/acme/simon-tables', tokens.admin);
    expect(status).toBe(200);
    expect(body.tables.map((t: { table: string }) => t.table)).toEqual(wipeableTableNames);
    const byName = Object.fromEntries(body.tables.map((t: { table: string }) => [t.table, t]));
    expect(byName['Artikel Groep']).toEqual({ table: 'Artikel Groep', rowCount: 2, lastSimonMutation: null, lastIntegrationUpdate: t1.toISOString() });
    expect(byName.Artikel).toEqual({ table: 'Artikel', rowCount: 4, lastSimonMutation: t1.toISOString(), lastIntegrationUpdate: t2.toISOString() });
    expect(byName.Klant).toMatchObject({ rowCount: 3, lastIntegrationUpdate: t2.toISOString() });
    expect(byName.Werkbon).toMatchObject({ rowCount: 3, lastSimonMutation: t2.toISOString() });
    expect(byName.Objecten).toMatchObject({ rowCount: 1, lastSimonMutation: t0.toISOString() });
    expect(byName['Contact Personen']).toMatchObject({ rowCount: 2, lastSimonMutation: null });
    expect(byName.Werkadres.rowCount).toBeGreaterThanOrEqual(1);

    const other = await simonTables(database, 'other');
    expect(Object.fromEntries(other.map((t) => [t.table, t.rowCount]))).toMatchObject({ Klant: 1, Werkbon: 1, Artikel: 0, 'Artikel Groep': 1 });
  });
});

describe('GET /v1/tenants/{tenant}/integration', () => {
  it('reports status with Dutch label, steps, per-table activity, import progress, settings version and export counts', async () => {
    const { status, body } = await getJson(app, '/v1/tenants/acme/integration', tokens.support);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      tenantId: 'acme',
      provider: 'factuursturen',
      providerName: 'FactuurSturen',
      status: 'paused',
      statusLabel: 'Gepauzeerd',
      steps: { wiped: true, connected: true, settingsChecked: true, saved: true },
      activations: 1,
      startedAt: t0.toISOString(),
      endedAt: null,
      settings: { version: 2, effectiveFrom: t1.toISOString() },
      exports: { pending: 0, held: 2, sent: 1, skipped: 0, failed: 1 },
    });
    expect(body.tables.map((t: { table: string }) => t.table)).toEqual(['Artikel Groep', 'Artikel', 'Klant', 'Werkadres']);
    expect(body.tables[1]).toEqual({ table: 'Artikel', simonMutation: t1.toISOString(), integrationUpdate: t2.toISOString() });
    expect(body.initialImport).toEqual([
      expect.objectContaining({ entity: 'article_groups', table: 'Artikel Groep', phase: 'initial', recordsDone: 2, recordsTotal: null, lastError: 'HTTP 503 van FactuurSturen' }),
      expect.objectContaining({ entity: 'customers', table: 'Klant', phase: 'incremental', recordsDone: 3, recordsTotal: 3, lastSuccessAt: t2.toISOString() }),
    ]);
    const text = JSON.stringify(body);
    expect(text).not.toContain('SECRETSEALED');
    expect(text).not.toContain('sealed');
  });

  it('labels a fresh tenant "Nog niet eerder geactiveerd" with empty progress', async () => {
    const { body } = await getJson(app, '/v1/tenants/other/integration', tokens.support);
    expect(body).toMatchObject({ status: 'active', statusLabel: 'Actief', settings: null, initialImport: [], exports: { failed: 1, held: 0 } });
    await seedTenant(database, 'fresh', { status: 'not_activated' });
    const fresh = await getJson(app, '/v1/tenants/fresh/integration', tokens.support);
    expect(fresh.body).toMatchObject({
      status: 'not_activated',
      statusLabel: 'Nog niet eerder geactiveerd',
      steps: { wiped: false, connected: false, settingsChecked: false, saved: false },
      activations: 0,
    });
  });
});

describe('GET /v1/providers', () => {
  it('lists the five providers with capabilities, cadence, terms and a settings JSON schema', async () => {
    const { status, body } = await getJson(app, '/v1/providers', tokens.acmeAdmin);
    expect(status).toBe(200);
    expect(body.providers.map((p: { id: string }) => p.id)).toEqual(['octopus', 'factuursturen', 'imuis', 'rompslomp', 'visma-net']);
    const fs = body.providers.find((p: { id: string }) => p.id === 'factuursturen');
    expect(fs).toMatchObject({ name: 'FactuurSturen', cadence: 'five-minutes', available: true, connectWith: 'username+apiKey', capabilities: { quotes: true } });
    expect(fs.terms).toMatch(/voorwaarden/);
    expect(fs.settingsSchema).toMatchObject({ type: 'object', properties: { provider: { const: 'factuursturen' }, termsAccepted: { const: true } } });
    expect(Object.keys(fs.settingsSchema.properties)).toEqual(expect.arrayContaining(['workTimeArticle', 'invoiceDescription', 'quotes']));
    // Input schema: defaulted fields are optional.
    expect(fs.settingsSchema.required).toEqual(expect.arrayContaining(['provider', 'termsAccepted', 'workTimeArticle']));
    expect(fs.settingsSchema.required).not.toContain('quotes');
    const octopus = body.providers.find((p: { id: string }) => p.id === 'octopus');
    expect(octopus).toMatchObject({ cadence: 'daily' });
    expect(octopus.settingsSchema.required).toEqual(expect.arrayContaining(['dossierId', 'journal']));
  });
});
