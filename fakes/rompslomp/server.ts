import type http from 'node:http';
import {
  answerControl, applyLatency, countRequest, createFaults, holdLateCommit, listen, parseJson, readText, retryAfterHeaders, send as sendAs,
  shouldTimeoutAfterCommit, takeFault, type DocumentAdminOp,
} from '../kit.js';
import { SALES_INVOICE_SELECTIONS, createSalesInvoice, invoiceOut, isCalendarDate, listSalesInvoices } from './invoices.js';
import { adminDocuments } from './admin.js';
import { authenticate, authorize, bearerOf, tokenEndpoint } from './oauth.js';
import { companyData, dutchVatTypes, seedRompslomp, type RompslompSeedOptions } from './seed.js';
import {
  apiError, invalidParameter, notFoundEndpoint,
  type FakeRompslompFaults, type FakeRompslompState, type FakeRsApp, type FakeRsCompanyData, type FakeRsContact, type FakeRsProduct, type LoggedRequest, type RsAnswer,
} from './types.js';

/**
 * A fake Rompslomp API v1 over real HTTP on 127.0.0.1 (docs/providers/rompslomp.md), an independent validator of the
 * connector: it refuses what the real service is documented (or, marked so there, inferred) to refuse. OAuth2
 * authorization code at `/oauth/…` of the same origin (./oauth.ts); everything else under `/api/v1/`: `GET companies`
 * (one on the free "Gratis" plan), and per company contacts, products, VAT types and sales invoices (./invoices.ts).
 *
 * - Paging `page` (≥ 1) / `per_page` (1–100, default 40) with `X-Total`, `X-Page`, `X-Per-Page`; out of range is 422.
 * - Only the documented query parameters per endpoint, `selection` values and `search[…]` filters; anything else
 *   is refused with 422 (Rails would probably ignore a wrong filter and answer everything: a mistake that must not
 *   pass the tests). Unknown endpoints and methods: 404 `client.not_found.endpoint`.
 * - 401 with `WWW-Authenticate: Bearer realm="Rompslomp API v1"`; 403 `client.authorization.invalid_scope` when the
 *   token or the company's `allowed_scopes` lacks the scope; 403 `access_denied` for a Gratis company.
 * - A rate limit per authorisation (the token and those refreshed from it): 429 `client.rate_limit` with
 *   `Retry-After`, and every request of that authorisation refused until the window ends.
 * - Faults (latency, any status, timeout after commit, late commit, tokens expiring mid-run) through `faults` or
 *   `POST /__faults`; `requestLog` records every API request with its time and authorisation.
 * - `POST /__documents` changes invoices the way a firm does in Rompslomp itself (./admin.ts).
 */

export * from './types.js';
export { seedRompslomp, SEED_COMPANY_ID, SEED_SECOND_COMPANY_ID, SEED_GRATIS_COMPANY_ID, type RompslompSeedOptions } from './seed.js';

export interface FakeRompslomp {
  /** API base URL including /api/v1/, the connector's baseUrl. The OAuth endpoints live at the same origin. */
  url: string;
  origin: string;
  port: number;
  state: FakeRompslompState;
  faults: FakeRompslompFaults;
  /** The user withdrew Simon's access in Rompslomp: every refresh token (and access token) stops working. */
  revokeAll(): void;
  /** Every access token issued so far expires now. */
  expireAccessTokens(): void;
  company(id: number): FakeRsCompanyData;
  stop(): Promise<void>;
}

export const DEFAULT_RS_APP: FakeRsApp = { clientId: 'simon-dev-client', clientSecret: 'simon-dev-secret', redirectUris: null };
export const DEFAULT_RATE_LIMIT = 100_000;
const API_PREFIX = '/api/v1/';
const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 40;
const MAX_LOGGED_REQUESTS = 10_000;

export function createFakeRompslompState(apps: FakeRsApp[] = [DEFAULT_RS_APP]): FakeRompslompState {
  return {
    apps: [...apps],
    companies: [],
    data: {},
    vatTypes: dutchVatTypes(),
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    accessTokenLifetimeSeconds: 7200,
    authorizeDecision: 'approve',
    nextId: 900_000_001,
    requestCount: 0,
    requests: {},
    requestLog: [],
    oauthRequests: { authorize: 0, authorization_code: 0, refresh_token: 0 },
    rateLimitPerWindow: DEFAULT_RATE_LIMIT,
    rateWindowMs: 60_000,
    rateWindows: new Map(),
    pagingHeaders: true,
    apiReferenceIn: { list: true, show: true },
  };
}

