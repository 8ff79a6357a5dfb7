import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { createConnector, oauthFactory } from '../../connectors/index.js';
import { createRompslompConnector, type RompslompConnector } from '../../connectors/rompslomp/connector.js';
import { formatQuantity } from '../../connectors/rompslomp/mappers.js';
import { estimateSyncCalls } from '../../lib/quota.js';
import { createOAuthClient } from '../../connectors/oauth.js';
import {
  DEFAULT_RATE_LIMIT,
  DEFAULT_RS_APP,
  SEED_COMPANY_ID,
  SEED_GRATIS_COMPANY_ID,
  SEED_SECOND_COMPANY_ID,
  noFaults,
  startFakeRompslomp,
  type FakeRompslomp,
} from '../../fakes/rompslomp/server.js';
import type { ConnectorContext, DocumentDraft, OAuthConnectorFactory, OAuthTokens } from '../../connectors/types.js';
import { parseEnv } from '../../lib/env.js';
import { ROMPSLOMP_SCOPE, ReconnectRequiredError, accessTokenExpired, oauthConfig, pkcePair } from '../../lib/oauth.js';

const rompslompOAuthConfig = (o: { baseUrl: string; clientId: string; clientSecret: string }) =>
  oauthConfig(parseEnv({ ROMPSLOMP_BASE_URL: o.baseUrl, ROMPSLOMP_CLIENT_ID: o.clientId, ROMPSLOMP_CLIENT_SECRET: o.clientSecret }), 'rompslomp')!;
const createRompslompOAuth = (o: { baseUrl: string; clientId: string; clientSecret: string }) => createOAuthClient(rompslompOAuthConfig(o));
import { settingsSchema, type Settings } from '../../lib/settings.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

const redirectUri = 'http://simon.test/v1/oauth/rompslomp/callback';

const settingsFor = (over: Record<string, unknown> = {}): Settings =>
  settingsSchema.parse({
    provider: 'rompslomp', termsAccepted: true, workTimeArticle: 'P00008', travelTimeArticle: 'P00007', defaultArticle: 'P00006',
    excludeFilterWord: '', companyId: String(SEED_COMPANY_ID), descriptionAsFirstLine: true, ...over,
  });

function oauthOf(fake: FakeRompslomp, app = DEFAULT_RS_APP): OAuthConnectorFactory {
  return createRompslompOAuth({ baseUrl: fake.url, clientId: app.clientId, clientSecret: app.clientSecret });
}

