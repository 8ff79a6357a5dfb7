import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapCustomer } from '../../connectors/visma-net/connector.js';
import { fakeSalesOrder, startFakeVismaNet, touch, vismaTimestamp, type FakeVismaNet, type FakeVismaSalesOrder } from '../../fakes/visma-net/server.js';
import { quoteImportWorkflow } from '../../workflows/index.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { VISMA_COMPANY, vismaSettings } from '../helpers/activation.js';

/**
 * Visma.net ERP end to end (issue 6): real Temporal dev server, real Postgres, the fake Visma.net API and the fake
 * Visma Connect over real HTTP, and a tiny HTTP server playing Simon's PDF storage. One tenant is activated through
 * the OAuth flow; the sync, archive and order-import scenarios then run against it in order.
 */
let stack: Stack;
let fake: FakeVismaNet;
let pdfServer: http.Server;
let pdfBase: string;
const tenant = uniqueTenant('visma');
/** The connected company: the Visma Connect tenant of "ISV - Simple Simon" (docs/providers/visma-net.md §2). */
const COMPANY = VISMA_COMPANY;
const responses: string[] = [];

async function api(method: string, path: string, body?: unknown, token: string | null = tokens.admin) {
  const res = await stack.api(method, path, body, token);
  responses.push(JSON.stringify(res.body));
  return res;
}

// The helper's Visma.net settings, with what this file's export tests look at: memo, both references, a warehouse per user.
const settings = {
  ...vismaSettings,
  companyId: COMPANY,
  memo: 'workAddressAndDescription',
  customerReference: 'both',
  attachments: 'none',
  warehouse: { perUser: true, byUser: { 'user-jan': 'BUS1' }, default: 'HOOFD' },
};

const pdfBytes = (name: string) => Buffer.from(`%PDF-1.4\n% ${name}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);

async function count(table: string, where = ''): Promise<number> {
  const rows = await stack.database.sql.unsafe(`select count(*)::int as n from ${table} where tenant_id = $1 ${where}`, [tenant]);
  return rows[0].n as number;
}

beforeAll(async () => {
  fake = await startFakeVismaNet({ maxPageSize: 10, seed: { customers: 30, nonStockItems: 20, otherItems: 4 } });
  // Simon's PDF storage: work order PDFs exist, forms PDFs only when listed.
  const forms = new Set(['WB-3005', 'WB-3006']);
  pdfServer = http.createServer((req, res) => {
    const m = /^\/(werkbon|formulieren)\/([^/]+)\.pdf$/.exec(req.url ?? '');
    if (!m || (m[1] === 'formulieren' && !forms.has(m[2]))) {
      res.writeHead(404).end('Not found');
      return;
    }
    const body = pdfBytes(`${m[1]} ${m[2]}`);
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => pdfServer.listen(0, '127.0.0.1', resolve));
  pdfBase = `http://127.0.0.1:${(pdfServer.address() as AddressInfo).port}`;
  stack = await startStack('visma-e2e', { env: { VISMA_NET_BASE_URL: fake.url, VISMA_NET_SALESORDER_BASE_URL: fake.salesOrderUrl, VISMA_CONNECT_BASE_URL: fake.connectUrl } });
  stack.tenants.push(tenant);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  await new Promise((r) => pdfServer?.close(r));
});