export function noFaults(): FakeRompslompFaults {
  return { ...createFaults(), expireAccessTokensAfter: null };
}

export async function startFakeRompslomp(
  opts: { port?: number; apps?: FakeRsApp[]; seed?: RompslompSeedOptions; accessTokenLifetimeSeconds?: number } = {},
): Promise<FakeRompslomp> {
  const state = createFakeRompslompState(opts.apps);
  if (opts.accessTokenLifetimeSeconds !== undefined) state.accessTokenLifetimeSeconds = opts.accessTokenLifetimeSeconds;
  if (opts.seed) seedRompslomp(state, opts.seed);
  const faults = noFaults();
  const server = await listen((req, res) => handle(req, res, state, faults), opts.port, (res, err) => {
    send(res, 500, apiError('server', `Internal error in fake: ${err instanceof Error ? err.message : String(err)}`));
  });
  const expireAll = () => {
    for (const t of state.accessTokens.values()) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
  };
  return {
    url: `${server.origin}${API_PREFIX}`,
    origin: server.origin,
    port: server.port,
    state,
    faults,
    revokeAll() {
      for (const t of state.refreshTokens.values()) t.revoked = true;
      for (const t of state.accessTokens.values()) t.revoked = true;
    },
    expireAccessTokens: expireAll,
    company: (id) => companyData(state, id),
    stop: () => server.stop(),
  };
}

// ---- request handling ----

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeRompslompState, faults: FakeRompslompFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  const control = {
    faults, noFaults, extraFaults: ['expireAccessTokensAfter'] as const, summary: () => summary(state),
    documents: (op: DocumentAdminOp) => adminDocuments(state, op),
  };
  if (answerControl(res, url.pathname, method, raw, control)) return;
  if (url.pathname === '/oauth/authorize' && method === 'GET') return authorize(url, res, state, (status, body) => send(res, status, body));
  if (url.pathname === '/oauth/token' && method === 'POST') return send(res, ...tokenEndpoint(req, raw, state));
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, notFoundEndpoint().status, notFoundEndpoint().body);

  const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  const counted = path.replace(/\/\d+(?=\/|$)/g, '/:id');
  countRequest(state, `${method} ${counted}`);
  const entry: LoggedRequest = { at: Date.now(), method, path: counted, grant: bearerOf(req.headers.authorization, state)?.grant ?? null, status: 0 };
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    entry.status = status;
    state.requestLog.push(entry);
    if (state.requestLog.length > MAX_LOGGED_REQUESTS) state.requestLog.splice(0, state.requestLog.length - MAX_LOGGED_REQUESTS);
    send(res, status, body, headers);
  };
  await applyLatency(faults);
  // Before the write is carried out: a late commit is checked (uniqueness and all) when it commits.
  await holdLateCommit(faults, method, path);

  const fault = takeFault(faults, method, path);
  if (fault) return reply(fault.status, apiError(fault.type ?? defaultType(fault.status), fault.message ?? defaultMessage(fault.status)), retryAfterHeaders(fault));

  // Counted before authentication: a token that lapses "mid-run" must lapse between two requests of a listing.
  if (faults.expireAccessTokensAfter !== null) {
    if (faults.expireAccessTokensAfter <= 0) {
      for (const t of state.accessTokens.values()) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
      faults.expireAccessTokensAfter = null;
    } else {
      faults.expireAccessTokensAfter--;
    }
  }

  const token = authenticate(req.headers.authorization, state);
  if ('error' in token) {
    return reply(401, apiError('client.authentication.invalid_token', token.error), {
      'www-authenticate': `Bearer realm="Rompslomp API v1", error="invalid_token", error_description="${token.error}"`,
    });
  }

  const limited = rateLimited(state, token.grant);
  if (limited) return reply(429, apiError('client.rate_limit', 'Te veel verzoeken; probeer het later opnieuw'), { 'retry-after': String(limited) });

  const answer = route(method, path, url.searchParams, parseJson(raw), state, token.scope.split(' '));
  if (shouldTimeoutAfterCommit(faults, answer.wrote, method, path)) return reply(504, '<html><body><h1>504 Gateway Time-out</h1></body></html>');
  return reply(answer.status, answer.body, answer.headers);
}

