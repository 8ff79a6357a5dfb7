import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_VISMA_CLIENT } from '../../fakes/visma-net/connect.js';
import { fakeSalesOrder, noVismaFaults, startFakeVismaNet, type FakeVismaNet } from '../../fakes/visma-net/server.js';
import { VISMA_SCOPES } from '../../lib/oauth.js';

/**
 * The fake Visma.net refuses what the real services refuse (docs/providers/visma-net.md §3, §4, §10), one rule per
 * test, in raw HTTP: so a connector that sends the old, wrong requests cannot pass against it.
 */
let fake: FakeVismaNet;
let token: string;

async function tokenFor(scope: string): Promise<string> {
  const authorize = new URL(`${fake.connectUrl}authorize`);
  for (const [k, v] of Object.entries({ client_id: DEFAULT_VISMA_CLIENT.clientId, redirect_uri: 'http://simon.test/cb', response_type: 'code', response_mode: 'query', scope, state: 's' })) {
    authorize.searchParams.set(k, v);
  }
  const consent = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const res = await fetch(`${fake.connectUrl}token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://simon.test/cb', client_id: DEFAULT_VISMA_CLIENT.clientId, client_secret: DEFAULT_VISMA_CLIENT.clientSecret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(base: 'erp' | 'v3', method: string, path: string, body?: unknown, headers: Record<string, string> = {}, bearer = token) {
  const url = `${base === 'erp' ? fake.url.replace(/\/v1\/$/, '/') : fake.salesOrderUrl.replace(/\/api\/v3\/$/, '/')}${path}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

const order = (over: Record<string, unknown> = {}) => ({
  type: 'SO', customer: { id: '10001' }, status: 'Hold', description: 'Werkbon WB-1',
  orderLines: [{ inventoryId: 'SIMONWERK', quantity: 2, description: 'Werktijd', unitPrice: 60, hasManualPrice: true, warehouseId: 'BUS1' }],
  ...over,
});
const validation = (r: { status: number; body: any }, code: string) => {
  expect(r.status).toBe(400);
  expect(r.body.details[0].code).toBe(code);
};

beforeAll(async () => {
  fake = await startFakeVismaNet({ seed: { customers: 30, nonStockItems: 5, otherItems: 4 } });
  token = await tokenFor(VISMA_SCOPES);
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  Object.assign(fake.faults, noVismaFaults());
  fake.state.retiredSalesOrders = 'throttled';
});

describe('SalesOrders V3: create', () => {
  it('creates with plain values: 201, Location on the V3 origin, ETag; a price sticks only with hasManualPrice', async () => {
    const r = await call('v3', 'POST', 'api/v3/SalesOrders', order({
      customFields: { customStr5: 'simon-abc' },
      orderLines: [
        { inventoryId: 'SIMONWERK', quantity: 2, unitPrice: 60, hasManualPrice: true },
        { inventoryId: 'SIMONREIS', quantity: 1, unitPrice: 10 },
      ],
    }));
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toMatch(new RegExp(`^${fake.salesOrderUrl}SalesOrders/SO/\\d{6}$`));
    expect(r.headers.get('etag')).toBe('"1"');
    const created = fake.data.salesOrders.at(-1)!;
    expect(created).toMatchObject({ status: 'Hold', customFields: { customStr5: 'simon-abc' } });
    expect(created.lines.map((l) => l.unitPrice)).toEqual([60, 45]);
  });

  it('refuses a field wrapped as { value } (the ERP style)', async () => {
    const before = fake.data.salesOrders.length;
    const r = await call('v3', 'POST', 'api/v3/SalesOrders', order({ type: { value: 'SO' } }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('plain value');
    expect(fake.data.salesOrders).toHaveLength(before);
  });

  it('refuses an unknown property at any level (additionalProperties: false)', async () => {
    expect((await call('v3', 'POST', 'api/v3/SalesOrders', order({ hold: true }))).body.detail).toContain("'hold'");
    const inLine = await call('v3', 'POST', 'api/v3/SalesOrders', order({ orderLines: [{ inventoryId: 'SIMONWERK', inventoryNumber: 'SIMONWERK' }] }));
    expect(inLine.status).toBe(400);
    expect(inLine.body.errors).toHaveProperty(['orderLines[0].inventoryNumber']);
  });

  it('refuses an order without customer', async () => {
    const { customer: _, ...rest } = order();
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', rest), '0001-Required');
  });

  it('refuses an order without type', async () => {
    const { type: _, ...rest } = order();
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', rest), '0001-Required');
  });

  it('refuses a line without inventoryId', async () => {
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ orderLines: [{ quantity: 1 }] })), '0001-Required');
  });

  it('refuses a customer.order over 40 characters', async () => {
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ customer: { id: '10001', order: 'x'.repeat(41) } })), '0002-InvalidLength');
  });

  it('refuses a status other than null, "", Open or Hold on create', async () => {
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ status: 'Completed' })), '0003-InvalidValue');
  });

  it("refuses the v1 line operation 'Insert' (in V3 it is the stock direction Issue/Receipt)", async () => {
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ orderLines: [{ inventoryId: 'SIMONWERK', operation: 'Insert' }] })), '0003-InvalidValue');
  });

  it('refuses an unknown or inactive warehouse, an unknown item and an inactive customer with their codes', async () => {
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ orderLines: [{ inventoryId: 'SIMONWERK', warehouseId: 'OUD' }] })), '1802-InvalidWarehouseId');
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ orderLines: [{ inventoryId: 'NERGENS' }] })), '1804-InventoryIdNotFound');
    validation(await call('v3', 'POST', 'api/v3/SalesOrders', order({ customer: { id: '10020' } })), '1407-InvalidCustomerStatus');
  });
});