describe('activation', () => {
  it('starts, wipes all seven tables and will not hand out a login link before the wipe', async () => {
    expect((await api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'visma-net' })).body).toMatchObject({ status: 'activating', firstActivation: true });
    expect((await api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`)).status).toBe(409);
    const wipe = await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, {
      tables: ['Artikel Groep', 'Artikel', 'Werkbon', 'Werkadres', 'Klant', 'Objecten', 'Contact Personen'],
    });
    expect(wipe.status).toBe(200);
    const withKey = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: 'x', apiKey: 'y-123456' } });
    expect(withKey.status).toBe(400);
  });

  it('connects through Visma Connect: authorize, pick the company, callback, code exchanged by the worker', async () => {
    const link = await api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`);
    expect(link.status).toBe(200);
    const authorize = new URL(link.body.url);
    expect(authorize.origin + authorize.pathname).toBe(`${fake.connectUrl}authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    // The admin's browser at Visma Connect: signed in, company chosen, consent given → back to Simon with a code.
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    expect(back.pathname).toBe('/v1/oauth/visma-net/callback');
    const callback = await api('GET', back.pathname + back.search, undefined, null);
    expect(callback.status, JSON.stringify(callback.body)).toBe(200);
    expect(callback.body).toMatchObject({ connected: true, label: 'ISV - Simple Simon (SIMON)', steps: { wiped: true, connected: true } });

    const rows = await stack.database.sql`select sealed::text as s, pending_sealed from integration.credentials where tenant_id = ${tenant}`;
    expect(rows[0].s).toMatch(/^v1\./);
    expect(rows[0].pending_sealed).toBeNull();
    for (const token of fake.state.connect.accessTokens.keys()) expect(rows[0].s).not.toContain(token);
  });

  it('offers companies, warehouses and Non-Stock articles, read live from Visma.net', async () => {
    expect((await api('GET', `/v1/tenants/${tenant}/integration/options/companies`)).body.items).toEqual([{ id: COMPANY, name: 'ISV - Simple Simon' }]);
    expect((await api('GET', `/v1/tenants/${tenant}/integration/options/warehouses`)).body.items.map((w: { id: string }) => w.id)).toEqual(['HOOFD', 'BUS1', 'BUS2']);
    const articles = await api('GET', `/v1/tenants/${tenant}/integration/options/articles?q=tijd`);
    expect(articles.body.items.map((a: { code: string }) => a.code)).toEqual(['SIMONWERK', 'SIMONREIS']);
  });

  it("'Controleer' checks the company first, then each field with its own error", async () => {
    const wrongCompany = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, { settings: { ...settings, companyId: '999' } });
    expect(wrongCompany.body.ok).toBe(false);
    expect(wrongCompany.body.checks.map((c: { field: string }) => c.field)).toEqual(['companyId', 'termsAccepted']);
    expect(wrongCompany.body.checks[0].error).toBe('Administratienummer niet bekend');

    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, {
      settings: { ...settings, travelTimeArticle: 'X501', warehouse: { perUser: true, byUser: { 'user-jan': 'BUS9' }, default: 'HOOFD' } },
    });
    const byField = Object.fromEntries(res.body.checks.map((c: { field: string }) => [c.field, c]));
    expect(byField.companyId).toMatchObject({ ok: true, found: { name: 'ISV - Simple Simon' } });
    expect(byField.travelTimeArticle).toMatchObject({ ok: false, error: "Artikel is geen 'Non-Stock' artikel in Visma.net" });
    expect(byField.workTimeArticle).toMatchObject({ ok: true, found: { code: 'SIMONWERK', name: 'Werktijd', group: 'Tijden' } });
    expect(byField['warehouse.byUser.user-jan']).toMatchObject({ ok: false, error: 'Magazijn niet bekend in Visma.net' });
    expect(byField['warehouse.default']).toMatchObject({ ok: true });

    const refused = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...settings, travelTimeArticle: 'X501' } });
    expect(refused.status).toBe(400);
  });

  it('saves, becomes active and imports every page: Non-Stock items only, active customers with their work addresses', async () => {
    const customerPages = fake.state.requests['GET customer'] ?? 0;
    const saved = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.message).toContain('Integratie succesvol!');
    expect(saved.body.message).toContain('elke 5 minuten');
    for (const id of saved.body.importWorkflowIds) await stack.client.workflow.getHandle(id).result();
    // The quote schedule stays out of the way until the order-import scenario starts runs by hand.
    await stack.client.schedule.getHandle(`quotes/${tenant}`).pause('test: runs are started by hand');

    const status = await api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support);
    expect(status.body.status).toBe('active');
    const progress = Object.fromEntries(status.body.initialImport.map((p: { entity: string }) => [p.entity, p]));
    expect(progress.customers).toMatchObject({ recordsDone: 30, recordsTotal: 30, phase: 'incremental' });
    // 30 customers in pages of at most 10 (the API's maxPageSize).
    expect(fake.state.requests['GET customer'] - customerPages).toBe(3);

    expect(await count('simon.article_groups')).toBe(2);
    const articles = await stack.database.sql`select code from simon.articles where tenant_id = ${tenant} order by code`;
    expect(articles).toHaveLength(23);
    expect(articles.map((a) => a.code)).not.toContain('X501'); // the LaborItem "Arbeid monteur"
    expect(articles.some((a) => (a.code as string).startsWith('X'))).toBe(false);

    const active = fake.data.customers.filter((c) => c.status !== 'Inactive');
    expect(await count('simon.customers')).toBe(active.length);
    const expectedAddresses = active.reduce((n, c) => n + mapCustomer(c as never).workAddresses.length, 0);
    expect(await count('simon.work_addresses')).toBe(expectedAddresses);
  });

  it('gives a customer with main, invoice and delivery address three work addresses with the right origin', async () => {
    const raw = fake.data.customers.find((c) => c.number === '10012')!;
    const rows = await stack.database.sql`
      select a.origin, a.street, a.city from simon.work_addresses a join simon.customers c on c.id = a.customer_id
      where c.tenant_id = ${tenant} and c.external_id = '10012' order by a.origin`;
    expect(rows.map((r) => [r.origin, r.street, r.city])).toEqual([
      ['customer-address', raw.mainAddress!.addressLine1, raw.mainAddress!.city],
      ['delivery-address', raw.deliveryAddress!.addressLine1, raw.deliveryAddress!.city],
      ['invoice-address', raw.invoiceAddress!.addressLine1, raw.invoiceAddress!.city],
    ]);
    // 10005's invoice address equals its main address: not a second work address.
    const same = await stack.database.sql`
      select a.origin from simon.work_addresses a join simon.customers c on c.id = a.customer_id where c.tenant_id = ${tenant} and c.external_id = '10005'`;
    expect(same.map((r) => r.origin)).toEqual(['customer-address']);
  });

  it("'Nu synchroniseren' picks up only the changes: a rename, a deactivation, a new customer and article, through a 429", async () => {
    const renamed = touch(Object.assign(fake.data.customers.find((c) => c.number === '10002')!, { name: 'Garage Gewijzigd' }));
    touch(Object.assign(fake.data.customers.find((c) => c.number === '10003')!, { status: 'Inactive' as const }));
    fake.data.customers.push({
      ...fake.data.customers[0], internalId: 9031, number: '10031', name: 'Bakkerij Nieuw', status: 'Active',
      mainAddress: { addressLine1: 'Nieuwstraat 1', postalCode: '5611 AA', city: 'Eindhoven' }, invoiceAddress: { addressLine1: 'Postbus 12', postalCode: '5600 AA', city: 'Eindhoven' },
      deliveryAddress: null, lastModifiedDateTime: vismaTimestamp(), createdDateTime: vismaTimestamp(),
    });
    fake.data.inventory.push({ ...fake.data.inventory[3], inventoryId: 999, inventoryNumber: 'M2001', description: 'Thermostaat', lastModifiedDateTime: vismaTimestamp() });
    fake.faults.failNext.push({ status: 429, path: 'customer', method: 'GET', retryAfterSeconds: 1 });
    // The stored access token has gone stale: the worker refreshes it (once per tenant) and stores the new one sealed.
    fake.expireAccessTokens();
    const sealedBefore = (await stack.database.sql`select sealed::text as s from integration.credentials where tenant_id = ${tenant}`)[0].s;
    const tokenPosts = fake.state.connect.connectRequests['POST token'] ?? 0;
    const before = fake.state.requests['GET customer'] ?? 0;

    const res = await api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true, articles: true });
    expect(res.status).toBe(202);
    for (const wf of res.body.workflows) await stack.client.workflow.getHandle(wf.workflowId, wf.runId).result();

    const byNumber = async (n: string) => (await stack.database.sql`select name, active from simon.customers where tenant_id = ${tenant} and external_id = ${n}`)[0];
    expect(await byNumber('10002')).toMatchObject({ name: renamed.name, active: true });
    expect(await byNumber('10003')).toMatchObject({ active: false });
    expect(await byNumber('10031')).toMatchObject({ name: 'Bakkerij Nieuw', active: true });
    const origins = await stack.database.sql`
      select a.origin from simon.work_addresses a join simon.customers c on c.id = a.customer_id where c.tenant_id = ${tenant} and c.external_id = '10031' order by a.origin`;
    expect(origins.map((r) => r.origin)).toEqual(['customer-address', 'invoice-address']);
    expect(await count('simon.articles', `and code = 'M2001'`)).toBe(1);
    // The 429 and one incremental page (three changed customers), not the four pages of a full listing; a 401 on
    // the stale token may come first.
    expect(fake.state.requests['GET customer'] - before).toBeLessThanOrEqual(3);
    expect(fake.state.connect.connectRequests['POST token']).toBe(tokenPosts + 1);
    const sealedAfter = (await stack.database.sql`select sealed::text as s from integration.credentials where tenant_id = ${tenant}`)[0].s;
    expect(sealedAfter).not.toBe(sealedBefore);
  });

  it('runs the incremental sync on its 5-minute schedule too', async () => {
    const handle = stack.client.schedule.getHandle(`sync/${tenant}`);
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    touch(Object.assign(fake.data.customers.find((c) => c.number === '10004')!, { name: 'Hotel Via Schema' }));
    await handle.trigger();
    await eventually(async () => {
      const rows = await stack.database.sql`select name from simon.customers where tenant_id = ${tenant} and external_id = '10004'`;
      return rows[0]?.name === 'Hotel Via Schema';
    }, 30_000, 200);
  });
});

describe('archive → sales order or customer invoice', () => {
  let n = 0;
  const settled = (id: string) => eventually(async () => {
    const e = await api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`, undefined, tokens.support);
    return e.body.state !== 'pending' ? e.body : undefined;
  }, 30_000, 50);

  async function workOrder(overrides: Record<string, unknown> = {}) {
    n++;
    const [customer] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and external_id = '10012'`;
    const [address] = await stack.database.sql`select id from simon.work_addresses where tenant_id = ${tenant} and customer_id = ${customer.id} and origin = 'delivery-address'`;
    const [material] = await stack.database.sql`select id from simon.articles where tenant_id = ${tenant} and code = 'M1001'`;
    return {
      number: `WB-${3000 + n}`,
      status: 'completed',
      customerId: customer.id as string,
      workAddressId: address.id as string,
      description: 'CV-ketel maakt geluid',
      customerReference: 'REF-77',
      assignedUserId: 'user-jan',
      workMinutes: 120,
      travelMinutes: 15,
      materials: [{ articleId: material.id as string, quantity: 3, price: 4.25 }],
      workOrderPdf: null,
      formsPdf: null,
      ...overrides,
    };
  }

  const ordersFor = (reference: string) => fake.data.salesOrders.filter((o) => o.customFields.customStr5 === reference);

  it("becomes a sales order on hold in the engineer's warehouse, with reference, memo and every line", async () => {
    const id = `wo-${n + 1}`;
    const wo = await workOrder();
    expect((await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend)).status).toBe(202);
    const e = await settled(id);
    expect(e).toMatchObject({ state: 'sent' });
    const orders = ordersFor(e.reference);
    expect(orders).toHaveLength(1);
    const order = orders[0];
    expect(e.documentId).toBe(`salesorder/SO/${order.orderId}`);
    expect(e.documentNumber).toBe(order.orderId);
    const raw = fake.data.customers.find((c) => c.number === '10012')!;
    const delivery = raw.deliveryAddress!;
    expect(order).toMatchObject({
      type: 'SO', status: 'Hold', customer: { id: '10012', order: null, refNo: `${wo.number} / REF-77` },
      note: `${raw.name}, ${delivery.addressLine1}, ${delivery.postalCode} ${delivery.city}\nCV-ketel maakt geluid`,
    });
    expect(order.lines.map((l) => [l.inventory.id, l.quantity, l.unitPrice, l.warehouseId])).toEqual([
      ['SIMONWERK', 2, 62.5, 'BUS1'],
      ['SIMONREIS', 0.25, 45, 'BUS1'],
      ['M1001', 3, 4.25, 'BUS1'],
      ['SIMONVOORR', 1, 35, 'BUS1'],
    ]);
    const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon`, undefined, tokens.support);
    expect(log.body.entries[0].message).toBe(`Verkooporder ${order.orderId} aangemaakt in Visma.net voor werkbon ${wo.number}`);
  });

  it('uses the default warehouse for an engineer without one', async () => {
    const id = `wo-${n + 1}`;
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, await workOrder({ assignedUserId: 'user-kees' }), tokens.backend);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(new Set(ordersFor(e.reference)[0].lines.map((l) => l.warehouseId))).toEqual(new Set(['HOOFD']));
  });

  it('still makes exactly one sales order when Visma.net answers 504 after committing it', async () => {
    const id = `wo-${n + 1}`;
    fake.faults.timeoutAfterCommit = { path: 'SalesOrders', method: 'POST', count: 1 };
    const posts = fake.state.requests['POST v3/SalesOrders'] ?? 0;
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, await workOrder(), tokens.backend);
    const e = await settled(id);
    expect(e).toMatchObject({ state: 'sent', attempts: 2 });
    expect(fake.state.requests['POST v3/SalesOrders']).toBe(posts + 1);
    expect(ordersFor(e.reference)).toHaveLength(1);
    expect(e.documentId).toBe(`salesorder/SO/${ordersFor(e.reference)[0].orderId}`);
  });

  it('with the invoice setting becomes a customer invoice on hold with the selected PDFs; a missing forms PDF gives a warning', async () => {
    const changed = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...settings, documentType: 'invoice', attachments: 'workOrderAndFormsPdf', warehouse: null } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    // WB-3004: only the work order PDF exists.
    const id = `wo-${n + 1}`;
    const wo = await workOrder();
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, { ...wo, workOrderPdf: `${pdfBase}/werkbon/${wo.number}.pdf`, formsPdf: `${pdfBase}/formulieren/${wo.number}.pdf` }, tokens.backend);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(ordersFor(e.reference)).toHaveLength(0);
    const invoice = fake.data.invoices.find((i) => i.externalReference === e.reference)!;
    expect(e.documentId).toBe(`customerinvoice/${invoice.referenceNumber}`);
    expect(invoice).toMatchObject({ hold: true, customer: { number: '10012' }, customerRefNumber: `${wo.number} / REF-77` });
    expect(invoice.invoiceLines.map((l) => l.inventoryNumber)).toEqual(['SIMONWERK', 'SIMONREIS', 'M1001', 'SIMONVOORR']);
    expect(invoice.attachments.map((a) => a.name)).toEqual([`Werkbon ${wo.number}.pdf`]);
    expect(invoice.attachments[0].content.equals(pdfBytes(`werkbon ${wo.number}`))).toBe(true);
    const warnings = await api('GET', `/v1/tenants/${tenant}/logs?severity=warning&table=Werkbon`, undefined, tokens.support);
    expect(warnings.body.entries.find((x: { simonId: string }) => x.simonId === id).message)
      .toBe(`De PDF met eigen formulieren van werkbon ${wo.number} bestaat niet en is niet meegestuurd naar Visma.net`);

    // WB-3005: both PDFs exist.
    const id2 = `wo-${n + 1}`;
    const wo2 = await workOrder();
    expect(wo2.number).toBe('WB-3005');
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id2}/archive`, { ...wo2, workOrderPdf: `${pdfBase}/werkbon/WB-3005.pdf`, formsPdf: `${pdfBase}/formulieren/WB-3005.pdf` }, tokens.backend);
    const e2 = await settled(id2);
    expect(e2.state).toBe('sent');
    const invoice2 = fake.data.invoices.find((i) => i.externalReference === e2.reference)!;
    expect(invoice2.attachments.map((a) => [a.name, a.revision])).toEqual([['Werkbon WB-3005.pdf', 1], ['Eigen formulieren WB-3005.pdf', 1]]);
    expect(invoice2.attachments[1].content.equals(pdfBytes('formulieren WB-3005'))).toBe(true);
  });

  it('attaches the PDFs to a sales order once, also when an upload times out after Visma.net stored it', async () => {
    const changed = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...settings, attachments: 'workOrderAndFormsPdf' } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const id = `wo-${n + 1}`;
    const wo = await workOrder();
    expect(wo.number).toBe('WB-3006');
    // The first upload is refused with a 500 before anything is stored; the next is stored and answered 504.
    fake.faults.failNext.push({ status: 500, path: 'salesorder/orderType', method: 'POST' });
    fake.faults.timeoutAfterCommit = { path: 'salesorder/orderType', method: 'POST', count: 1 };
    const posts = fake.state.requests['POST salesorder/orderType/:type/:nbr/attachment'] ?? 0;
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, { ...wo, workOrderPdf: `${pdfBase}/werkbon/WB-3006.pdf`, formsPdf: `${pdfBase}/formulieren/WB-3006.pdf` }, tokens.backend);
    const e = await eventually(async () => {
      const r = await api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`, undefined, tokens.support);
      return r.body.state !== 'pending' ? r.body : undefined;
    }, 90_000, 100);
    expect(e.state).toBe('sent');
    const [order] = ordersFor(e.reference);
    expect(order.attachments.map((a) => [a.name, a.revision])).toEqual([['Werkbon WB-3006.pdf', 1], ['Eigen formulieren WB-3006.pdf', 1]]);
    expect(ordersFor(e.reference)).toHaveLength(1);
    // 500, the stored one answered 504, then only the forms PDF: the work order PDF was not posted again.
    expect(fake.state.requests['POST salesorder/orderType/:type/:nbr/attachment'] - posts).toBe(3);
  }, 120_000);

  it('never called a retired SalesOrder v1/v2 endpoint', () => {
    expect(fake.state.retiredCalls).toEqual([]);
    expect(Object.keys(fake.state.requests).filter((k) => /^\w+ (v2\/)?salesorder(basic)?(\/|$)/.test(k) && !k.includes('orderType'))).toEqual([]);
    expect(fake.state.requests['POST v3/SalesOrders']).toBeGreaterThan(0);
  });
});