/** Seconds to wait when this authorisation has used its window; null when the request may go on (and is counted). */
function rateLimited(state: FakeRompslompState, grant: string): number | null {
  const now = Date.now();
  let window = state.rateWindows.get(grant);
  if (!window || now - window.start >= state.rateWindowMs) {
    window = { start: now, used: 0 };
    state.rateWindows.set(grant, window);
  }
  if (window.used >= state.rateLimitPerWindow) return Math.max(1, Math.ceil((window.start + state.rateWindowMs - now) / 1000));
  window.used++;
  return null;
}

// ---- routes ----

type ParamRule = 'int' | 'date' | 'text' | 'texts' | readonly string[];
const PAGING = { page: 'int', per_page: 'int' } as const;

/** The endpoints the fake serves, with the query parameters each documents (docs/providers/rompslomp.md §3). */
const ENDPOINTS: Record<string, { scope: string; query: Record<string, ParamRule> }> = {
  'GET contacts': {
    scope: 'manage:contacts',
    query: { ...PAGING, selection: ['all', 'customers', 'suppliers'], 'search[q]': 'text', 'search[contact_person_email_address]': 'text' },
  },
  'GET contacts/:id': { scope: 'manage:contacts', query: {} },
  'GET products': { scope: 'manage:products', query: { ...PAGING, selection: ['all'], 'search[q]': 'text', 'search[product_codes][]': 'texts' } },
  'GET products/:id': { scope: 'manage:products', query: {} },
  'GET sales_invoices': {
    scope: 'manage:sales_invoices',
    query: { ...PAGING, selection: SALES_INVOICE_SELECTIONS, 'search[from]': 'date', 'search[till]': 'date', 'search[contact_id]': 'int', 'search[api_reference]': 'text' },
  },
  'GET sales_invoices/:id': { scope: 'manage:sales_invoices', query: {} },
  'POST sales_invoices': { scope: 'manage:sales_invoices', query: {} },
  'DELETE sales_invoices/:id': { scope: 'manage:sales_invoices', query: {} },
  'GET vat_types': { scope: 'public', query: { ...PAGING, selection: ['all'], since: 'date' } },
  'GET vat_types/:id': { scope: 'public', query: {} },
};