/** What the browser does: the authorize URL, the fake's redirect back with a code, and the exchange (done by a worker in production). */
async function authorizeCode(fake: FakeRompslomp, oauth = oauthOf(fake)): Promise<string> {
  const res = await fetch(oauth.authorizeUrl('state-1', redirectUri), { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('state-1');
  return back.searchParams.get('code')!;
}

async function tokensFor(fake: FakeRompslomp): Promise<OAuthTokens> {
  const oauth = oauthOf(fake);
  return oauth.exchangeCode(await authorizeCode(fake, oauth), redirectUri);
}

function draftFor(fake: FakeRompslomp, reference: string, overrides: Partial<DocumentDraft> = {}): DocumentDraft {
  const data = fake.company(SEED_COMPANY_ID);
  const customer = data.contacts[0];
  const material = data.products[5];
  return {
    documentType: 'invoice',
    reference,
    workOrderId: 'wo-1',
    workOrderNumber: 'WB-1001',
    date: '2026-11-23',
    customer: { externalId: String(customer.id), name: customer.company_name ?? '' },
    lines: [
      { kind: 'text', description: 'CV-ketel maakt geluid\nFilter vervangen' },
      { kind: 'article', role: 'work-time', articleExternalId: '749588242', articleCode: 'P00008', description: 'Werktijd', quantity: 2, unitPrice: null },
      { kind: 'article', role: 'travel-time', articleExternalId: '795957253', articleCode: 'P00007', description: 'Reistijd', quantity: 0.25, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: String(material.id), articleCode: material.invoice_line.product_code, description: material.invoice_line.description, quantity: 3, unitPrice: '4.25' },
      { kind: 'article', role: 'default', articleExternalId: '1468038998', articleCode: 'P00006', description: 'standaard', quantity: 1, unitPrice: null },
    ],
    paymentReference: null,
    descriptionLines: [],
    memo: null,
    customerReference: null,
    warehouse: null,
    ...overrides,
  };
}

connectorContract('Rompslomp', async () => {
  const fake = await startFakeRompslomp({ seed: { customers: 250, suppliers: 7, products: 30 } });
  const credentials = await tokensFor(fake);
  return {
    connector: createConnector('rompslomp', { baseUrl: fake.url, credentials, settings: settingsFor() }),
    badCredentials: createConnector('rompslomp', { baseUrl: fake.url, credentials: { accessToken: 'not-a-token', refreshToken: 'nope' }, settings: settingsFor() }),
    expected: { customers: 250, articles: 30, articleGroups: 0 },
    draft: (reference) => draftFor(fake, reference),
    stop: () => fake.stop(),
  };
});

describe('Rompslomp connector against the fake', () => {
  let fake: FakeRompslomp;
  let tokens: OAuthTokens;
  let refreshes: number;
  /** The activities' refresh, minus the database: the OAuth client against the fake's token endpoint. */
  const connect = (over: { credentials?: OAuthTokens; settings?: Settings | null; refresh?: boolean; context?: Partial<ConnectorContext> } = {}): RompslompConnector =>
    createRompslompConnector({
      ...over.context,
      baseUrl: fake.url,
      credentials: over.credentials ?? tokens,
      settings: over.settings === undefined ? settingsFor() : over.settings,
      ...(over.refresh === false ? {} : {
        refreshCredentials: async (stale) => {
          refreshes++;
          tokens = await oauthOf(fake).refresh(stale);
          return tokens;
        },
      }),
    });
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);

  beforeAll(async () => {
    fake = await startFakeRompslomp({ seed: { customers: 250, suppliers: 7, products: 30 } });
    tokens = await tokensFor(fake);
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    Object.assign(fake.faults, noFaults());
    fake.state.pagingHeaders = true;
    fake.state.apiReferenceIn = { list: true, show: true };
    fake.state.rateLimitPerWindow = DEFAULT_RATE_LIMIT;
    refreshes = 0;
  });

  describe('OAuth2 authorization code flow', () => {
    it('builds the authorize URL with client id, redirect URI, code response type, the four scopes and the state', () => {
      const url = new URL(oauthOf(fake).authorizeUrl('abc', redirectUri));
      expect(`${url.origin}${url.pathname}`).toBe(`${fake.origin}/oauth/authorize`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: DEFAULT_RS_APP.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'public manage:contacts manage:products manage:sales_invoices', state: 'abc',
      });
      expect(ROMPSLOMP_SCOPE).toBe('public manage:contacts manage:products manage:sales_invoices');
    });

    it('exchanges a code once for a 2-hour access token and a refresh token; a second exchange is refused', async () => {
      const oauth = oauthOf(fake);
      const code = await authorizeCode(fake, oauth);
      const creds = await oauth.exchangeCode(code, redirectUri);
      expect(creds).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), scope: ROMPSLOMP_SCOPE });
      const lifetime = Date.parse(creds.expiresAt) - Date.now();
      expect(lifetime).toBeGreaterThan(7100_000);
      expect(lifetime).toBeLessThanOrEqual(7200_000);
      const again = await failure(oauth.exchangeCode(code, redirectUri));
      expect(again).toBeInstanceOf(ReconnectRequiredError);
      expect(again).toMatchObject({ kind: 'auth', retryable: false });
      expect(again.message).toContain('autorisatiecode');
    });

    it('refuses a wrong client secret with a message about the app, not about the tenant', async () => {
      const oauth = oauthOf(fake, { ...DEFAULT_RS_APP, clientSecret: 'wrong' });
      const err = await failure(oauth.exchangeCode(await authorizeCode(fake, oauth), redirectUri));
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
      expect(err).not.toBeInstanceOf(ReconnectRequiredError);
      expect(err.message).toContain('kent de app van Simon niet');
    });

    it('rotates refresh tokens: the old one stops working once used', async () => {
      const oauth = oauthOf(fake);
      const first = await oauth.exchangeCode(await authorizeCode(fake, oauth), redirectUri);
      const second = await oauth.refresh(first);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(await failure(oauth.refresh(first))).toBeInstanceOf(ReconnectRequiredError);
      expect((await oauth.refresh(second)).accessToken).toBeTruthy();
    });

    it('the generic client (lib/oauth.ts) adds a PKCE S256 challenge when asked and can authenticate with HTTP Basic', async () => {
      const { verifier, challenge } = await pkcePair();
      expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
      const client = createOAuthClient({ ...rompslompOAuthConfig({ baseUrl: fake.url, ...DEFAULT_RS_APP }), pkce: true, clientAuthentication: 'basic' });
      const url = new URL(client.authorizeUrl('s', redirectUri, challenge));
      expect(url.searchParams.get('code_challenge')).toBe(challenge);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
      const creds = await client.exchangeCode(back.searchParams.get('code')!, redirectUri, verifier);
      expect(creds.accessToken).toBeTruthy();
      expect(accessTokenExpired(creds)).toBe(false);
      expect(accessTokenExpired({ ...creds, expiresAt: new Date(Date.now() + 30_000).toISOString() })).toBe(true);
      expect(accessTokenExpired({ ...creds, expiresAt: '' })).toBe(false);
    });

    it('is registered for rompslomp only among the providers built so far', () => {
      const env = parseEnv({ ROMPSLOMP_BASE_URL: fake.url });
      expect(oauthFactory('rompslomp', env)).not.toBeNull();
      expect(oauthFactory('factuursturen', env)).toBeNull();
    });
  });

  describe('tokens during a run', () => {
    it('refreshes transparently when the access token lapses mid-listing, and carries on with the new one', async () => {
      const connector = connect();
      fake.faults.expireAccessTokensAfter = 1;
      const before = fake.state.oauthRequests.refresh_token;
      const { records, pages } = await listAll((req) => connector.listCustomers(req), 100);
      expect(pages).toBe(3);
      expect(records).toHaveLength(250);
      expect(refreshes).toBe(1);
      expect(fake.state.oauthRequests.refresh_token - before).toBe(1);
    });

    it('refreshes before the first call when the stored token has expired, without a refused request', async () => {
      const connector = connect({ credentials: { ...tokens, expiresAt: new Date(Date.now() - 1000).toISOString() } });
      const requests = fake.state.requestCount;
      await connector.listArticles({ cursor: null, since: null });
      expect(refreshes).toBe(1);
      expect(fake.state.requestCount - requests).toBe(1);
    });

    it('refreshes once for calls that find the token lapsed at the same time', async () => {
      const connector = connect();
      fake.expireAccessTokens();
      await Promise.all([
        connector.listArticles({ cursor: null, since: null }),
        connector.listCustomers({ cursor: null, since: null }),
        connector.findDocument(lookupOf('none-such')),
      ]);
      expect(refreshes).toBe(1);
    });

    it('gives up with a reconnect-required error when Rompslomp revoked the refresh token', async () => {
      const own = await tokensFor(fake);
      let current = own;
      const connector = createRompslompConnector({
        baseUrl: fake.url, credentials: own, settings: settingsFor(),
        refreshCredentials: async (stale) => (current = await oauthOf(fake).refresh(stale)),
      });
      await connector.listArticles({ cursor: null, since: null });
      for (const t of fake.state.refreshTokens.values()) t.revoked = true;
      fake.expireAccessTokens();
      const err = await failure(connector.listArticles({ cursor: null, since: null }));
      expect(err).toBeInstanceOf(ReconnectRequiredError);
      expect(err.message).toContain('ingetrokken of verlopen');
      expect(current).toBe(own);
      // The shared tokens of the other tests are revoked too: start them afresh.
      tokens = await tokensFor(fake);
    });

    it('refuses without a refresh path as an auth error', async () => {
      fake.expireAccessTokens();
      const err = await failure(connect({ refresh: false }).listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
      tokens = await tokensFor(fake);
    });
  });

  describe('listings', () => {
    it('pages contacts with page/per_page (at most 100), customers only, with X-Total as total', async () => {
      const connector = connect();
      const first = await connector.listCustomers({ cursor: null, since: null, pageSize: 500 });
      expect(first.records).toHaveLength(100);
      expect(first.total).toBe(250);
      expect(first.nextCursor).toBe('2@100');
      const third = await connector.listCustomers({ cursor: '3@100', since: null });
      expect(third.records).toHaveLength(50);
      expect(third.nextCursor).toBeNull();
      expect(third.highWaterMark).toBeNull();
      const suppliers = fake.company(SEED_COMPANY_ID).contacts.filter((c) => c.is_supplier).map((c) => String(c.id));
      const { records } = await listAll((req) => connector.listCustomers(req), 100);
      expect(records.some((r) => suppliers.includes(r.externalId))).toBe(false);
    });

    it('pages without the paging headers too (not realistic: they are documented): a short page is the last', async () => {
      fake.state.pagingHeaders = false;
      const connector = connect();
      const customers = await listAll((req) => connector.listCustomers(req), 100);
      expect(customers.records).toHaveLength(250);
      expect(customers.pages).toBe(3);
      expect(customers.total).toBeUndefined();
      // 30 products in pages of 10: the fourth, empty page is the only way to know the third was the last.
      const articles = await listAll((req) => connector.listArticles(req), 10);
      expect(articles.records).toHaveLength(30);
      expect(articles.pages).toBe(4);
    });

    it('maps contacts to active customers (no active flag upstream) and an individual to the person name', async () => {
      const connector = connect();
      const { records } = await listAll((req) => connector.listCustomers(req), 100);
      const raw = fake.company(SEED_COMPANY_ID).contacts;
      const company = raw.find((c) => !c.is_individual)!;
      const person = raw.find((c) => c.is_individual && !c.is_supplier)!;
      expect(records.find((r) => r.externalId === String(company.id))).toEqual({
        externalId: String(company.id), number: company.contact_number, name: company.company_name,
        address: { street: company.address, postalCode: company.zipcode, city: company.city, country: 'NL' },
        email: company.contact_person_email_address, phone: company.phone, active: true, workAddresses: [],
      });
      expect(records.find((r) => r.externalId === String(person.id))!.name).toBe(person.contact_person_name);
      expect(records.every((r) => r.active)).toBe(true);
    });

    it('keys articles by product id, with the product code and the line description; no article groups', async () => {
      const connector = connect();
      const { records } = await listAll((req) => connector.listArticles(req), 100);
      expect(records.slice(0, 3)).toEqual([
        { externalId: '1468038998', code: 'P00006', description: 'standaard', salesPrice: '35.0', unit: null, groupExternalId: null, active: true },
        { externalId: '795957253', code: 'P00007', description: 'Reistijd', salesPrice: '45.0', unit: null, groupExternalId: null, active: true },
        { externalId: '749588242', code: 'P00008', description: 'Werktijd', salesPrice: '62.5', unit: null, groupExternalId: null, active: true },
      ]);
      const requests = fake.state.requestCount;
      expect(await connector.listArticleGroups({ cursor: null, since: null })).toMatchObject({ records: [], nextCursor: null });
      expect(fake.state.requestCount).toBe(requests);
    });

    it('lists within the company of the settings, and refuses without one', async () => {
      fake.company(SEED_SECOND_COMPANY_ID).products = [{ ...fake.company(SEED_COMPANY_ID).products[0], id: 1 }];
      const other = await connect({ settings: settingsFor({ companyId: String(SEED_SECOND_COMPANY_ID) }) }).listArticles({ cursor: null, since: null });
      expect(other.records.map((a) => a.externalId)).toEqual(['1']);
      const err = await failure(connect({ settings: null }).listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.message).toContain('bedrijf');
    });
  });

  describe('Controleer and pick-lists', () => {
    it('echoes the company and the articles it found (id, code, name)', async () => {
      const checks = await connect().checkSettings(settingsFor());
      const byField = Object.fromEntries(checks.map((c) => [c.field, c]));
      expect(byField.companyId).toEqual({ field: 'companyId', ok: true, found: { id: String(SEED_COMPANY_ID), name: 'Installatiebedrijf Jansen B.V.' } });
      expect(byField.travelTimeArticle).toEqual({ field: 'travelTimeArticle', ok: true, found: { id: '795957253', code: 'P00007', name: 'Reistijd', price: '45.0' } });
      expect(byField.termsAccepted).toMatchObject({ ok: true });
      expect(checks.every((c) => c.ok)).toBe(true);
    });

    it('refuses a company on the Gratis plan with the reason, and checks articles only once the company is valid', async () => {
      const checks = await connect().checkSettings(settingsFor({ companyId: String(SEED_GRATIS_COMPANY_ID) }));
      const byField = Object.fromEntries(checks.map((c) => [c.field, c]));
      expect(byField.companyId).toMatchObject({ ok: false, found: { name: 'Klusbedrijf Jansen (Gratis)' } });
      expect(byField.companyId.error).toContain('Gratis-abonnement');
      expect(byField.workTimeArticle).toMatchObject({ ok: false, error: expect.stringContaining('Kies eerst een bedrijf') });
    });

    it('names an unknown company and an unknown article code per field', async () => {
      const unknownCompany = await connect().checkSettings(settingsFor({ companyId: '12345' }));
      expect(unknownCompany.find((c) => c.field === 'companyId')).toMatchObject({ ok: false, error: 'Administratienummer niet bekend' });
      const unknownArticle = await connect().checkSettings(settingsFor({ defaultArticle: 'BESTAATNIET', travelTimeArticle: null }));
      const byField = Object.fromEntries(unknownArticle.map((c) => [c.field, c]));
      expect(byField.defaultArticle).toMatchObject({ ok: false, error: 'Artikel niet bekend in Rompslomp' });
      expect(byField.workTimeArticle).toMatchObject({ ok: true });
      expect(byField.travelTimeArticle).toBeUndefined();
    });

    it('fails an article whose code two products share, with a clear Dutch text (Simon cannot tell which one is meant)', async () => {
      const data = fake.company(SEED_COMPANY_ID);
      const twin = { ...data.products[1], id: 795957254, invoice_line: { ...data.products[1].invoice_line, description: 'Reistijd (oud)' } };
      data.products.push(twin);
      try {
        const checks = await connect().checkSettings(settingsFor());
        expect(checks.find((c) => c.field === 'travelTimeArticle')).toEqual({
          field: 'travelTimeArticle', ok: false, error: "Artikelcode 'P00007' komt 2 keer voor in Rompslomp; geef elk product een eigen artikelcode en kies 'Controleer' opnieuw",
        });
        expect(checks.find((c) => c.field === 'workTimeArticle')).toMatchObject({ ok: true });
      } finally {
        data.products.splice(data.products.indexOf(twin), 1);
      }
    });

    it('offers the companies (the Gratis one marked with its reason) and an article search', async () => {
      const companies = await connect({ settings: null }).options!('companies', null);
      expect(companies.map((c) => [c.id, c.apiAccessible])).toEqual([
        [String(SEED_COMPANY_ID), true], [String(SEED_SECOND_COMPANY_ID), true], [String(SEED_GRATIS_COMPANY_ID), false],
      ]);
      expect(companies[2].reason).toContain('Gratis');
      const articles = await connect().options!('articles', 'reis');
      expect(articles).toEqual([expect.objectContaining({ id: 'P00007', code: 'P00007', name: 'Reistijd', externalId: '795957253' })]);
      // Before saving, the company being chosen names the list; with two usable companies it must.
      const chosen = await connect({ settings: null }).options!('articles', 'reis', { administration: String(SEED_COMPANY_ID) });
      expect(chosen).toHaveLength(1);
      await expect(connect({ settings: null }).options!('articles', 'reis')).rejects.toThrow('meerdere');
      await expect(connect().options!('journals', null)).rejects.toThrow("Lijst 'journals' bestaat niet");
    });
  });

  describe('concept sales invoice', () => {
    const invoicesFor = (reference: string) => fake.company(SEED_COMPANY_ID).salesInvoices.filter((i) => i.api_reference === reference);

    it('creates a concept with our api_reference, decimal strings, product ids and the products’ VAT types', async () => {
      const reference = `wo-${Date.now()}`;
      const draft = draftFor(fake, reference);
      const created = await connect().createDocument(draft, null);
      const [invoice] = invoicesFor(reference);
      expect(invoice).toBeDefined();
      expect(created).toEqual({ documentId: String(invoice.id), documentNumber: null });
      expect(invoice).toMatchObject({ status: 'concept', contact_id: Number(draft.customer.externalId), date: '2026-11-23', description: 'Werkbon WB-1001' });
      const material = fake.company(SEED_COMPANY_ID).products[5];
      expect(invoice.invoice_lines.map((l) => [l.description, l.quantity, l.price_per_unit, l.product_id, l.vat_type_id])).toEqual([
        ['CV-ketel maakt geluid\nFilter vervangen', '1.0', '0.0', null, 708176756],
        ['Werktijd', '2.0', '62.5', 749588242, 708176756],
        ['Reistijd', '0.25', '45.0', 795957253, 708176756],
        [material.invoice_line.description, '3.0', '4.25', material.id, material.invoice_line.vat_type_id],
        ['standaard', '1.0', '35.0', 1468038998, 708176756],
      ]);
      expect(await connect().findDocument(lookupOf(reference))).toEqual(created);
    });

    it('cuts a line description to 255 characters, counting an emoji as one and never splitting it', async () => {
      const reference = `long-${Date.now()}`;
      await connect().createDocument(draftFor(fake, reference, { lines: [{ kind: 'text', description: `${'x'.repeat(253)}😀🔧🔩` }] }), null);
      const description = invoicesFor(reference)[0].invoice_lines[0].description;
      expect(Array.from(description)).toHaveLength(255);
      expect(description.endsWith('x😀🔧')).toBe(true);
      // A lone surrogate would not survive UTF-8.
      expect(Buffer.from(description, 'utf8').toString('utf8')).toBe(description);
    });

    it('sends quantities as fixed-point strings with six decimals, and 20 minutes at 62.50 comes to 20.83', async () => {
      expect([0.1 + 0.2, 1e-7, 2, 0.333333, 1 / 3, -1.5, 1234567.5].map((q) => formatQuantity(q))).toEqual(['0.3', '0.0', '2.0', '0.333333', '0.333333', '-1.5', '1234567.5']);
      const reference = `third-${Date.now()}`;
      const work = { kind: 'article' as const, role: 'work-time' as const, articleExternalId: '749588242', articleCode: 'P00008', description: 'Werktijd', quantity: 0.333333, unitPrice: null };
      await connect().createDocument(draftFor(fake, reference, { lines: [work] }), null);
      const [invoice] = invoicesFor(reference);
      expect(invoice.invoice_lines[0]).toMatchObject({ quantity: '0.333333', price_per_unit: '62.5', price_without_vat: '20.83', vat_amount: '4.37' });
      expect(invoice).toMatchObject({ price_without_vat: '20.83', vat_amount: '4.37', price_with_vat: '25.2' });
    });

    it('after a 504 that committed, the retry finds the invoice instead of making a second one', async () => {
      const reference = `timeout-${Date.now()}`;
      fake.faults.timeoutAfterCommit = { path: 'sales_invoices', method: 'POST', count: 1 };
      const err = await failure(connect().createDocument(draftFor(fake, reference), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504 });
      expect(invoicesFor(reference)).toHaveLength(1);
      const found = await connect().findDocument(lookupOf(reference));
      expect(found?.documentId).toBe(String(invoicesFor(reference)[0].id));
      // Even creating again does not add one: the reference is taken, so the existing invoice is returned.
      expect(await connect().createDocument(draftFor(fake, reference), null)).toEqual(found);
      expect(invoicesFor(reference)).toHaveLength(1);
    });

    it('maps a 422 to a non-retryable validation error with Rompslomp’s message', async () => {
      const err = await failure(connect().createDocument(draftFor(fake, `bad-${Date.now()}`, { customer: { externalId: '1', name: 'Niemand' } }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 422 });
      expect(err.message).toContain('Contact moet bestaan');
    });

    it('fails clearly when an article no longer exists in Rompslomp', async () => {
      const draft = draftFor(fake, `gone-${Date.now()}`, {
        lines: [{ kind: 'article', role: 'material', articleExternalId: '42', articleCode: 'WEG', description: 'Weg', quantity: 1, unitPrice: null }],
      });
      const err = await failure(connect().createDocument(draft, null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.message).toContain('Artikel WEG is niet (meer) bekend in Rompslomp');
    });
  });

  describe('exactly once: api_reference', () => {
    const invoicesFor = (reference: string) => fake.company(SEED_COMPANY_ID).salesInvoices.filter((i) => i.api_reference === reference);
    const shows = () => fake.state.requests['GET companies/:id/sales_invoices/:id'] ?? 0;

    it('compares the reference exactly, whatever the filter matches (the fake matches loosely)', async () => {
      const base = `simon-${Date.now()}`;
      const longer = await connect().createDocument(draftFor(fake, `${base}0`), null);
      expect(await connect().findDocument(lookupOf(base))).toBeNull();
      const exact = await connect().createDocument(draftFor(fake, base), null);
      expect(exact.documentId).not.toBe(longer.documentId);
      expect(await connect().findDocument(lookupOf(base))).toEqual(exact);
      expect(await connect().findDocument(lookupOf(base.toUpperCase()))).toBeNull();
    });

    it('confirms a hit the listing shows without api_reference by reading the invoice itself', async () => {
      const reference = `simon-show-${Date.now()}`;
      const created = await connect().createDocument(draftFor(fake, reference), null);
      fake.state.apiReferenceIn = { list: false, show: true };
      const before = shows();
      expect(await connect().findDocument(lookupOf(reference))).toEqual(created);
      expect(shows() - before).toBe(1);
    });

    it('never counts a hit it cannot confirm as ours: not found, and a refused create says so instead of making a second', async () => {
      const reference = `simon-hidden-${Date.now()}`;
      await connect().createDocument(draftFor(fake, reference), null);
      fake.state.apiReferenceIn = { list: false, show: false };
      expect(await connect().findDocument(lookupOf(reference))).toBeNull();
      const err = await failure(connect().createDocument(draftFor(fake, reference), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 422 });
      expect(err.providerMessage).toContain("zoek in Rompslomp naar 'Werkbon WB-1001'");
      expect(invoicesFor(reference)).toHaveLength(1);
    });

    it('searches before failing when the create is refused: a taken reference returns the invoice that has it', async () => {
      const reference = `simon-taken-${Date.now()}`;
      const first = await connect().createDocument(draftFor(fake, reference), null);
      const posts = fake.state.requests['POST companies/:id/sales_invoices'];
      expect(await connect().createDocument(draftFor(fake, reference), null)).toEqual(first);
      expect(fake.state.requests['POST companies/:id/sales_invoices']).toBe(posts + 1);
      expect(invoicesFor(reference)).toHaveLength(1);
    });

    it('lists the invoices of the last days by invoice date (search[from]/search[till], selection=all), for the reconciliation', async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const stamp = Date.now();
      const old = await connect().createDocument(draftFor(fake, `simon-old-${stamp}`, { date: day(-10) }), null);
      const recent = await connect().createDocument(draftFor(fake, `simon-recent-${stamp}`, { date: day(-3) }), null);
      const today = await connect().createDocument(draftFor(fake, `simon-today-${stamp}`, { date: day(0) }), null);
      const listed = await connect().listDocuments!(new Date(Date.now() - 7 * 86_400_000));
      const ids = listed.map((d) => d.documentId);
      expect(ids).toEqual(expect.arrayContaining([recent.documentId, today.documentId]));
      expect(ids).not.toContain(old.documentId);
      expect(listed.find((d) => d.documentId === recent.documentId)).toEqual({
        documentId: recent.documentId, documentNumber: null, reference: `simon-recent-${stamp}`,
        customerExternalId: String(fake.company(SEED_COMPANY_ID).contacts[0].id), date: day(-3),
      });
      expect(listed.every((d) => d.date >= day(-8))).toBe(true);
    });
  });

  describe('wire details', () => {
    /** A stand-in for Rompslomp that answers one listing as given, to test what the fake never does. */
    async function stub(answer: { headers: Record<string, string>; body: unknown }) {
      const seen: string[] = [];
      const server = http.createServer((req, res) => {
        seen.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      return { url: `http://127.0.0.1:${port}/api/v1/`, seen, stop: () => new Promise<void>((r) => server.close(() => r())) };
    }
    const contacts = (n: number, extra: Record<string, unknown> = {}) => ({ contacts: Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `Klant ${i + 1}`, ...extra })) });

    it('decides the last page by the X-Per-Page Rompslomp says it used, and pages on with it', async () => {
      const s = await stub({ headers: { 'x-page': '1', 'x-per-page': '40', 'x-total': '100' }, body: contacts(40) });
      try {
        const page = await createRompslompConnector({ baseUrl: s.url, credentials: tokens, settings: settingsFor() }).listCustomers({ cursor: null, since: null, pageSize: 100 });
        expect(s.seen[0]).toContain('per_page=100');
        expect(page).toMatchObject({ total: 100, nextCursor: '2@40' });
      } finally {
        await s.stop();
      }
    });

    it('never reads another page than the one asked for as the end of a listing', async () => {
      const s = await stub({ headers: { 'x-page': '1', 'x-per-page': '100', 'x-total': '250' }, body: contacts(0) });
      try {
        const err = await failure(createRompslompConnector({ baseUrl: s.url, credentials: tokens, settings: settingsFor() }).listCustomers({ cursor: '3@100', since: null }));
        expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
        expect(err.message).toContain('pagina 1 terug in plaats van pagina 3');
      } finally {
        await s.stop();
      }
    });

    it('reports fields the schema does not know, and keeps them out of the record', async () => {
      const s = await stub({ headers: {}, body: contacts(1, { loyalty_points: 12 }) });
      const unexpected: [string, string[]][] = [];
      try {
        const connector = createRompslompConnector({ baseUrl: s.url, credentials: tokens, settings: settingsFor(), onUnexpectedFields: (op, fields) => unexpected.push([op, fields]) });
        const page = await connector.listCustomers({ cursor: null, since: null });
        expect(page.records[0]).toMatchObject({ externalId: '1', name: 'Klant 1' });
        expect(unexpected).toEqual([['GET contacts', ['loyalty_points']]]);
      } finally {
        await s.stop();
      }
    });

    it('makes the OAuth endpoints configurable apart from the API base, derived from it by default', () => {
      const derived = oauthConfig(parseEnv({ ROMPSLOMP_BASE_URL: 'https://api.rompslomp.nl/api/v1/' }), 'rompslomp')!;
      expect([derived.authorizeUrl, derived.tokenUrl]).toEqual(['https://api.rompslomp.nl/oauth/authorize', 'https://api.rompslomp.nl/oauth/token']);
      const apart = oauthConfig(parseEnv({
        ROMPSLOMP_BASE_URL: 'https://api.rompslomp.nl/api/v1/',
        ROMPSLOMP_OAUTH_AUTHORIZE_URL: 'https://rompslomp.nl/oauth/authorize', ROMPSLOMP_OAUTH_TOKEN_URL: 'https://rompslomp.nl/oauth/token',
      }), 'rompslomp')!;
      expect([apart.authorizeUrl, apart.tokenUrl]).toEqual(['https://rompslomp.nl/oauth/authorize', 'https://rompslomp.nl/oauth/token']);
    });

    it('counts one call for an article sync: there are no product groups to fetch', () => {
      expect(estimateSyncCalls('rompslomp', ['articles'])).toBe(1);
      expect(estimateSyncCalls('rompslomp', ['customers', 'articles'])).toBe(2);
    });
  });

  describe('errors', () => {
    it('maps client.rate_limit (429) to a retryable error carrying Retry-After', async () => {
      fake.faults.failNext.push({ status: 429, retryAfterSeconds: 7 });
      const err = await failure(connect().listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 7000 });
      expect(err.message).toContain('Te veel verzoeken aan Rompslomp');
    });

    it('answers 429 itself when the fake’s limit is reached, and tells the caller to hold the tenant back (onRateLimited)', async () => {
      fake.state.rateLimitPerWindow = 0;
      const held: number[] = [];
      const err = await failure(connect({ context: { onRateLimited: (ms) => held.push(ms) } }).listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(held).toEqual([err.retryAfterMs]);
    });

    it('refuses calls for a company without API access with the reason', async () => {
      const err = await failure(connect({ settings: settingsFor({ companyId: String(SEED_GRATIS_COMPANY_ID) }) }).listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 403 });
      expect(err.message).toContain('Gratis abonnement');
    });

    it('treats 5xx as retryable', async () => {
      fake.faults.failNext.push({ status: 503 });
      expect(await failure(connect().listCustomers({ cursor: null, since: null }))).toMatchObject({ kind: 'unavailable', retryable: true });
    });
  });
});