describe('sales orders → work orders', () => {
  const order = (over: Partial<FakeVismaSalesOrder> & Pick<FakeVismaSalesOrder, 'orderId' | 'description'>): FakeVismaSalesOrder =>
    fakeSalesOrder({ customer: { id: '10006', name: 'Klant 10006', order: null, refNo: null }, ...over });
  const line = (lineId: number, id: string, description: string, quantity: number, unitPrice: number) => ({
    lineId, inventory: { id, description, baseUnit: 'STK' }, warehouseId: null, unitOfMeasure: 'STK', quantity, unitPrice, hasManualPrice: true,
    description, operation: 'Issue' as const, note: null,
  });
  let runs = 0;
  const runImport = () => stack.client.workflow.execute(quoteImportWorkflow, {
    taskQueue: stack.taskQueue,
    workflowId: `quotes/${tenant}/test-${++runs}`,
    args: [{ tenantId: tenant, provider: 'visma-net' }],
  });
  const imported = async () => (await api('GET', `/v1/tenants/${tenant}/work-orders?source=quote&limit=100`, undefined, tokens.backend)).body.items as any[];

  it("imports each open 'SO' order whose description holds the include word once, with lines, description and customer reference", async () => {
    const saved = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, {
      settings: { ...settings, orders: { import: 'salesOrder', includeFilterWord: 'simon', includeLines: true } },
    });
    expect(saved.status).toBe(200);
    fake.data.salesOrders.push(
      order({
        orderId: '000901', description: 'SIMON: lekkage keuken', note: 'Sleutel bij de buren', customer: { id: '10004', name: 'x', order: null, refNo: 'PO-4411' },
        lines: [line(1, 'M1001', 'Kogelkraan 15 mm', 2, 9.5), line(2, 'X501', 'Arbeid monteur', 1, 55)],
      }),
      order({ orderId: '000902', description: 'Onderhoud via Simon' }),
      order({ orderId: '000903', description: 'Levering zonder monteur' }),
      order({ orderId: '000904', description: 'Simon: oude klus', status: 'Completed' }),
      order({ type: 'QT', orderId: '000905', description: 'Simon: offerte dakgoot' }),
    );

    const first = await runImport();
    expect(first).toMatchObject({ skipped: null, matching: 2, imported: 2, waitingForCustomer: 0 });
    const orders = await imported();
    expect(orders.map((w) => w.sourceQuoteId).sort()).toEqual(['SO/000901', 'SO/000902']);
    const [customer] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and external_id = '10004'`;
    const [article] = await stack.database.sql`select id from simon.articles where tenant_id = ${tenant} and code = 'M1001'`;
    const lekkage = orders.find((w) => w.sourceQuoteId === 'SO/000901');
    expect(lekkage).toMatchObject({
      number: 'OF-000901', status: 'open', source: 'quote', customerId: customer.id, description: 'SIMON: lekkage keuken', customerReference: 'PO-4411', notes: 'Arbeid monteur',
    });
    expect(lekkage.materials.map((m: any) => [m.articleId, m.description, Number(m.quantity), Number(m.price)])).toEqual([[article.id, 'Kogelkraan 15 mm', 2, 9.5]]);
  });

  it('imports nothing twice: again, and after a worker restart', async () => {
    expect(await runImport()).toMatchObject({ matching: 2, imported: 0, alreadyImported: 2 });
    await stack.stopWorker();
    await stack.startWorker();
    expect(await runImport()).toMatchObject({ matching: 2, imported: 0, alreadyImported: 2 });
    expect(await imported()).toHaveLength(2);
    const rows = await stack.database.sql`select quote_id from integration.imported_quotes where tenant_id = ${tenant} order by quote_id`;
    expect(rows.map((r) => r.quote_id)).toEqual(['SO/000901', 'SO/000902']);
  });

  it('does not send a work order that came from a Visma.net sales order back as a second sales order', async () => {
    const wo = (await imported()).find((w) => w.sourceQuoteId === 'SO/000902');
    const posts = fake.state.requests['POST v3/SalesOrders'] ?? 0;
    await api('POST', `/v1/tenants/${tenant}/work-orders/${wo.id}/archive`, {
      number: wo.number, status: 'completed', customerId: wo.customerId, workAddressId: null, description: wo.description, customerReference: null,
      assignedUserId: 'user-jan', workMinutes: 60, travelMinutes: 0, materials: [],
    }, tokens.backend);
    const e = await eventually(async () => {
      const r = await api('GET', `/v1/tenants/${tenant}/work-orders/${wo.id}/export`, undefined, tokens.support);
      return r.body.state !== 'pending' ? r.body : undefined;
    });
    expect(e.state).toBe('skipped');
    expect(fake.state.requests['POST v3/SalesOrders'] ?? 0).toBe(posts);
    const info = await api('GET', `/v1/tenants/${tenant}/logs?severity=info&table=Werkbon`, undefined, tokens.support);
    expect(info.body.entries.find((x: { simonId: string }) => x.simonId === wo.id).message)
      .toBe(`Werkbon ${wo.number} niet naar Visma.net gestuurd: de werkbon komt uit verkooporder 000902 in Visma.net`);
  });

  it("gives each work order the order's shipping address as work address: the customer's identical one reused, a new place added once", async () => {
    const raw = fake.data.customers.find((c) => c.number === '10012')!;
    const delivery = raw.deliveryAddress!;
    const addressesOf = async () => stack.database.sql`
      select a.id::text as id, a.origin, a.name, a.street, a.postal_code, a.city from simon.work_addresses a join simon.customers c on c.id = a.customer_id
      where c.tenant_id = ${tenant} and c.external_id = '10012' order by a.created_at, a.id`;
    const before = await addressesOf();
    const deliveryRow = before.find((a) => a.origin === 'delivery-address')!;
    const bouwplaats = { line1: 'Bouwplaats De Hoven', line2: 'Industrieweg 3', postalCode: '6710 AB', city: 'Ede', country: { id: 'NL', name: 'Nederland' } };
    fake.data.salesOrders.push(
      // The customer's delivery address, written differently (case, postal code without its space): the same place.
      order({
        orderId: '000911', description: 'Simon: cv-ketel onderhoud', customer: { id: '10012', name: raw.name, order: null, refNo: 'REF-911' },
        shipping: { address: { line1: delivery.addressLine1!.toUpperCase(), postalCode: delivery.postalCode!.replace(' ', ''), city: delivery.city, country: delivery.country }, contact: null },
      }),
      order({
        orderId: '000912', description: 'Simon: nieuwbouw fase 1', customer: { id: '10012', name: raw.name, order: null, refNo: null },
        shipping: { address: bouwplaats, contact: { name: 'Uitvoerder Piet' } },
      }),
    );
    expect(await runImport()).toMatchObject({ imported: 2, alreadyImported: 2 });
    // A second order to the new place, in a later run: the address made from 000912 is used again, not doubled.
    fake.data.salesOrders.push(order({
      orderId: '000913', description: 'Simon: nieuwbouw fase 2', customer: { id: '10012', name: raw.name, order: null, refNo: null },
      shipping: { address: { ...bouwplaats, line1: 'BOUWPLAATS DE HOVEN' }, contact: null },
    }));
    expect(await runImport()).toMatchObject({ imported: 1, alreadyImported: 4 });

    const after = await addressesOf();
    expect(after).toHaveLength(before.length + 1);
    const added = after.find((a) => a.origin === 'quote-address')!;
    expect(added).toMatchObject({ name: 'Uitvoerder Piet', street: 'Bouwplaats De Hoven, Industrieweg 3', postal_code: '6710 AB', city: 'Ede' });

    const byQuote = Object.fromEntries((await imported()).map((w) => [w.sourceQuoteId, w]));
    expect(byQuote['SO/000911']).toMatchObject({
      number: 'OF-000911', customerReference: 'REF-911', workAddressId: deliveryRow.id,
      origin: { provider: 'visma-net', kind: 'salesOrder', kindLabel: 'Verkooporder', quoteId: 'SO/000911', quoteNumber: '000911' },
      workAddress: { id: deliveryRow.id, street: delivery.addressLine1, city: delivery.city, origin: 'delivery-address', originLabel: 'Afleveradres', active: true },
    });
    expect(byQuote['SO/000912']).toMatchObject({
      workAddressId: added.id, customerReference: null,
      origin: { kind: 'salesOrder', quoteId: 'SO/000912', quoteNumber: '000912' },
      workAddress: { id: added.id, name: 'Uitvoerder Piet', street: 'Bouwplaats De Hoven, Industrieweg 3', postalCode: '6710 AB', city: 'Ede', origin: 'quote-address', originLabel: 'Adres van offerte/order' },
    });
    expect(byQuote['SO/000913'].workAddress.id).toBe(added.id);
    expect(Date.parse(byQuote['SO/000913'].origin.importedAt)).toBeGreaterThan(0);
    // An order without a shipping address keeps the manuals' default: no work address; its origin is still named.
    expect(byQuote['SO/000901']).toMatchObject({ workAddressId: null, workAddress: null, origin: { quoteId: 'SO/000901', kind: 'salesOrder' } });

    // One log entry for the one address added, in the manual's words.
    const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Werkadres&limit=200`, undefined, tokens.support);
    const fromOrders = log.body.entries.filter((e: { providerId: string | null }) => e.providerId?.startsWith('SO/'));
    expect(fromOrders.map((e: { message: string; simonId: string; providerId: string }) => [e.message, e.simonId, e.providerId]))
      .toEqual([['Toevoegen Werkadres in Simon gelukt', added.id, 'SO/000912']]);
  });
});

describe('secrets', () => {
  it('keeps the Visma Connect tokens out of API responses, the log and every workflow history of the tenant', async () => {
    const secrets = [...fake.state.connect.accessTokens.keys(), ...fake.state.connect.refreshTokens.keys()];
    expect(secrets.length).toBeGreaterThan(0);
    const logs = JSON.stringify(await stack.database.sql`select message, action from integration.log_entries where tenant_id = ${tenant}`);
    const seen = responses.join('\n');
    let histories = 0;
    for await (const wf of stack.client.workflow.list({ query: `TenantId = "${tenant}"` })) {
      const history = JSON.stringify(await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
      for (const s of secrets) expect(history).not.toContain(s);
      histories++;
    }
    for (const s of secrets) {
      expect(seen).not.toContain(s);
      expect(logs).not.toContain(s);
    }
    expect(histories).toBeGreaterThan(5);
  });
});
