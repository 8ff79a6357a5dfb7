import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { createConnector } from '../../connectors/index.js';
import {
  attachmentPath,
  createVismaNetConnector,
  documentFromLocation,
  mapCustomer,
  originalSalesOrderNumber,
  type VismaNetConnector,
} from '../../connectors/visma-net/connector.js';
import { DEFAULT_VISMA_CLIENT } from '../../fakes/visma-net/connect.js';
import {
  emptyData,
  noVismaFaults,
  seedVismaNet,
  startFakeVismaNet,
  touch,
  vismaTimestamp,
  type FakeVismaNet,
  type FakeVismaSalesOrder,
} from '../../fakes/visma-net/server.js';
import type { ConnectorContext, DocumentDraft, OAuthConnectorFactory, ProviderCredentials } from '../../connectors/types.js';
import { ReconnectRequiredError, VISMA_SCOPES, oauthConfig, pkcePair } from '../../lib/oauth.js';
import { createOAuthClient } from '../../connectors/oauth.js';
import { parseEnv } from '../../lib/env.js';

const createVismaNetOAuth = (o: { connectBaseUrl: string; clientId: string; clientSecret: string }) =>
  createOAuthClient(oauthConfig(parseEnv({ VISMA_CONNECT_BASE_URL: o.connectBaseUrl, VISMA_CLIENT_ID: o.clientId, VISMA_CLIENT_SECRET: o.clientSecret }), 'visma-net')!);
import { settingsSchema, type Settings } from '../../lib/settings.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

const redirectUri = 'http://simon.test/v1/oauth/visma-net/callback';
const COMPANY = '1234567';

const settingsFor = (over: Record<string, unknown> = {}): Settings =>
  settingsSchema.parse({
    provider: 'visma-net', termsAccepted: true, workTimeArticle: 'SIMONWERK', travelTimeArticle: 'SIMONREIS', defaultArticle: 'SIMONVOORR',
    excludeFilterWord: '', companyId: COMPANY, memo: 'workAddressAndDescription', customerReference: 'both', attachments: 'none',
    documentType: 'salesOrder', warehouse: { perUser: true, byUser: { 'user-jan': 'BUS1' }, default: 'HOOFD' }, ...over,
  });

function oauthOf(fake: FakeVismaNet, client = DEFAULT_VISMA_CLIENT): OAuthConnectorFactory {
  return createVismaNetOAuth({ connectBaseUrl: fake.connectUrl, clientId: client.clientId, clientSecret: client.clientSecret });
}

