import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { createConnector, providerConfig } from '../../connectors/index.js';
import {
  attachmentPath,
  createVismaNetConnector,
  documentFromLocation,
  mapCustomer,
  originalSalesOrderNumber,
  parseDocumentId,
  type VismaNetConnector,
} from '../../connectors/visma-net/connector.js';
import { rateLimitWaitMs, tokenTenant } from '../../connectors/visma-net/transport.js';
import { DEFAULT_VISMA_CLIENT } from '../../fakes/visma-net/connect.js';
import {
  emptyData,
  fakeSalesOrder,
  noVismaFaults,
  seedVismaNet,
  startFakeVismaNet,
  touch,
  type FakeVismaNet,
  type FakeVismaSalesOrder,
} from '../../fakes/visma-net/server.js';
import type { ConnectorContext, DocumentDraft, OAuthConnectorFactory, OAuthTokens } from '../../connectors/types.js';
import { ReconnectRequiredError, VISMA_SCOPES, oauthConfig, pkcePair } from '../../lib/oauth.js';
import { createOAuthClient } from '../../connectors/oauth.js';
import { parseEnv } from '../../lib/env.js';
import { documentReference, referenceMaxLength } from '../../lib/references.js';
import { settingsSchema, type Settings } from '../../lib/settings.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

const createVismaNetOAuth = (o: { connectBaseUrl: string; clientId: string; clientSecret: string }) =>
  createOAuthClient(oauthConfig(parseEnv({ VISMA_CONNECT_BASE_URL: o.connectBaseUrl, VISMA_CLIENT_ID: o.clientId, VISMA_CLIENT_SECRET: o.clientSecret }), 'visma-net')!);