function route(method: string, path: string, query: URLSearchParams, body: unknown, state: FakeRompslompState, scopes: string[]): RsAnswer {
  if (path === 'me' && method === 'GET') {
    return forbiddenScope(scopes, 'read:me') ?? badQuery(query, {}) ?? { status: 200, body: { user: { id: 1, name: 'Jan Jansen', email: 'jan@installatiebedrijf-jansen.nl' } } };
  }
  const [root, companyId, resource, id, ...rest] = path.split('/');
  if (root !== 'companies' || rest.length > 0) return notFoundEndpoint();
  if (companyId === undefined) {
    if (method !== 'GET') return notFoundEndpoint();
    return forbiddenScope(scopes, 'public') ?? badQuery(query, PAGING) ?? paged(query, state.companies, 'companies', state);
  }
  const key = `${method} ${resource ?? ''}${id !== undefined ? '/:id' : ''}`;
  const endpoint = ENDPOINTS[key];
  if (!endpoint) return notFoundEndpoint();

  const company = state.companies.find((c) => String(c.id) === companyId);
  if (!company) return { status: 404, body: apiError('client.not_found.resource', 'Bedrijf niet gevonden') };
  if (!company.access_control.api_accessible) {
    return { status: 403, body: apiError('client.authorization.access_denied', 'Dit bedrijf heeft een Gratis abonnement; de API is niet toegankelijk') };
  }
  const refused = forbiddenScope(scopes, endpoint.scope)
    ?? (company.access_control.allowed_scopes.includes(endpoint.scope)
      ? null
      : { status: 403, body: apiError('client.authorization.invalid_scope', `Dit bedrijf staat de scope ${endpoint.scope} niet toe`) })
    ?? badQuery(query, endpoint.query);
  if (refused) return refused;

  const data = companyData(state, company.id);
  const notFound = (what: string): RsAnswer => ({ status: 404, body: apiError('client.not_found.resource', `${what} niet gevonden`) });
  switch (key) {
    case 'GET contacts': {
      const selection = query.get('selection') ?? 'all';
      const q = (query.get('search[q]') ?? '').toLowerCase();
      const email = query.get('search[contact_person_email_address]');
      const list = data.contacts
        .filter((c) => selection === 'all' || (selection === 'suppliers' ? c.is_supplier : !c.is_supplier))
        .filter((c) => email === null || c.contact_person_email_address === email)
        .filter((c) => !q || [c.company_name, c.contact_person_name, c.contact_person_email_address, c.kvk_number, c.contact_number, c.address, c.phone, c.vat_number, c.zipcode, c.city]
          .some((v) => (v ?? '').toLowerCase().includes(q)));
      return paged(query, list.map(contactOut), 'contacts', state);
    }
    case 'GET contacts/:id': {
      const contact = data.contacts.find((c) => String(c.id) === id);
      return contact ? { status: 200, body: { contact: contactOut(contact) } } : notFound('Contact');
    }
    case 'GET products': {
      const q = (query.get('search[q]') ?? '').toLowerCase();
      const codes = query.getAll('search[product_codes][]');
      const list = data.products
        .filter((p) => codes.length === 0 || codes.includes(p.invoice_line.product_code))
        .filter((p) => !q || [p.invoice_line.description, p.invoice_line.product_code].some((v) => v.toLowerCase().includes(q)));
      return paged(query, list.map((p) => productOut(p, state)), 'products', state);
    }
    case 'GET products/:id': {
      const product = data.products.find((p) => String(p.id) === id);
      return product ? { status: 200, body: { product: productOut(product, state) } } : notFound('Product');
    }
    case 'GET sales_invoices':
      return paged(query, listSalesInvoices(data, query).map((i) => invoiceOut(i, data, state.apiReferenceIn.list)), 'sales_invoices', state);
    case 'GET sales_invoices/:id': {
      const invoice = data.salesInvoices.find((i) => String(i.id) === id);
      return invoice ? { status: 200, body: { sales_invoice: invoiceOut(invoice, data, state.apiReferenceIn.show) } } : notFound('Factuur');
    }
    case 'POST sales_invoices':
      return createSalesInvoice(body, data, state);
    case 'DELETE sales_invoices/:id': {
      const index = data.salesInvoices.findIndex((i) => String(i.id) === id);
      if (index < 0) return notFound('Factuur');
      if (data.salesInvoices[index].status !== 'concept') return { status: 422, body: apiError('client.parameters.validation', 'Een gepubliceerde factuur kan niet worden verwijderd') };
      data.salesInvoices.splice(index, 1);
      return { status: 204, body: '', wrote: true };
    }
    case 'GET vat_types':
      return paged(query, state.vatTypes, 'vat_types', state);
    case 'GET vat_types/:id': {
      const vat = state.vatTypes.find((v) => String(v.id) === id);
      return vat ? { status: 200, body: { vat_type: vat } } : notFound('Btw-soort');
    }
    default:
      return notFoundEndpoint();
  }
}

/** Only the documented query parameters, each with a value of its kind; `page` ≥ 1 and `per_page` 1–100. */
function badQuery(query: URLSearchParams, rules: Record<string, ParamRule>): RsAnswer | null {
  for (const key of new Set(query.keys())) {
    const rule = rules[key];
    if (rule === undefined) {
      return { status: 422, body: apiError('client.parameters.unpermitted_parameters', key.startsWith('search[') ? `Onbekend zoekfilter: ${key}` : `Onbekende parameter: ${key}`) };
    }
    const values = query.getAll(key);
    if (rule !== 'texts' && values.length > 1) return invalidParameter(`${key} mag maar één keer voorkomen`);
    for (const value of values) {
      if (rule === 'int' && !/^\d+$/.test(value)) return invalidParameter(`${key} moet een geheel getal zijn`);
      if (rule === 'date' && !isCalendarDate(value)) return invalidParameter(`${key} moet een datum zijn (JJJJ-MM-DD)`);
      if (Array.isArray(rule) && !rule.includes(value)) return invalidParameter(`${key} moet een van ${rule.join(', ')} zijn`);
    }
  }
  if (query.has('page') && Number(query.get('page')) < 1) return invalidParameter('page moet 1 of hoger zijn');
  const perPage = query.get('per_page');
  if (perPage !== null && (Number(perPage) < 1 || Number(perPage) > MAX_PER_PAGE)) return invalidParameter(`per_page moet tussen 1 en ${MAX_PER_PAGE} liggen`);
  return null;
}