describe('SalesOrders V3: read and change', () => {
  let orderId: string;
  beforeAll(async () => {
    const r = await call('v3', 'POST', 'api/v3/SalesOrders', order({ customer: { id: '10002', order: 'PO-1', refNo: 'REF' }, note: 'Notitie', customFields: { customStr5: 'simon-read' } }));
    orderId = r.headers.get('location')!.split('/').pop()!;
  });

  it('fills note, customer, attachments and customFields only when expanded', async () => {
    const plain = await call('v3', 'GET', `api/v3/SalesOrders/SO/${orderId}`);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('note');
    expect(plain.body).not.toHaveProperty('customFields');
    expect(plain.body.status).toEqual({ description: 'Hold', cancelled: false, hold: true });
    const full = await call('v3', 'GET', `api/v3/SalesOrders/SO/${orderId}?expand=Note,CustomFields&expand=Attachments`);
    expect(full.body).toMatchObject({ note: 'Notitie', customFields: { customStr5: 'simon-read' }, attachments: [] });
    expect((await call('v3', 'GET', `api/v3/SalesOrders/SO/${orderId}?expand=Everything`)).status).toBe(400);
  });

  it('lists {value, nextPage, totalCount} by zero-based pageIndex, filtered by customer and modifiedSince; expand caps the page at 100', async () => {
    for (let i = 0; i < 3; i++) await call('v3', 'POST', 'api/v3/SalesOrders', order({ customer: { id: '10003' } }));
    const first = await call('v3', 'GET', 'api/v3/SalesOrders/SO?customerId=10003&pageSize=2&pageIndex=0');
    expect(first.body.value).toHaveLength(2);
    expect(first.body.totalCount).toBe(3);
    expect(first.body.value[0]).toMatchObject({ customerId: '10003', status: 'Hold' });
    expect(new URL(first.body.nextPage).searchParams.get('pageIndex')).toBe('1');
    const second = await call('v3', 'GET', 'api/v3/SalesOrders/SO?customerId=10003&pageSize=2&pageIndex=1');
    expect(second.body).toMatchObject({ nextPage: null, totalCount: 3 });
    const later = await call('v3', 'GET', `api/v3/SalesOrders/SO?customerId=10003&modifiedSince=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(later.body.value).toEqual([]);
    fake.data.salesOrders.push(...Array.from({ length: 120 }, (_, i) => fakeSalesOrder({ orderId: `X${i}`, customer: { id: '10004', name: 'x', order: null, refNo: null } })));
    const capped = await call('v3', 'GET', 'api/v3/SalesOrders/SO?customerId=10004&pageSize=500&expand=CustomFields');
    expect(capped.body.value).toHaveLength(100);
    expect(capped.body.value[0].customFields).toBeDefined();
  });

  it('refuses paging out of range and the ERP paging names on V3', async () => {
    expect((await call('v3', 'GET', 'api/v3/SalesOrders/SO?pageSize=0')).status).toBe(400);
    expect((await call('v3', 'GET', 'api/v3/SalesOrders/SO?pageIndex=-1')).status).toBe(400);
    expect((await call('v3', 'GET', 'api/v3/SalesOrders/SO?pageNumber=1')).status).toBe(400);
    expect((await call('v3', 'GET', 'api/v3/SalesOrders/SO?orderBy=number')).status).toBe(400);
  });

  it('serves the lines from /lines, paged', async () => {
    const r = await call('v3', 'GET', `api/v3/SalesOrders/SO/${orderId}/lines`);
    expect(r.body).toMatchObject({ totalCount: 1, nextPage: null });
    expect(r.body.value[0]).toMatchObject({ inventory: { id: 'SIMONWERK' }, quantity: 2, unitPrice: 60, warehouseId: 'BUS1' });
  });

  it('refuses a change without If-Match (428) and with a stale one (412); a current one bumps the ETag', async () => {
    expect((await call('v3', 'PATCH', `api/v3/SalesOrders/SO/${orderId}`, { description: 'x' })).status).toBe(428);
    expect((await call('v3', 'DELETE', `api/v3/SalesOrders/SO/${orderId}`)).status).toBe(428);
    const current = (await call('v3', 'GET', `api/v3/SalesOrders/SO/${orderId}`)).headers.get('etag')!;
    expect((await call('v3', 'PATCH', `api/v3/SalesOrders/SO/${orderId}`, { description: 'x' }, { 'if-match': '"999"' })).status).toBe(412);
    const ok = await call('v3', 'PATCH', `api/v3/SalesOrders/SO/${orderId}`, { description: 'Gewijzigd' }, { 'if-match': current });
    expect(ok.status).toBe(202);
    expect(ok.headers.get('etag')).not.toBe(current);
    expect((await call('v3', 'PATCH', `api/v3/SalesOrders/SO/${orderId}`, { description: 'y' }, { 'if-match': current })).status).toBe(412);
  });

  it('refuses a token without the salesorder scopes with 403', async () => {
    const erpOnly = await tokenFor('openid offline_access vismanet_erp_interactive_api:read vismanet_erp_interactive_api:create');
    expect((await call('v3', 'GET', 'api/v3/SalesOrders/SO', undefined, {}, erpOnly)).status).toBe(403);
    const readOnly = await tokenFor('visma.net.erp.salesorder:read');
    expect((await call('v3', 'GET', 'api/v3/SalesOrders/SO', undefined, {}, readOnly)).status).toBe(200);
    expect((await call('v3', 'POST', 'api/v3/SalesOrders', order(), {}, readOnly)).status).toBe(403);
    expect((await call('erp', 'GET', 'v1/organization', undefined, {}, readOnly)).status).toBe(403);
  });

  it('answers unknown V3 paths with 404 ProblemDetails and keeps the ERP paths off its origin', async () => {
    const unknown = await call('v3', 'GET', 'api/v3/SalesOrderz');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, title: expect.any(String) });
    expect((await call('v3', 'GET', 'v1/customer?pageNumber=1&pageSize=1')).status).toBe(404);
    expect((await call('erp', 'GET', 'api/v3/SalesOrders')).status).toBe(404);
  });
});

describe('ERP API', () => {
  it.each(['v1/salesorder', 'v1/salesorder/SO/000001', 'v1/salesorderbasic', 'v2/salesorder', 'v2/salesorderbasic'])(
    'answers the retired %s with 429 and policy 8-fixed-window, writing nothing',
    async (path) => {
      const before = fake.data.salesOrders.length;
      const r = await call('erp', 'POST', path, { orderType: { value: 'SO' }, customer: { value: '10001' } });
      expect(r.status).toBe(429);
      expect(r.headers.get('x-ratelimit-policy')).toBe('8-fixed-window');
      expect(fake.data.salesOrders).toHaveLength(before);
      expect(fake.state.retiredCalls.at(-1)).toBe(`POST /${path}`);
    },
  );

  it('answers the retired endpoints with 404 once they are shut down', async () => {
    fake.state.retiredSalesOrders = 'shut-down';
    expect((await call('erp', 'GET', 'v1/salesorder?orderType=SO&pageNumber=1&pageSize=10')).status).toBe(404);
  });

  it('refuses the deprecated POST v1/customerinvoice', async () => {
    const before = fake.data.invoices.length;
    const r = await call('erp', 'POST', 'v1/customerinvoice', { customerNumber: { value: '10001' } });
    expect(r.status).toBe(410);
    expect(r.body.ExceptionMessage).toContain('v2/customerinvoice');
    expect(fake.data.invoices).toHaveLength(before);
  });

  it('creates a customer invoice through POST v2/customerinvoice: 201, ETag, Location under v1', async () => {
    const r = await call('erp', 'POST', 'v2/customerinvoice', {
      customerNumber: { value: '10001' }, hold: { value: true }, externalReference: { value: 'simon-inv' },
      invoiceLines: [{ operation: 'Insert', inventoryNumber: { value: 'SIMONWERK' }, quantity: { value: 1 } }],
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toMatch(/\/v1\/customerinvoice\/\d{6}$/);
    expect(r.headers.get('etag')).toBe('"1"');
  });

  it('refuses an unknown field and an unwrapped field in an invoice', async () => {
    const unknown = await call('erp', 'POST', 'v2/customerinvoice', { customerNumber: { value: '10001' }, customerOrder: { value: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.ExceptionMessage).toContain("'customerOrder'");
    expect((await call('erp', 'POST', 'v2/customerinvoice', { customerNumber: '10001' })).body.ExceptionMessage).toContain('"value"');
  });

  it.each(['customer', 'inventory', 'inventory/itemClass', 'warehouse', 'salesordertype', 'customerinvoice'])('refuses the paged listing %s without pageNumber/pageSize', async (path) => {
    const r = await call('erp', 'GET', `v1/${path}`);
    expect(r.status).toBe(400);
    expect(r.body.ExceptionMessage).toContain('pageNumber');
    const ok = await call('erp', 'GET', `v1/${path}?pageNumber=1&pageSize=2`);
    expect(ok.status).toBe(200);
    if (ok.body.length > 0) expect(ok.body[0].metadata).toMatchObject({ totalCount: expect.any(Number), maxPageSize: 1000 });
  });

  it('has no context endpoint: resources/v1/context is a 404', async () => {
    expect((await call('erp', 'GET', 'resources/v1/context')).status).toBe(404);
  });

  it("answers GET organization with the token's company", async () => {
    const r = await call('erp', 'GET', 'v1/organization');
    expect(r.body).toEqual([expect.objectContaining({ organizationCd: 'SIMON', name: 'ISV - Simple Simon' })]);
  });

  it("filters items with inventoryTypes and refuses the guessed 'itemType'", async () => {
    const r = await call('erp', 'GET', 'v1/inventory?inventoryTypes=NonStockItem&pageNumber=1&pageSize=100&expandNote=false');
    expect(r.body.every((i: { type: string }) => i.type === 'NonStockItem')).toBe(true);
    expect(r.body).toHaveLength(8);
    expect((await call('erp', 'GET', 'v1/inventory?itemType=NonStockItem&pageNumber=1&pageSize=100')).status).toBe(400);
    expect((await call('erp', 'GET', 'v1/inventory?inventoryTypes=Stock&pageNumber=1&pageSize=100')).status).toBe(400);
  });

  it('refuses a change filter without its condition, or with a wrong operator', async () => {
    expect((await call('erp', 'GET', 'v1/customer?lastModifiedDateTime=2025-01-01&pageNumber=1&pageSize=10')).status).toBe(400);
    expect((await call('erp', 'GET', 'v1/customer?lastModifiedDateTime=2025-01-01&lastModifiedDateTimeCondition=%3D%3D&pageNumber=1&pageSize=10')).status).toBe(400);
    expect((await call('erp', 'GET', 'v1/customer?lastModifiedDateTime=2025-01-01&lastModifiedDateTimeCondition=%3E%3D&pageNumber=1&pageSize=10')).status).toBe(200);
  });

  it('lists invoices by externalReference, with attachments only when expandAttachments=true', async () => {
    const r = await call('erp', 'GET', 'v1/customerinvoice?externalReference=simon-inv&pageNumber=1&pageSize=10');
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).not.toHaveProperty('attachments');
    const expanded = await call('erp', 'GET', 'v1/customerinvoice?externalReference=simon-inv&expandAttachments=true&pageNumber=1&pageSize=10');
    expect(expanded.body[0].attachments).toEqual([]);
  });

  it('answers an unknown ERP endpoint with 404 and a wrong method with 405', async () => {
    expect((await call('erp', 'GET', 'v1/salesorders')).status).toBe(404);
    expect((await call('erp', 'DELETE', 'v1/customer/10001')).status).toBe(403);
    expect((await call('erp', 'PUT', 'v1/customer/10001', {})).status).toBe(405);
  });

  it("answers in a form that POSTs to the redirect URI unless the client asks for response_mode=query (Visma's default form_post)", async () => {
    const authorize = new URL(`${fake.connectUrl}authorize?client_id=${DEFAULT_VISMA_CLIENT.clientId}&redirect_uri=http://x/cb&response_type=code&scope=openid&state=abc`);
    const page = await fetch(authorize, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('location')).toBeNull();
    const html = await page.text();
    expect(html).toContain('<form method="post" action="http://x/cb">');
    expect(html).toMatch(/name="code" value="[A-Za-z0-9_-]+"/);
    expect(html).toContain('name="state" value="abc"');
    authorize.searchParams.set('response_mode', 'fragment');
    expect((await fetch(authorize, { redirect: 'manual' })).status).toBe(400);
  });

  it('answers the openid scope with an ID token naming its own origin as issuer and the client as audience', async () => {
    const exchange = async (scope: string) => {
      const authorize = new URL(`${fake.connectUrl}authorize?client_id=${DEFAULT_VISMA_CLIENT.clientId}&redirect_uri=http://x/cb&response_type=code&response_mode=query`);
      authorize.searchParams.set('scope', scope);
      const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
      const res = await fetch(`${fake.connectUrl}token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://x/cb', client_id: DEFAULT_VISMA_CLIENT.clientId, client_secret: DEFAULT_VISMA_CLIENT.clientSecret }),
      });
      return (await res.json()) as { id_token?: string };
    };
    const { id_token: idToken } = await exchange('openid offline_access');
    const [header, claims] = idToken!.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header.alg).toBe('RS256');
    expect(claims).toMatchObject({ iss: new URL(fake.connectUrl).origin, aud: DEFAULT_VISMA_CLIENT.clientId, sub: 'beheerder@simon.example' });
    expect((await exchange('offline_access')).id_token).toBeUndefined();
  });

  it('keeps a re-used refresh token valid in the "reuse" mode', async () => {
    fake.state.connect.refreshMode = 'reuse';
    try {
      const authorize = new URL(`${fake.connectUrl}authorize?client_id=${DEFAULT_VISMA_CLIENT.clientId}&redirect_uri=http://x/cb&response_type=code&response_mode=query&scope=openid`);
      const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
      const form = (f: Record<string, string>) => fetch(`${fake.connectUrl}token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...f, client_id: DEFAULT_VISMA_CLIENT.clientId, client_secret: DEFAULT_VISMA_CLIENT.clientSecret }),
      }).then((r) => r.json() as Promise<{ refresh_token: string }>);
      const first = await form({ grant_type: 'authorization_code', code, redirect_uri: 'http://x/cb' });
      const again = await form({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(again.refresh_token).toBe(first.refresh_token);
      fake.state.connect.refreshGraceSeconds = 0;
      expect((await form({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).refresh_token).toBe(first.refresh_token);
    } finally {
      fake.state.connect.refreshMode = 'one-time';
      fake.state.connect.refreshGraceSeconds = 60;
    }
  });
});