const redirectUri = 'http://simon.test/v1/oauth/visma-net/callback';
/** The connected company is the Visma Connect tenant (docs/providers/visma-net.md §2, U1). */
const COMPANY = 'b4c1d6a0-5f0e-4f6e-9c52-0a2f6e1d7c11';
const OTHER_COMPANY = '2e9f0c34-8b1a-4d7e-a4c3-5d6e7f8a9b0c';

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
async function signOn(fake: FakeVismaNet, oauth = oauthOf(fake)): Promise<OAuthTokens> {
  const { verifier, challenge } = await pkce();
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

/** What connectors/index.ts passes in production, pointed at the fake's V3 origin. */
const configOf = (fake: FakeVismaNet) => providerConfig(parseEnv({ VISMA_NET_SALESORDER_BASE_URL: fake.salesOrderUrl }), 'visma-net');

connectorContract('Visma.net', async () => {
  // Other items too: the listing asks for Non-Stock items only, so its pages are still the pages of the articles.
  const fake = await startFakeVismaNet({ seed: { nonStockItems: 97, otherItems: 6, customers: 250 } });
  const credentials = await signOn(fake);
  const config = configOf(fake);
  return {
    connector: createConnector('visma-net', { baseUrl: fake.url, credentials, settings: settingsFor(), config }),
    badCredentials: createConnector('visma-net', { baseUrl: fake.url, credentials: { accessToken: 'not-a-token', refreshToken: 'nope' }, config }),
    expected: { customers: 250, articles: 100, articleGroups: 2 },
    draft: (reference) => draftFor(reference),
    stop: () => fake.stop(),
  };
});

describe('Visma.net connector against the fake', () => {
  let fake: FakeVismaNet;
  let credentials: OAuthTokens;
  const connect = (over: Partial<ConnectorContext> = {}): VismaNetConnector =>
    createVismaNetConnector({ baseUrl: fake.url, credentials, settings: settingsFor(), config: configOf(fake), ...over });
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
    fake.state.salesOrderListExpands = true;
    fake.state.salesOrderRateHeaders = false;
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
      expect(await connect({ credentials: tokens }).verifyConnection()).toEqual({ label: 'ISV - Simple Simon (SIMON)', administrationIds: [COMPANY, 'SIMON'] });
      expect(tokenTenant(tokens.accessToken)).toBe(COMPANY);

      fake.state.connect.signOn.companyId = '7654321';
      try {
        const other = await signOn(fake);
        expect(await connect({ credentials: other }).verifyConnection()).toEqual({ label: 'Simon Installatietechniek B.V. (SIMONINST)', administrationIds: [OTHER_COMPANY, 'SIMONINST'] });
        expect(tokenTenant(other.accessToken)).toBe(OTHER_COMPANY);
      } finally {
        fake.state.connect.signOn.companyId = null;
      }
    });

    it('refuses a code twice, a wrong PKCE verifier and an unknown client', async () => {
      const oauth = oauthOf(fake);
      const { challenge } = await pkce();
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
      fake.state.connect.refreshTokens.get(stored.refreshToken ?? '')!.revoked = true;
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
      // 10005: invoice address equal to the main address → one work address (docs/sync.md "Cleanup").
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

    it('asks for Non-Stock items with inventoryTypes and reads item classes and warehouses page by page', async () => {
      fake.state.maxPageSize = 2;
      const before = { ...fake.state.requests };
      const groups = await listAll((req) => connect().listArticleGroups(req), 10);
      expect(groups.records.map((g) => g.code)).toEqual(['TIJD', 'MAT']);
      // Four item classes in pages of two: metadata.totalCount says the second page is the last.
      expect(fake.state.requests['GET inventory/itemClass'] - (before['GET inventory/itemClass'] ?? 0)).toBe(2);
      fake.state.maxPageSize = 1000;
      // 23 Non-Stock items and 4 others: the API filters (inventoryTypes), so one page of 25 holds them all.
      const articles = await listAll((req) => connect().listArticles(req), 25);
      expect(articles).toMatchObject({ pages: 1, total: 23 });
      expect((await connect().options!('warehouses', null)).map((w) => w.id)).toEqual(['HOOFD', 'BUS1', 'BUS2']);
    });

    it('is refused without paging parameters, as the API makes them mandatory', async () => {
      const res = await fetch(`${fake.url}customer`, { headers: { authorization: `Bearer ${credentials.accessToken}` } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { ExceptionMessage: string }).ExceptionMessage).toContain('pageNumber');
    });
  });

  describe('rate limits and errors', () => {
    it('reads X-RateLimit-* per host and waits for the window instead of spending a call when none are left', async () => {
      fake.state.rateLimit = 3;
      const held: number[] = [];
      const connector = connect({ onRateLimited: (ms) => held.push(ms) });
      await connector.listCustomers({ cursor: null, since: null, pageSize: 5 });
      expect(connector.rateLimits.erp).toMatchObject({ limit: 3, remaining: 2, policy: '4-fixed-window' });
      // SalesOrders V3 sends no rate headers here (U9): its state stays empty and it is not held by the ERP window.
      expect(connector.rateLimits.salesOrders).toBeNull();
      await connector.listCustomers({ cursor: null, since: null, pageSize: 5 });
      await connector.listCustomers({ cursor: null, since: null, pageSize: 5 });
      expect(connector.rateLimits.erp!.remaining).toBe(0);
      const before = fake.state.requestCount;
      const err = await failure(connector.listCustomers({ cursor: null, since: null, pageSize: 5 }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(3_000_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(3_600_000);
      expect(held).toHaveLength(1);
      expect(fake.state.requestCount).toBe(before);
      expect((await connector.listQuotes!({ cursor: null, since: null })).records).toBeDefined();
    });

    it('keeps a separate window for SalesOrders V3 when it sends rate headers', async () => {
      fake.state.salesOrderRateHeaders = true;
      const connector = connect();
      await connector.listQuotes!({ cursor: null, since: null });
      expect(connector.rateLimits.salesOrders).toMatchObject({ policy: '4-fixed-window' });
      expect(connector.rateLimits.erp).toBeNull();
    });

    it("honours a 429's Retry-After as a retryable failure", async () => {
      fake.faults.failNext.push({ status: 429, path: 'customer', retryAfterSeconds: 7 });
      const err = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 7000, status: 429 });
    });

    it('waits the larger of Retry-After and X-RateLimit-Reset on a 429, never more than an hour', async () => {
      const held: number[] = [];
      fake.faults.failNext.push({ status: 429, path: 'customer', retryAfterSeconds: 2, headers: { 'x-ratelimit-reset': '120' } });
      const err = await failure(connect({ onRateLimited: (ms) => held.push(ms) }).listCustomers({ cursor: null, since: null }));
      expect(err.retryAfterMs).toBe(120_000);
      expect(held).toEqual([120_000]);
      fake.faults.failNext.push({ status: 429, path: 'SalesOrders', retryAfterSeconds: 90_000 });
      expect((await failure(connect().listQuotes!({ cursor: null, since: null }))).retryAfterMs).toBe(3_600_000);
      expect(rateLimitWaitMs(new Headers(), undefined)).toBeUndefined();
      expect(rateLimitWaitMs(new Headers({ 'x-ratelimit-reset': '30' }), undefined)).toBe(30_000);
    });

    it('maps 400, 403, 409, 412 and 428 to clear Dutch messages with the provider text', async () => {
      const rejected = await failure(connect().createDocument(draftFor('err-1', { customer: { externalId: '99999', name: 'Onbekend' } }), null));
      expect(rejected).toMatchObject({ kind: 'validation', retryable: false, status: 400 });
      expect(rejected.message).toContain("Customer '99999' was not found");

      fake.faults.failNext.push({ status: 403, path: 'customer' });
      const forbidden = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(forbidden).toMatchObject({ kind: 'auth', retryable: false });
      expect(forbidden.message).toContain("rol 'API User'");

      fake.faults.failNext.push({ status: 412, path: 'SalesOrders' });
      const conflict = await failure(connect().createDocument(draftFor('err-2'), null));
      expect(conflict).toMatchObject({ kind: 'conflict', retryable: false });
      expect(conflict.message).toContain('tegelijk door iemand anders gewijzigd');

      fake.faults.failNext.push({ status: 409, path: 'SalesOrders' });
      expect(await failure(connect().createDocument(draftFor('err-3'), null))).toMatchObject({ kind: 'conflict', retryable: false });
      fake.faults.failNext.push({ status: 428, path: 'SalesOrders' });
      const ifMatch = await failure(connect().createDocument(draftFor('err-4'), null));
      expect(ifMatch).toMatchObject({ kind: 'validation', retryable: false });
      expect(ifMatch.message).toContain('If-Match');
    });

    it('says the tenant is probably wrong when a freshly renewed token is refused too', async () => {
      const connector = connect({ credentials: { ...credentials, accessToken: 'stale' }, refreshCredentials: () => Promise.resolve({ ...credentials, accessToken: 'also-refused' }) });
      const err = await failure(connector.listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'auth', status: 401, retryable: false });
      expect(err.message).toContain('verkeerde tenant gekozen (Customer in plaats van Company)');
    });

    it('reads V3 ProblemDetails into the message', async () => {
      const err = await failure(connect().createDocument(draftFor('err-5', { warehouse: 'OUD' }), null));
      expect(err.message).toContain('1802-InvalidWarehouseId');
    });
  });

  describe('settings check and pick-lists', () => {
    const byField = (checks: { field: string }[]) => Object.fromEntries(checks.map((c) => [c.field, c]));

    it('checks the company first (the connected tenant) and nothing else while it is wrong', async () => {
      const checks = await connect().checkSettings(settingsFor({ companyId: OTHER_COMPANY, travelTimeArticle: 'X501' }));
      expect(checks).toEqual([
        { field: 'companyId', ok: false, error: 'Administratienummer niet bekend' },
        { field: 'termsAccepted', ok: true },
      ]);
      // The organisation code names the same company.
      expect(byField(await connect().checkSettings(settingsFor({ companyId: 'simon' }))).companyId).toMatchObject({ ok: true });
    });

    it('never asks the retired context endpoint', async () => {
      const before = fake.state.requests['GET organization'] ?? 0;
      await connect().checkSettings(settingsFor());
      expect(fake.state.requests['GET organization']).toBe(before + 1);
      expect(Object.keys(fake.state.requests).some((k) => k.includes('context'))).toBe(false);
    });

    it('echoes what it found and fails each wrong field with its own text', async () => {
      const checks = byField(await connect().checkSettings(settingsFor({
        workTimeArticle: 'BESTAATNIET',
        travelTimeArticle: 'X501',
        warehouse: { perUser: true, byUser: { 'user-jan': 'BUS1', 'user-piet': 'GEENMAGAZIJN', 'user-kees': 'OUD' }, default: 'HOOFD' },
      })));
      expect(checks.companyId).toEqual({ field: 'companyId', ok: true, found: { id: COMPANY, name: 'ISV - Simple Simon', organizationCd: 'SIMON' } });
      expect(checks.workTimeArticle).toMatchObject({ ok: false, error: 'Artikel niet bekend in Visma.net' });
      expect(checks.travelTimeArticle).toMatchObject({ ok: false, error: "Artikel is geen 'Non-Stock' artikel in Visma.net", found: { code: 'X501', type: 'LaborItem' } });
      expect(checks.defaultArticle).toMatchObject({ ok: true, found: { code: 'SIMONVOORR', name: 'Voorrijkosten' } });
      expect(checks.documentType).toMatchObject({ ok: true, found: { orderType: 'SO' } });
      expect(checks['warehouse.byUser.user-jan']).toMatchObject({ ok: true, found: { id: 'BUS1', name: 'Bus Jan' } });
      expect(checks['warehouse.byUser.user-piet']).toMatchObject({ ok: false, error: 'Magazijn niet bekend in Visma.net' });
      expect(checks['warehouse.byUser.user-kees']).toMatchObject({ ok: false, error: 'Magazijn is niet actief in Visma.net' });
      expect(checks['warehouse.default']).toMatchObject({ ok: true });
    });

    it("checks the order types: 'SO' for sales orders, 'QT' for the quote import, each existing and active", async () => {
      const qt = fake.data.salesOrderTypes.find((t) => t.orderType === 'QT')!;
      qt.active = false;
      try {
        const checks = byField(await connect().checkSettings(settingsFor({ orders: { import: 'quote', includeFilterWord: '', includeLines: false } })));
        expect(checks.documentType).toMatchObject({ ok: true });
        expect(checks['orders.import']).toMatchObject({ ok: false, error: "Ordertype 'QT' is niet actief in Visma.net" });
      } finally {
        qt.active = true;
      }
      const invoiceOnly = await connect().checkSettings(settingsFor({ documentType: 'invoice', warehouse: null }));
      expect(invoiceOnly.some((c) => c.field === 'documentType' || c.field === 'orders.import')).toBe(false);
    });

    it('tells the admin when the app may not use the Sales Order API (a 403 there)', async () => {
      fake.faults.failNext.push({ status: 403, path: 'SalesOrders/SO', method: 'GET' });
      const checks = byField(await connect().checkSettings(settingsFor()));
      expect(checks.documentType).toMatchObject({ ok: false, error: expect.stringContaining('Sales Order API') });
    });

    it('asks for a warehouse for sales orders only', async () => {
      const order = byField(await connect().checkSettings(settingsFor({ warehouse: null })));
      expect(order['warehouse.default']).toMatchObject({ ok: false, error: 'Kies een standaard magazijn voor gebruikers zonder eigen magazijn' });
      const invoice = await connect().checkSettings(settingsFor({ documentType: 'invoice', warehouse: null }));
      expect(invoice.every((c) => c.ok)).toBe(true);
      expect(invoice.some((c) => c.field.startsWith('warehouse'))).toBe(false);
    });

    it('offers the connected company, active warehouses and a Non-Stock article search', async () => {
      const connector = connect();
      expect(await connector.options!('companies', null)).toEqual([{ id: COMPANY, name: 'ISV - Simple Simon' }]);
      expect((await connector.options!('warehouses', null)).map((w) => w.id)).toEqual(['HOOFD', 'BUS1', 'BUS2']);
      expect((await connector.options!('articles', 'tijd')).map((a) => a.code)).toEqual(['SIMONWERK', 'SIMONREIS']);
      expect(await connector.options!('articles', 'arbeid')).toEqual([]);
      await expect(connector.options!('dossiers', null)).rejects.toThrow("Lijst 'dossiers' bestaat niet");
    });
  });

  describe('documents', () => {
    const ordersWith = (reference: string) => fake.data.salesOrders.filter((o) => o.customFields.customStr5 === reference);

    it('creates a sales order through SalesOrders V3: plain values, on hold, our reference in a custom field, never a v1 path', async () => {
      const connector = connect();
      const reference = documentReference('visma-net', 'tenant-x', 'wo-so-1', 'WB-1001');
      expect(reference.length).toBeLessThanOrEqual(referenceMaxLength['visma-net']);
      const v3Posts = fake.state.requests['POST v3/SalesOrders'] ?? 0;
      const created = await connector.createDocument(draftFor(reference), null);
      expect(created.documentId).toMatch(/^salesorder\/SO\/\d{6}$/);
      expect(fake.state.requests['POST v3/SalesOrders']).toBe(v3Posts + 1);
      const [order] = ordersWith(reference);
      expect(order).toMatchObject({
        type: 'SO', status: 'Hold', date: '2026-11-23T12:00:00.000Z',
        customer: { id: '10001', order: null, refNo: 'WB-1001 / REF-7' },
        note: 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven\nCV-ketel maakt geluid', description: 'Werkbon WB-1001',
      });
      // Our reference is not in the printed customer order number.
      expect(order.customer.order).toBeNull();
      expect(order.lines.map((l) => [l.inventory.id, l.quantity, l.unitPrice, l.hasManualPrice, l.warehouseId])).toEqual([
        ['SIMONWERK', 2, 62.5, false, 'BUS1'],
        ['SIMONREIS', 0.25, 45, false, 'BUS1'],
        ['M1001', 3, 4.25, true, 'BUS1'],
        ['SIMONVOORR', 1, 35, false, 'BUS1'],
      ]);
      expect(created.documentNumber).toBe(order.orderId);
      expect(await connector.findDocument({ ...lookupOf(reference), customerExternalId: '10001', createdAfter: new Date(Date.now() - 60_000) })).toEqual(created);
      expect(await connector.findDocument(lookupOf(reference))).toEqual(created);
      expect(fake.state.retiredCalls).toEqual([]);
    });

    it('puts the reference into the configured custom field', async () => {
      const connector = connect({ config: { ...configOf(fake), referenceField: 'customStr2' } });
      const created = await connector.createDocument(draftFor('simon-field-2'), null);
      const order = fake.data.salesOrders.find((o) => o.orderId === created.documentNumber)!;
      expect(order.customFields).toMatchObject({ customStr2: 'simon-field-2', customStr5: null });
      expect(await connector.findDocument(lookupOf('simon-field-2'))).toEqual(created);
      expect(await connect().findDocument(lookupOf('simon-field-2'))).toBeNull();
    });

    it("finds an order by a GET per candidate when the list leaves the custom fields out, and an old order by its customerOrder", async () => {
      const connector = connect();
      const created = await connector.createDocument(draftFor('simon-u5', { customer: { externalId: '10006', name: 'x' } }), null);
      fake.data.salesOrders.push(fakeSalesOrder({ orderId: '090001', customer: { id: '10006', name: 'x', order: 'simon-legacy', refNo: null } }));
      fake.state.salesOrderListExpands = false;
      const gets = fake.state.requests['GET v3/SalesOrders/:type/:orderId'] ?? 0;
      const lookup = { ...lookupOf('simon-u5'), customerExternalId: '10006', createdAfter: new Date(Date.now() - 60_000) };
      expect(await connector.findDocument(lookup)).toEqual(created);
      expect(fake.state.requests['GET v3/SalesOrders/:type/:orderId']).toBeGreaterThan(gets);
      expect(await connector.findDocument({ ...lookup, reference: 'simon-legacy' })).toEqual({ documentId: 'salesorder/SO/090001', documentNumber: '090001' });
      expect(await connector.findDocument({ ...lookup, reference: 'simon-nergens' })).toBeNull();
    });

    it('creates a customer invoice through POST v2/customerinvoice, on hold, our reference in externalReference', async () => {
      const connector = connect({ settings: settingsFor({ documentType: 'invoice' }) });
      const created = await connector.createDocument(draftFor('simon-inv-1', { documentType: 'invoice', warehouse: null }), null);
      expect(created.documentId).toMatch(/^customerinvoice\/\d{6}$/);
      expect(fake.state.requests['POST v2/customerinvoice']).toBeGreaterThanOrEqual(1);
      expect(fake.state.requests['POST customerinvoice']).toBeUndefined();
      const invoice = fake.data.invoices.find((i) => i.referenceNumber === created.documentNumber)!;
      expect(invoice).toMatchObject({ hold: true, status: 'Hold', externalReference: 'simon-inv-1', customerRefNumber: 'WB-1001 / REF-7', customer: { number: '10001' }, sendToAutoInvoice: false });
      expect(invoice.invoiceLines.map((l) => [l.inventoryNumber, l.quantity, l.unitPriceInCurrency])).toEqual([['SIMONWERK', 2, 62.5], ['SIMONREIS', 0.25, 45], ['M1001', 3, 4.25], ['SIMONVOORR', 1, 35]]);
      expect(await connector.findDocument(lookupOf('simon-inv-1'))).toEqual(created);
      expect(await connector.findDocument({ ...lookupOf('simon-inv-1'), customerExternalId: '10002' })).toBeNull();
      expect(await connector.findDocument(lookupOf('simon-nergens'))).toBeNull();
    });

    it('finds the order after a 504 that came after the commit, so a retry creates nothing', async () => {
      const connector = connect();
      fake.faults.timeoutAfterCommit = { path: 'SalesOrders', method: 'POST', count: 1 };
      const err = await failure(connector.createDocument(draftFor('simon-504'), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504, outcomeUnknown: true });
      const found = await connector.findDocument(lookupOf('simon-504'));
      expect(found?.documentId).toMatch(/^salesorder\/SO\//);
      expect(ordersWith('simon-504')).toHaveLength(1);
    });

    it('lists what is attached, so a file is posted once; a second post of a name would make a new revision', async () => {
      const connector = connect();
      const created = await connector.createDocument(draftFor('simon-pdf'), null);
      expect(await connector.listAttachments!(created)).toEqual([]);
      const pdf = Buffer.from('%PDF-1.4\n% werkbon\n%%EOF\n');
      await connector.attachFile!(created, { fileName: 'Werkbon WB-1001.pdf', contentType: 'application/pdf', content: pdf });
      expect(await connector.listAttachments!(created)).toEqual(['Werkbon WB-1001.pdf']);
      await connector.attachFile!(created, { fileName: 'Werkbon WB-1001.pdf', contentType: 'application/pdf', content: pdf });
      const [order] = ordersWith('simon-pdf');
      expect(order.attachments).toHaveLength(1);
      expect(order.attachments[0]).toMatchObject({ name: 'Werkbon WB-1001.pdf', revision: 2, contentType: 'application/pdf' });
      expect(order.attachments[0].content.equals(pdf)).toBe(true);
      expect(fake.state.requests['POST salesorder/orderType/:type/:nbr/attachment']).toBe(2);

      const invoices = connect({ settings: settingsFor({ documentType: 'invoice' }) });
      const invoice = await invoices.createDocument(draftFor('simon-pdf-inv', { documentType: 'invoice', warehouse: null }), null);
      await invoices.attachFile!(invoice, { fileName: 'Werkbon WB-1002.pdf', contentType: 'application/pdf', content: pdf });
      expect(await invoices.listAttachments!(invoice)).toEqual(['Werkbon WB-1002.pdf']);
      expect(fake.state.retiredCalls).toEqual([]);
    });

    it('lists the sales orders and customer invoices of the last days with our reference, every page, for the reconciliation', async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const stamp = Date.now();
      const order = await connect().createDocument(draftFor(`simon-rc-so-${stamp}`, { date: day(-3) }), null);
      // Changed today (so `modifiedSince` lists it) but dated before the window: left out.
      const old = await connect().createDocument(draftFor(`simon-rc-old-${stamp}`, { date: day(-20) }), null);
      const invoices = connect({ settings: settingsFor({ documentType: 'invoice' }) });
      const made = await Promise.all([1, 2, 3].map((n) => invoices.createDocument(draftFor(`simon-rc-inv${n}-${stamp}`, { documentType: 'invoice', warehouse: null, date: day(0) }), null)));
      // What the firm does in Visma.net itself: a copy of the order, carrying our reference.
      const copy = await fetch(`${new URL(fake.url).origin}/__documents`, { method: 'POST', body: JSON.stringify({ op: 'duplicate', reference: `simon-rc-so-${stamp}` }) });
      expect(copy.status).toBe(201);
      const copyId = ((await copy.json()) as { id: string }).id;
      expect((await fetch(`${new URL(fake.url).origin}/__documents`, { method: 'POST', body: JSON.stringify({ op: 'renumber', reference: `simon-rc-so-${stamp}`, number: '1' }) })).status).toBe(409);
      // Invoices two to a page: the listing reads every page.
      fake.state.maxPageSize = 2;
      const soLists = fake.state.requests['GET v3/SalesOrders/:type'] ?? 0;
      const listed = await connect().listDocuments!(new Date(Date.now() - 7 * 86_400_000));
      const ids = listed.map((d) => d.documentId);
      expect(ids).toEqual(expect.arrayContaining([order.documentId, copyId, ...made.map((m) => m.documentId)]));
      expect(ids).not.toContain(old.documentId);
      expect(listed.find((d) => d.documentId === order.documentId)).toEqual({
        documentId: order.documentId, documentNumber: order.documentNumber, reference: `simon-rc-so-${stamp}`, customerExternalId: '10001', date: day(-3),
      });
      expect(listed.find((d) => d.documentId === copyId)?.reference).toBe(`simon-rc-so-${stamp}`);
      expect(listed.find((d) => d.documentId === made[2].documentId)).toEqual({
        documentId: made[2].documentId, documentNumber: made[2].documentNumber, reference: `simon-rc-inv3-${stamp}`, customerExternalId: '10001', date: day(0),
      });
      expect(fake.state.requests['GET v3/SalesOrders/:type']).toBeGreaterThan(soLists);
      expect(fake.state.retiredCalls).toEqual([]);
    });

    it('names documents by their resource path, from a V3 or ERP Location on either host', () => {
      expect(documentFromLocation('https://salesorder.visma.net/api/v3/SalesOrders/SO/000223')).toEqual({ documentId: 'salesorder/SO/000223', documentNumber: '000223' });
      expect(documentFromLocation('https://api.finance.visma.net/v1/salesorder/SO/000123')).toEqual({ documentId: 'salesorder/SO/000123', documentNumber: '000123' });
      expect(documentFromLocation('/v1/customerinvoice/000456')).toEqual({ documentId: 'customerinvoice/000456', documentNumber: '000456' });
      expect(documentFromLocation(null)).toBeNull();
      expect(attachmentPath(parseDocumentId('salesorder/SO/000123')!)).toBe('salesorder/orderType/SO/000123/attachment');
      expect(attachmentPath(parseDocumentId('customerinvoice/000456')!)).toBe('customerinvoice/000456/attachment');
      expect(originalSalesOrderNumber('SO/000123')).toBe('000123');
      expect(originalSalesOrderNumber('QT/000009')).toBeNull();
    });
  });

  describe('order import listing (SalesOrders V3)', () => {
    const order = (over: Partial<FakeVismaSalesOrder> & Pick<FakeVismaSalesOrder, 'orderId'>): FakeVismaSalesOrder =>
      fakeSalesOrder({ customer: { id: '10004', name: 'Klant', order: null, refNo: null }, ...over });
    let tokens: OAuthTokens;

    beforeAll(async () => {
      const data = emptyData();
      seedVismaNet(data, { customers: 5, nonStockItems: 2 });
      fake.state.data['7654321'] = data;
      data.salesOrders.push(
        order({
          orderId: '000101', description: 'Simon: lekkage keuken', customer: { id: '10004', name: 'Klant', order: null, refNo: 'PO-88' }, note: 'Sleutel bij buren',
          shipping: { address: { line1: 'Bouwplaats Noord', line2: 'Industrieweg 3', postalCode: '6710 AB', city: 'Ede', country: { id: 'NL', name: 'Nederland' } }, contact: { name: 'Uitvoerder Piet' } },
          lines: [{ lineId: 1, inventory: { id: 'M1001', description: 'Kogelkraan', baseUnit: 'STK' }, warehouseId: null, unitOfMeasure: 'STK', quantity: 2, unitPrice: 9.5, hasManualPrice: true, description: 'Kogelkraan 15 mm', operation: 'Issue', note: null }],
        }),
        order({ orderId: '000102', description: 'Afgerond', status: 'Completed' }),
        order({ orderId: '000103', description: 'Werkbon WB-1', status: 'Hold', customFields: { ...fakeSalesOrder({ orderId: 'x' }).customFields, customStr5: 'simon-wo-1' } }),
        order({ orderId: '000106', description: 'Werkbon WB-0', customer: { id: '10004', name: 'Klant', order: 'simon-old', refNo: null } }),
        order({ orderId: '000107', description: 'Zonder filterwoord', lines: [{ lineId: 1, inventory: { id: 'M1001', description: 'x', baseUnit: 'STK' }, warehouseId: null, unitOfMeasure: 'STK', quantity: 1, unitPrice: 1, hasManualPrice: true, description: 'x', operation: 'Issue', note: null }] }),
        order({ type: 'QT', orderId: '000104', description: 'Offerte dakgoot' }),
        order({ type: 'QT', orderId: '000105', description: 'Verlopen offerte', status: 'Expired' }),
      );
      fake.state.connect.signOn.companyId = '7654321';
      tokens = await signOn(fake);
      fake.state.connect.signOn.companyId = null;
    });

    const withLines = settingsFor({ orders: { import: 'salesOrder', includeFilterWord: 'simon', includeLines: true } });

    it("lists open 'SO' orders with lines from /lines for those the filter word lets through, never our own orders", async () => {
      const linesCalls = fake.state.requests['GET v3/SalesOrders/:type/:orderId/lines'] ?? 0;
      const so = await connect({ credentials: tokens, settings: withLines }).listQuotes!({ cursor: null, since: null });
      expect(so.records.map((q) => q.externalId)).toEqual(['SO/000101', 'SO/000107']);
      expect(so.records[0]).toEqual({
        kind: 'salesOrder', externalId: 'SO/000101', number: '000101', name: 'Simon: lekkage keuken', reference: null, memo: 'Sleutel bij buren', customerExternalId: '10004',
        customerReference: 'PO-88', lines: [{ articleExternalId: null, articleCode: 'M1001', description: 'Kogelkraan 15 mm', quantity: 2, unitPrice: '9.5' }],
        // The shipping address (expand=Shipping) is where the work is done (docs/quotes.md).
        workAddress: { name: 'Uitvoerder Piet', street: 'Bouwplaats Noord, Industrieweg 3', postalCode: '6710 AB', city: 'Ede', country: 'Nederland' },
      });
      // An order without a shipping address gives no work address.
      expect(so.records[1].workAddress).toBeNull();
      // 000107 does not hold the filter word: its lines are not read.
      expect(so.records[1].lines).toEqual([]);
      expect(fake.state.requests['GET v3/SalesOrders/:type/:orderId/lines']).toBe(linesCalls + 1);
      expect(so.nextCursor).toBeNull();
      expect(so.highWaterMark).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(fake.state.retiredCalls).toEqual([]);
    });

    it("lists quotes ('QT') as kind quote, per the settings, and pages by zero-based pageIndex", async () => {
      const qt = await connect({ credentials: tokens, settings: settingsFor({ orders: { import: 'quote', includeFilterWord: '', includeLines: false } }) }).listQuotes!({ cursor: null, since: null });
      expect(qt.records.map((q) => [q.kind, q.externalId])).toEqual([['quote', 'QT/000104']]);
      const pages = await listAll((req) => connect({ credentials: tokens, settings: withLines }).listQuotes!(req), 2);
      expect(pages.records.map((q) => q.externalId)).toEqual(['SO/000101', 'SO/000107']);
      expect(pages.pages).toBe(3);
    });

    it('reads our reference with a GET per order when the list leaves the custom fields out', async () => {
      fake.state.salesOrderListExpands = false;
      const so = await connect({ credentials: tokens, settings: withLines }).listQuotes!({ cursor: null, since: null });
      expect(so.records.map((q) => q.externalId)).toEqual(['SO/000101', 'SO/000107']);
      expect(so.records[0].memo).toBe('Sleutel bij buren');
      expect(so.records[0].workAddress).toMatchObject({ street: 'Bouwplaats Noord, Industrieweg 3', city: 'Ede' });
    });
  });
});