/** `page`/`per_page` (validated) with the documented X-Total/X-Page/X-Per-Page headers. */
function paged(query: URLSearchParams, list: unknown[], key: string, state: FakeRompslompState): RsAnswer {
  const page = Number(query.get('page') ?? '1');
  const perPage = Number(query.get('per_page') ?? String(DEFAULT_PER_PAGE));
  const records = list.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = state.pagingHeaders ? { 'x-total': String(list.length), 'x-page': String(page), 'x-per-page': String(perPage) } : {};
  return { status: 200, body: { [key]: records }, headers };
}

function forbiddenScope(scopes: string[], needed: string): RsAnswer | null {
  return scopes.includes(needed) ? null : { status: 403, body: apiError('client.authorization.invalid_scope', `Het toegangstoken mist de scope ${needed}`) };
}

function contactOut(c: FakeRsContact) {
  return {
    id: c.id, is_individual: c.is_individual, is_supplier: c.is_supplier, name: c.is_individual ? c.contact_person_name : c.company_name,
    company_name: c.company_name, contact_person_name: c.contact_person_name, contact_person_email_address: c.contact_person_email_address,
    address: c.address, zipcode: c.zipcode, city: c.city, government_identification_number: null, country_code: c.country_code,
    kvk_number: c.kvk_number, phone: c.phone, vat_number: c.vat_number, contact_number: c.contact_number, free_1: null, free_2: null, free_3: null,
  };
}

function productOut(p: FakeRsProduct, state: FakeRompslompState) {
  const vat = state.vatTypes.find((v) => v.id === p.invoice_line.vat_type_id) ?? state.vatTypes[0];
  const price = Number(p.invoice_line.price_per_unit);
  return {
    id: p.id,
    number_sold: p.number_sold,
    has_stock: p.has_stock,
    invoice_line: {
      id: p.id,
      description: p.invoice_line.description,
      extended_description: p.invoice_line.extended_description,
      price_per_unit: p.invoice_line.price_per_unit,
      price_with_vat: (price * (1 + Number(vat.value))).toFixed(2),
      price_without_vat: p.invoice_line.price_per_unit,
      vat_amount: (price * Number(vat.value)).toFixed(2),
      vat_rate: vat.value,
      vat_type_id: p.invoice_line.vat_type_id,
      quantity: '1.0',
      product_id: null,
      account_id: null,
      account_path: null,
      product_code: p.invoice_line.product_code,
    },
  };
}

// ---- control and wire helpers ----

function summary(state: FakeRompslompState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    oauthRequests: state.oauthRequests,
    companies: state.companies.map((c) => ({
      id: c.id, name: c.name, apiAccessible: c.access_control.api_accessible,
      contacts: state.data[c.id]?.contacts.length ?? 0, products: state.data[c.id]?.products.length ?? 0, salesInvoices: state.data[c.id]?.salesInvoices.length ?? 0,
    })),
  };
}

function defaultType(status: number): string {
  if (status === 429) return 'client.rate_limit';
  if (status === 401) return 'client.authentication.invalid_token';
  if (status === 403) return 'client.authorization.access_denied';
  if (status === 404) return 'client.not_found.resource';
  if (status === 422) return 'client.parameters.validation';
  return status >= 500 ? 'server' : 'client';
}

function defaultMessage(status: number): string {
  return ({ 429: 'Te veel verzoeken; probeer het later opnieuw', 500: 'Er is een fout opgetreden', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Time-out' } as Record<number, string>)[status] ?? `Fout ${status}`;
}

/** Rompslomp's text answers (error pages) are HTML. */
function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendAs(res, status, body, headers, 'text/html');
}