/** What the browser does at Visma Connect (sign on, pick the company, consent), and the exchange a worker does. */
async function signOn(fake: FakeVismaNet, oauth = oauthOf(fake)): Promise<ProviderCredentials> {
  const { verifier, challenge } = pkce();
  const res = await fetch(oauth.authorizeUrl('state-1', redirectUri, challenge), { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('state-1');
  return oauth.exchangeCode(back.searchParams.get('code')!, redirectUri, verifier);
}

const pkce = pkcePair;

function draftFor(reference: string, overrides: Partial<DocumentDraft> = {}): DocumentDraft {
  return {
    reference,
    workOrderId: 'wo-1',
    workOrderNumber: 'WB-1001',
    date: '2026-11-23',
    customer: { externalId: '10001', name: 'Klant 10001' },
    lines: [
      { kind: 'article', role: 'work-time', articleExternalId: '100', articleCode: 'SIMONWERK', description: 'Werktijd', quantity: 2, unitPrice: null },
      { kind: 'article', role: 'travel-time', articleExternalId: '101', articleCode: 'SIMONREIS', description: 'Reistijd', quantity: 0.25, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: '103', articleCode: 'M1001', description: 'Kogelkraan 15 mm', quantity: 3, unitPrice: '4.25' },
      { kind: 'article', role: 'default', articleExternalId: '102', articleCode: 'SIMONVOORR', description: 'Voorrijkosten', quantity: 1, unitPrice: null },
    ],
    paymentReference: null,
    descriptionLines: [],
    memo: 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven\nCV-ketel maakt geluid',
    customerReference: 'WB-1001 / REF-7',
    warehouse: 'BUS1',
    documentType: 'salesOrder',
    ...overrides,
  };
}

connectorContract('Visma.net', async () => {
  // Non-Stock items only, so the pages of the listing are the pages of the articles (the filter is tested below).
  const fake = await startFakeVismaNet({ seed: { nonStockItems: 97, otherItems: 0, customers: 250 } });
  const credentials = await signOn(fake);
  return {
    connector: createConnector('visma-net', { baseUrl: fake.url, credentials, settings: settingsFor() }),
    badCredentials: createConnector('visma-net', { baseUrl: fake.url, credentials: { accessToken: 'not-a-token', refreshToken: 'nope' } }),
    expected: { customers: 250, articles: 100, articleGroups: 2 },
    draft: (reference) => draftFor(reference),
    stop: () => fake.stop(),
  };
});

describe('Visma.net connector against the fake', () => {
  let fake: FakeVismaNet;
  let credentials: ProviderCredentials;
  const connect = (over: Partial<ConnectorContext> = {}): VismaNetConnector =>
    createVismaNetConnector({ baseUrl: fake.url, credentials, settings: settingsFor(), ...over });
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);

  beforeAll(async () => {
    fake = await startFakeVismaNet({ seed: { nonStockItems: 20, otherItems: 4, customers: 30 } });
    credentials = await signOn(fake);
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    Object.assign(fake.faults, noVismaFaults());
    fake.state.rateWindows = {};
    fake.state.rateLimit = 100_000;
    fake.state.maxPageSize = 1000;
  });

  describe('Visma Connect (OAuth2 code flow with PKCE)', () => {
    it('sends the admin to /connect/authorize with client, redirect, scopes, state and an S256 challenge', () => {
      const url = new URL(oauthOf(fake).authorizeUrl('st', redirectUri, 'challenge-x'));
      expect(url.pathname).toBe('/connect/authorize');
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        response_type: 'code', client_id: DEFAULT_VISMA_CLIENT.clientId, redirect_uri: redirectUri, scope: VISMA_SCOPES, state: 'st',
        code_challenge: 'challenge-x', code_challenge_method: 'S256',
      });
    });

    it('exchanges the code for tokens bound to the company chosen at sign-on', async () => {
      const tokens = await signOn(fake);
      expect(tokens.accessToken).toBeTruthy();
      expect(tokens.refreshToken).toBeTruthy();
      expect(Date.parse(tokens.expiresAt)).toBeGreaterThan(Date.now());
      expect(await connect({ credentials: tokens }).verifyConnection()).toEqual({ label: 'ISV - Simple Simon (1234567)' });

      fake.state.connect.signOn.companyId = '7654321';
      try {
        const other = await signOn(fake);
        expect(await connect({ credentials: other }).verifyConnection()).toEqual({ label: 'Simon Installatietechniek B.V. (7654321)' });
      } finally {
        fake.state.connect.signOn.companyId = null;
      }
    });

    it('refuses a code twice, a wrong PKCE verifier and an unknown client', async () => {
      const oauth = oauthOf(fake);
      const { challenge } = pkce();
      const res = await fetch(oauth.authorizeUrl('s', redirectUri, challenge), { redirect: 'manual' });
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
      const wrong = await failure(oauth.exchangeCode(code, redirectUri, 'w'.repeat(43)));
      expect(wrong).toBeInstanceOf(ReconnectRequiredError);
      expect(wrong.providerMessage).toContain('code_verifier');

      const tokens = await signOn(fake);
      expect(tokens.accessToken).toBeTruthy();
      const badClient = await failure(signOn(fake, oauthOf(fake, { clientId: 'simon-dev', clientSecret: 'wrong' })));
      expect(badClient).toMatchObject({ kind: 'auth', retryable: false });
      expect(badClient.message).toContain('client id of secret onjuist');
    });

    it('refreshes with the refresh token and keeps working when the access token went stale', async () => {
      const oauth = oauthOf(fake);
      let stored = await signOn(fake, oauth);
      let refreshes = 0;
      const connector = connect({
        credentials: stored,
        refreshCredentials: async (stale) => {
          refreshes++;
          stored = await oauth.refresh(stale);
          return stored;
        },
      });
      expect((await connector.listCustomers({ cursor: null, since: null, pageSize: 5 })).records).toHaveLength(5);
      fake.expireAccessTokens(stored.accessToken);
      const posts = fake.state.connect.connectRequests['POST token'] ?? 0;
      expect((await connector.listCustomers({ cursor: null, since: null, pageSize: 5 })).records).toHaveLength(5);
      expect(refreshes).toBe(1);
      expect(fake.state.connect.connectRequests['POST token']).toBe(posts + 1);

      // A revoked refresh token: the admin must connect again.
      fake.state.connect.refreshTokens.get(stored.refreshToken)!.revoked = true;
      fake.expireAccessTokens(stored.accessToken);
      const err = await failure(connector.listCustomers({ cursor: null, since: null, pageSize: 5 }));
      expect(err).toBeInstanceOf(ReconnectRequiredError);
      expect(err.retryable).toBe(false);
    });
  });

  describe('customers, articles and groups', () => {
    it('maps main, invoice and delivery address to work addresses with their origin, without doubles', async () => {
      const { records } = await listAll((req) => connect().listCustomers(req), 10);
      const byNumber = new Map(records.map((c) => [c.number, c]));
      // 10012: every 3rd and every 4th → a different invoice and delivery address.
      const three = byNumber.get('10012')!;
      expect(three.workAddresses.map((w) => w.origin)).toEqual(['customer-address', 'invoice-address', 'delivery-address']);
      const raw = fake.data.customers.find((c) => c.number === '10012')!;
      expect(three.address).toMatchObject({ street: raw.mainAddress!.addressLine1, postalCode: raw.mainAddress!.postalCode, city: raw.mainAddress!.city, country: 'Nederland' });
      expect(three.workAddresses[1].address).toMatchObject({ street: raw.invoiceAddress!.addressLine1, city: raw.invoiceAddress!.city });
      expect(three.email).toBe(raw.mainContact!.email);
      // 10005: invoice address equal to the main address → one work address (SPEC §14.16).
      expect(byNumber.get('10005')!.workAddresses.map((w) => w.origin)).toEqual(['customer-address']);
      // 10001: only a main address.
      expect(byNumber.get('10001')!.workAddresses.map((w) => w.origin)).toEqual(['customer-address']);
      expect(byNumber.get('10020')!.active).toBe(false);
      expect(records.filter((c) => c.active)).toHaveLength(29);
    });

    it('treats an address that differs only in case and spacing as the same one', () => {
      const c = mapCustomer({
        number: '1', name: 'X', status: 'Active',
        mainAddress: { addressLine1: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven' },
        invoiceAddress: { addressLine1: 'dunantstraat  140', postalCode: '2131RT', city: 'EINDHOVEN' },
        deliveryAddress: { addressLine1: null, postalCode: null, city: null },
      });
      expect(c.workAddresses.map((w) => w.origin)).toEqual(['customer-address']);
    });

    it('imports Non-Stock items only, with the item class as article group', async () => {
      const { records } = await listAll((req) => connect().listArticles(req), 7);
      expect(records).toHaveLength(23);
      const codes = records.map((a) => a.code);
      expect(codes).toEqual(expect.arrayContaining(['SIMONWERK', 'SIMONREIS', 'SIMONVOORR', 'M1001']));
      expect(codes).not.toContain('X501'); // LaborItem "Arbeid monteur"
      expect(codes.some((c) => c.startsWith('X'))).toBe(false);
      expect(records.find((a) => a.code === 'SIMONWERK')).toMatchObject({ description: 'Werktijd', salesPrice: '62.5', unit: 'UUR', groupExternalId: 'TIJD', active: true });
      expect(records.find((a) => a.code === 'SIMONVOORR')!.groupExternalId).toBeNull();

      const groups = await listAll((req) => connect().listArticleGroups(req), 10);
      expect(groups.records.map((g) => [g.externalId, g.description])).toEqual([['TIJD', 'Tijden'], ['MAT', 'Materialen']]);
    });

    it('pages with pageNumber/pageSize, follows a capped page size, and reports the total', async () => {
      fake.state.maxPageSize = 4;
      const before = fake.state.requests['GET customer'] ?? 0;
      const { records, pages, total } = await listAll((req) => connect().listCustomers(req), 100);
      expect(records).toHaveLength(30);
      expect(new Set(records.map((c) => c.externalId)).size).toBe(30);
      expect(pages).toBe(8);
      expect(total).toBe(30);
      expect(fake.state.requests['GET customer']).toBe(before + 8);
    });

    it('lists only what changed after the high-water mark of the previous listing', async () => {
      const connector = connect();
      let cursor: string | null = null;
      let mark: string | null | undefined;
      do {
        const page: Awaited<ReturnType<typeof connector.listCustomers>> = await connector.listCustomers({ cursor, since: null, pageSize: 12 });
        cursor = page.nextCursor;
        if (page.highWaterMark !== undefined) mark = page.highWaterMark;
      } while (cursor !== null);
      expect(mark).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

      const nothing = await connector.listCustomers({ cursor: null, since: mark!, pageSize: 12 });
      expect(nothing.records).toEqual([]);
      expect(nothing.nextCursor).toBeNull();

      const renamed = fake.data.customers.find((c) => c.number === '10002')!;
      renamed.name = 'Garage Gewijzigd';
      touch(renamed);
      const deactivated = fake.data.customers.find((c) => c.number === '10003')!;
      deactivated.status = 'Inactive';
      touch(deactivated);
      const changed = await connector.listCustomers({ cursor: null, since: mark!, pageSize: 12 });
      expect(changed.records.map((c) => [c.number, c.name, c.active])).toEqual([['10002', 'Garage Gewijzigd', true], ['10003', deactivated.name, false]]);
      expect(changed.highWaterMark! >= mark!).toBe(true);
    });

    it('is refused without paging parameters, as the API makes them mandatory', async () => {
      const res = await fetch(`${fake.url}customer`, { headers: { authorization: `Bearer ${credentials.accessToken}` } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { ExceptionMessage: string }).ExceptionMessage).toContain('pageNumber');
    });
  });

  describe('rate limits and errors', () => {
    it('reads X-RateLimit-* and waits for the window instead of spending a call when none are left', async () => {
      fake.state.rateLimit = 3;
      const connector = connect();
      await connector.listCustomers({ cursor: null, since: null, pageSize: 5 });
      expect(connector.rateLimit).toMatchObject({ limit: 3, remaining: 2 });
      await connector.listCustomers({ cursor: null, since: null, pageSize: 5 });
      await connector.listCustomers({ cursor: null, since: null, pageSize: 5 });
      expect(connector.rateLimit!.remaining).toBe(0);
      const before = fake.state.requestCount;
      const err = await failure(connector.listCustomers({ cursor: null, since: null, pageSize: 5 }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(3_000_000);
      expect(fake.state.requestCount).toBe(before);
    });

    it("honours a 429's Retry-After as a retryable failure", async () => {
      fake.faults.failNext.push({ status: 429, path: 'customer', retryAfterSeconds: 7 });
      const err = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 7000, status: 429 });
    });

    it('maps 400, 403 and 412 to clear Dutch messages with the provider text', async () => {
      const rejected = await failure(connect().createDocument(draftFor('err-1', { customer: { externalId: '99999', name: 'Onbekend' } }), null));
      expect(rejected).toMatchObject({ kind: 'validation', retryable: false, status: 400 });
      expect(rejected.message).toContain("Customer '99999' was not found");

      fake.faults.failNext.push({ status: 403, path: 'customer' });
      const forbidden = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(forbidden).toMatchObject({ kind: 'auth', retryable: false });
      expect(forbidden.message).toContain("rol 'API User'");

      fake.faults.failNext.push({ status: 412, path: 'salesorder' });
      const conflict = await failure(connect().createDocument(draftFor('err-2'), null));
      expect(conflict).toMatchObject({ kind: 'conflict', retryable: false });
      expect(conflict.message).toContain('tegelijk door iemand anders gewijzigd');
    });
  });

  describe('settings check and pick-lists', () => {
    const byField = (checks: { field: string }[]) => Object.fromEntries(checks.map((c) => [c.field, c]));

    it('checks the company first and nothing else while it is wrong', async () => {
      const checks = await connect().checkSettings(settingsFor({ companyId: '7654321', travelTimeArticle: 'X501' }));
      expect(checks).toEqual([
        { field: 'companyId', ok: false, error: 'Bedrijf niet bekend in Visma.net ERP' },
        { field: 'termsAccepted', ok: true },
      ]);
    });

    it('echoes what it found and fails each wrong field with its own text', async () => {
      const checks = byField(await connect().checkSettings(settingsFor({
        workTimeArticle: 'BESTAATNIET',
        travelTimeArticle: 'X501',
        warehouse: { perUser: true, byUser: { 'user-jan': 'BUS1', 'user-piet': 'GEENMAGAZIJN', 'user-kees': 'OUD' }, default: 'HOOFD' },
      })));
      expect(checks.companyId).toEqual({ field: 'companyId', ok: true, found: { id: COMPANY, name: 'ISV - Simple Simon' } });
      expect(checks.workTimeArticle).toMatchObject({ ok: false, error: 'Artikel niet bekend in Visma.net ERP' });
      expect(checks.travelTimeArticle).toMatchObject({ ok: false, error: "Artikel is geen 'Non-Stock' artikel in Visma.net", found: { code: 'X501', type: 'LaborItem' } });
      expect(checks.defaultArticle).toMatchObject({ ok: true, found: { code: 'SIMONVOORR', name: 'Voorrijkosten' } });
      expect(checks['warehouse.byUser.user-jan']).toMatchObject({ ok: true, found: { id: 'BUS1', name: 'Bus Jan' } });
      expect(checks['warehouse.byUser.user-piet']).toMatchObject({ ok: false, error: 'Magazijn niet bekend in Visma.net ERP' });
      expect(checks['warehouse.byUser.user-kees']).toMatchObject({ ok: false, error: 'Magazijn is niet actief in Visma.net ERP' });
      expect(checks['warehouse.default']).toMatchObject({ ok: true });
    });

    it('asks for a warehouse for sales orders only', async () => {
      const order = byField(await connect().checkSettings(settingsFor({ warehouse: null })));
      expect(order['warehouse.default']).toMatchObject({ ok: false, error: 'Kies een standaard magazijn voor gebruikers zonder eigen magazijn' });
      const invoice = await connect().checkSettings(settingsFor({ documentType: 'invoice', warehouse: null }));
      expect(invoice.every((c) => c.ok)).toBe(true);
      expect(invoice.some((c) => c.field.startsWith('warehouse'))).toBe(false);
    });

    it('offers companies, active warehouses and a Non-Stock article search', async () => {
      const connector = connect();
      expect(await connector.options!('companies', null)).toEqual([{ id: COMPANY, name: 'ISV - Simple Simon' }]);
      expect((await connector.options!('warehouses', null)).map((w) => w.id)).toEqual(['HOOFD', 'BUS1', 'BUS2']);
      expect((await connector.options!('articles', 'tijd')).map((a) => a.code)).toEqual(['SIMONWERK', 'SIMONREIS']);
      expect(await connector.options!('articles', 'arbeid')).toEqual([]);
      await expect(connector.options!('dossiers', null)).rejects.toThrow("Lijst 'dossiers' bestaat niet");
    });
  });

  describe('documents', () => {
    it('creates a sales order on hold, every field wrapped, our reference in customerOrder, the warehouse on each line', async () => {
      const connector = connect();
      const created = await connector.createDocument(draftFor('simon-so-1'), null);
      expect(created.documentId).toMatch(/^salesorder\/SO\/\d{6}$/);
      const order = fake.data.salesOrders.find((o) => `salesorder/SO/${o.orderNo}` === created.documentId)!;
      expect(order).toMatchObject({
        orderType: 'SO', hold: true, status: 'Hold', date: '2026-11-23', customer: { number: '10001' }, customerOrder: 'simon-so-1',
        customerRefNo: 'WB-1001 / REF-7', note: 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven\nCV-ketel maakt geluid', description: 'Werkbon WB-1001',
      });
      expect(order.lines.map((l) => [l.inventory.number, l.quantity, l.unitPrice, l.warehouse?.id])).toEqual([
        ['SIMONWERK', 2, 62.5, 'BUS1'],
        ['SIMONREIS', 0.25, 45, 'BUS1'],
        ['M1001', 3, 4.25, 'BUS1'],
        ['SIMONVOORR', 1, 35, 'BUS1'],
      ]);
      expect(created.documentNumber).toBe(order.orderNo);
      expect(await connector.findDocument(lookupOf('simon-so-1'))).toEqual(created);
    });

    it('creates a customer invoice on hold with our reference in externalReference', async () => {
      const connector = connect({ settings: settingsFor({ documentType: 'invoice' }) });
      const created = await connector.createDocument(draftFor('simon-inv-1', { documentType: 'invoice', warehouse: null }), null);
      expect(created.documentId).toMatch(/^customerinvoice\/\d{6}$/);
      const invoice = fake.data.invoices.find((i) => i.referenceNumber === created.documentNumber)!;
      expect(invoice).toMatchObject({ hold: true, status: 'Hold', externalReference: 'simon-inv-1', customerRefNumber: 'WB-1001 / REF-7', customer: { number: '10001' } });
      expect(invoice.invoiceLines.map((l) => [l.inventoryNumber, l.quantity, l.unitPriceInCurrency])).toEqual([['SIMONWERK', 2, 62.5], ['SIMONREIS', 0.25, 45], ['M1001', 3, 4.25], ['SIMONVOORR', 1, 35]]);
      expect(await connector.findDocument(lookupOf('simon-inv-1'))).toEqual(created);
      expect(await connector.findDocument(lookupOf('simon-nergens'))).toBeNull();
    });

    it('refuses a write whose fields are not wrapped as { value }', async () => {
      const res = await fetch(`${fake.url}salesorder`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credentials.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ orderType: 'SO', customer: '10001', lines: [] }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { ExceptionMessage: string }).ExceptionMessage).toContain('"value"');
    });

    it('finds the order after a 504 that came after the commit, so a retry creates nothing', async () => {
      const connector = connect();
      fake.faults.timeoutAfterCommit = { path: 'salesorder', method: 'POST', count: 1 };
      const err = await failure(connector.createDocument(draftFor('simon-504'), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504 });
      const found = await connector.findDocument(lookupOf('simon-504'));
      expect(found?.documentId).toMatch(/^salesorder\/SO\//);
      expect(fake.data.salesOrders.filter((o) => o.customerOrder === 'simon-504')).toHaveLength(1);
    });

    it('uploads a PDF as multipart; the same file again becomes a new revision', async () => {
      const connector = connect();
      const created = await connector.createDocument(draftFor('simon-pdf'), null);
      const pdf = Buffer.from('%PDF-1.4\n% werkbon\n%%EOF\n');
      await connector.attachFile!(created, { fileName: 'Werkbon WB-1001.pdf', contentType: 'application/pdf', content: pdf });
      await connector.attachFile!(created, { fileName: 'Werkbon WB-1001.pdf', contentType: 'application/pdf', content: pdf });
      const order = fake.data.salesOrders.find((o) => o.customerOrder === 'simon-pdf')!;
      expect(order.attachments).toHaveLength(1);
      expect(order.attachments[0]).toMatchObject({ name: 'Werkbon WB-1001.pdf', revision: 2, contentType: 'application/pdf' });
      expect(order.attachments[0].content.equals(pdf)).toBe(true);
      expect(fake.state.requests['POST salesorder/orderType/:type/:nbr/attachment']).toBe(2);
    });

    it('names documents by their resource path', () => {
      expect(documentFromLocation('https://api.finance.visma.net/v1/salesorder/SO/000123', 'https://api.finance.visma.net/v1/')).toEqual({ documentId: 'salesorder/SO/000123', documentNumber: '000123' });
      expect(documentFromLocation('/v1/customerinvoice/000456', 'https://api.finance.visma.net/v1/')).toEqual({ documentId: 'customerinvoice/000456', documentNumber: '000456' });
      expect(attachmentPath('salesorder/SO/000123')).toBe('salesorder/orderType/SO/000123/attachment');
      expect(attachmentPath('customerinvoice/000456')).toBe('customerinvoice/000456/attachment');
      expect(originalSalesOrderNumber('SO/000123')).toBe('000123');
      expect(originalSalesOrderNumber('QT/000009')).toBeNull();
    });
  });

  describe('order import listing', () => {
    const order = (over: Partial<FakeVismaSalesOrder> & Pick<FakeVismaSalesOrder, 'orderType' | 'orderNo' | 'description'>): FakeVismaSalesOrder => ({
      status: 'Open', hold: false, date: '2026-11-01', customer: { number: '10004', name: 'Klant' }, customerOrder: null, customerRefNo: null, note: null,
      lines: [], lastModifiedDateTime: vismaTimestamp(), attachments: [], ...over,
    });

    it('lists open sales orders (or quotes, per the settings) with their lines, never our own orders', async () => {
      const data = emptyData();
      seedVismaNet(data, { customers: 5, nonStockItems: 2 });
      fake.state.data['7654321'] = data;
      data.salesOrders.push(
        order({
          orderType: 'SO', orderNo: '000101', description: 'Simon: lekkage keuken', customerRefNo: 'PO-88', note: 'Sleutel bij buren',
          lines: [{ lineNbr: 1, inventory: { number: 'M1001', description: 'Kogelkraan' }, warehouse: null, uom: 'STK', quantity: 2, unitPrice: 9.5, lineDescription: 'Kogelkraan 15 mm' }],
        }),
        order({ orderType: 'SO', orderNo: '000102', description: 'Afgerond', status: 'Completed' }),
        order({ orderType: 'SO', orderNo: '000103', description: 'Werkbon WB-1', customerOrder: 'simon-wo-1', status: 'Hold' }),
        order({ orderType: 'QT', orderNo: '000104', description: 'Offerte dakgoot' }),
      );
      fake.state.connect.signOn.companyId = '7654321';
      const tokens = await signOn(fake);
      fake.state.connect.signOn.companyId = null;

      const so = await connect({ credentials: tokens }).listQuotes!({ cursor: null, since: null });
      expect(so.records).toEqual([{
        kind: 'salesOrder', externalId: 'SO/000101', number: '000101', name: 'Simon: lekkage keuken', reference: null, memo: 'Sleutel bij buren', customerExternalId: '10004',
        customerReference: 'PO-88', lines: [{ articleExternalId: null, articleCode: 'M1001', description: 'Kogelkraan 15 mm', quantity: 2, unitPrice: '9.5' }],
      }]);
      const qt = await connect({ credentials: tokens, settings: settingsFor({ orders: { import: 'quote', includeFilterWord: '', includeLines: false } }) }).listQuotes!({ cursor: null, since: null });
      expect(qt.records.map((q) => [q.kind, q.externalId])).toEqual([['quote', 'QT/000104']]);
    });
  });
});
