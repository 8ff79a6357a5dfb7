import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  answerControl,
  applyLatency,
  holdLateCommit,
  countRequest,
  createFaults,
  listen,
  parseJson,
  readText,
  retryAfterHeaders,
  seededRandom,
  send as sendAs,
  shouldTimeoutAfterCommit,
  SMALL_TOWNS,
  takeFault,
  type BaseFaults,
  type CommitTimeout,
  type FakeAnswer,
} from '../kit.js';

/**
 * A fake Rompslomp API v1 over real HTTP on 127.0.0.1, for tests and the demo (SPEC §10), on the shape of the
 * Swagger 2.0 file (research/accounting-apis.md §4): OAuth2 authorization code (`GET /oauth/authorize`
 * redirects straight back with a code for the fake's one user; `POST /oauth/token`, form-encoded, for the code
 * and refresh grants, with rotating refresh tokens), Bearer access tokens with a configurable lifetime,
 * `/api/v1/companies` (one on the free "Gratis" plan with `api_accessible: false`), and per company contacts,
 * products and concept sales invoices with an `api_reference` unique per company.
 *
 * Paging is `page`/`per_page` (0–100; more is refused with 422). The swagger documents no paging headers; like
 * the rompslomp-mcp client expects, the fake sends `X-Total`, `X-Page` and `X-Per-Page` (UNCONFIRMED upstream).
 * Errors are `{ error: { type, message } }`; a rate limit answers 429 `client.rate_limit` with `Retry-After`.
 * Faults (latency, any status, timeout after commit, access tokens expiring mid-run) come through `faults`
 * or `POST /__faults`.
 */

export const ROMPSLOMP_SCOPES = [
  'public', 'manage:companies', 'manage:contacts', 'manage:sales_invoices', 'manage:payments', 'manage:products', 'read:accounts',
  'manage:journal_entries', 'read:me', 'manage:hours', 'manage:rides', 'manage:expenses', 'manage:quotations',
] as const;

export interface FakeRsApp {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; null accepts any (a test app). */
  redirectUris: string[] | null;
}

export interface FakeRsCompany {
  id: number;
  name: string;
  owner_name: string;
  address: string;
  zipcode: string;
  city: string;
  country_code: string;
  kvk_number: string | null;
  email: string | null;
  website: string | null;
  type: 'eenmanszaak' | 'vof' | 'bv' | 'vereniging' | 'stichting' | 'other';
  vat_liable: boolean;
  vat_number: string | null;
  access_control: { api_accessible: boolean; allowed_scopes: string[] };
}

export interface FakeRsContact {
  id: number;
  is_individual: boolean;
  is_supplier: boolean;
  company_name: string | null;
  contact_person_name: string | null;
  contact_person_email_address: string | null;
  address: string | null;
  zipcode: string | null;
  city: string | null;
  country_code: string | null;
  kvk_number: string | null;
  phone: string | null;
  vat_number: string | null;
  contact_number: string;
}

export interface FakeRsProduct {
  id: number;
  has_stock: boolean;
  number_sold: number;
  invoice_line: {
    description: string;
    extended_description: string | null;
    /** Excl. VAT, decimal string. */
    price_per_unit: string;
    vat_type_id: number;
    product_code: string;
  };
}

export interface FakeRsInvoiceLine {
  id: number;
  description: string;
  extended_description: string | null;
  price_per_unit: string;
  quantity: string;
  vat_type_id: number;
  vat_rate: string;
  product_id: number | null;
}

export interface FakeRsSalesInvoice {
  id: number;
  date: string;
  due_date: string;
  description: string | null;
  status: 'concept' | 'published';
  contact_id: number;
  invoice_number: string | null;
  api_reference: string | null;
  payment_reference: string | null;
  currency: 'eur';
  price_without_vat: string;
  vat_amount: string;
  price_with_vat: string;
  invoice_lines: FakeRsInvoiceLine[];
}

export interface FakeRsCompanyData {
  contacts: FakeRsContact[];
  products: FakeRsProduct[];
  salesInvoices: FakeRsSalesInvoice[];
}

interface CodeGrant { clientId: string; redirectUri: string; scope: string; expiresAt: number; used: boolean }
interface AccessToken { clientId: string; scope: string; expiresAt: number; revoked: boolean; refreshToken: string }
interface RefreshToken { clientId: string; scope: string; revoked: boolean }

export interface FakeRompslompState {
  apps: FakeRsApp[];
  companies: FakeRsCompany[];
  /** Contacts, products and invoices per company id. */
  data: Record<number, FakeRsCompanyData>;
  vatTypes: { id: number; name: string; value: string }[];
  codes: Map<string, CodeGrant>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  /** Seconds an access token lives (Rompslomp: 7200). */
  accessTokenLifetimeSeconds: number;
  /** What the fake's user answers on the consent screen. */
  authorizeDecision: 'approve' | 'deny';
  nextId: number;
  /** Every request to /api/v1 (token and control paths not included). */
  requestCount: number;
  /** Per "METHOD path" with ids as `:id`, e.g. `requests['POST companies/:id/sales_invoices']`. */
  requests: Record<string, number>;
  /** Calls to `POST /oauth/token` per grant type, and authorize redirects. */
  oauthRequests: { authorize: number; authorization_code: number; refresh_token: number };
  /** API calls allowed per client per minute (429 `client.rate_limit` beyond). */
  rateLimitPerMinute: number;
  rateWindow: { start: number; used: number };
  /** Send X-Total/X-Page/X-Per-Page (UNCONFIRMED upstream; off to test a client that must do without). */
  pagingHeaders: boolean;
}

export interface FakeRsFault {
  status: number;
  /** Substring of the path after /api/v1/ (e.g. "sales_invoices"); absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  /** Rompslomp error type for the body; defaults per status. */
  type?: string;
  message?: string;
}

export interface FakeRompslompFaults extends BaseFaults<FakeRsFault, CommitTimeout> {
  /** After this many more API requests every access token issued so far expires (a token lapsing mid-run). */
  expireAccessTokensAfter: number | null;
}

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
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 100_000;
const API_PREFIX = '/api/v1/';
const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 40;
const CODE_TTL_MS = 10 * 60_000;

export function createFakeRompslompState(apps: FakeRsApp[] = [DEFAULT_RS_APP]): FakeRompslompState {
  return {
    apps: [...apps],
    companies: [],
    data: {},
    vatTypes: [
      { id: 708176756, name: 'vat_high', value: '0.21' },
      { id: 708176757, name: 'vat_low', value: '0.09' },
      { id: 708176758, name: 'vat_zero', value: '0.0' },
    ],
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    accessTokenLifetimeSeconds: 7200,
    authorizeDecision: 'approve',
    nextId: 900_000_001,
    requestCount: 0,
    requests: {},
    oauthRequests: { authorize: 0, authorization_code: 0, refresh_token: 0 },
    rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
    rateWindow: { start: Date.now(), used: 0 },
    pagingHeaders: true,
  };
}

export function noFaults(): FakeRompslompFaults {
  return { ...createFaults<FakeRsFault>(), expireAccessTokensAfter: null };
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
    expireAccessTokens() {
      for (const t of state.accessTokens.values()) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
    },
    company: (id) => companyData(state, id),
    stop: () => server.stop(),
  };
}

function companyData(state: FakeRompslompState, id: number): FakeRsCompanyData {
  return (state.data[id] ??= { contacts: [], products: [], salesInvoices: [] });
}

// ---- request handling ----

type Answer = FakeAnswer;

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeRompslompState, faults: FakeRompslompFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  const control = { faults, noFaults, extraFaults: ['expireAccessTokensAfter'] as const, summary: () => summary(state) };
  if (answerControl(res, url.pathname, method, raw, control)) return;
  if (url.pathname === '/oauth/authorize' && method === 'GET') return authorize(url, res, state);
  if (url.pathname === '/oauth/token' && method === 'POST') return send(res, ...tokenEndpoint(req, raw, state));
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, apiError('client.not_found.endpoint', 'Endpoint bestaat niet'));

  const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  countRequest(state, `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/:id')}`);
  await applyLatency(faults);
  await holdLateCommit(faults, method, path);

  const fault = takeFault(faults, method, path);
  if (fault) return send(res, fault.status, apiError(fault.type ?? defaultType(fault.status), fault.message ?? defaultMessage(fault.status)), retryAfterHeaders(fault));

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
  if ('error' in token) return send(res, 401, apiError('client.authentication.invalid_token', token.error), { 'www-authenticate': 'Bearer realm="Rompslomp API", error="invalid_token"' });

  const now = Date.now();
  if (now - state.rateWindow.start >= 60_000) state.rateWindow = { start: now, used: 0 };
  if (state.rateWindow.used >= state.rateLimitPerMinute) {
    const retryAfter = Math.max(1, Math.ceil((state.rateWindow.start + 60_000 - now) / 1000));
    return send(res, 429, apiError('client.rate_limit', 'Te veel verzoeken; probeer het later opnieuw'), { 'retry-after': String(retryAfter) });
  }
  state.rateWindow.used++;

  const answer = route(method, path, url.searchParams, parseJson(raw), state, token.scope.split(' '));
  if (shouldTimeoutAfterCommit(faults, answer.wrote, method, path)) return send(res, 504, '<html><body><h1>504 Gateway Time-out</h1></body></html>');
  return send(res, answer.status, answer.body, answer.headers);
}

function route(method: string, path: string, query: URLSearchParams, body: unknown, state: FakeRompslompState, scopes: string[]): Answer {
  const parts = path.split('/');
  if (parts[0] !== 'companies') {
    if (method === 'GET' && path === 'me') return forbiddenScope(scopes, 'read:me') ?? { status: 200, body: { user: { id: 1, name: 'Jan Jansen', email: 'jan@installatiebedrijf-jansen.nl' } } };
    return { status: 404, body: apiError('client.not_found.endpoint', 'Endpoint bestaat niet') };
  }
  if (parts.length === 1) {
    if (method !== 'GET') return { status: 404, body: apiError('client.not_found.endpoint', 'Endpoint bestaat niet') };
    return forbiddenScope(scopes, 'public') ?? paged(query, state.companies, 'companies', state);
  }

  const company = state.companies.find((c) => String(c.id) === parts[1]);
  if (!company) return { status: 404, body: apiError('client.not_found.resource', 'Bedrijf niet gevonden') };
  if (!company.access_control.api_accessible) {
    return { status: 403, body: apiError('client.authorization.access_denied', 'Dit bedrijf heeft een Gratis abonnement; de API is niet toegankelijk') };
  }
  const data = companyData(state, company.id);
  const [, , resource, id, ...rest] = parts;
  if (rest.length > 0) return { status: 404, body: apiError('client.not_found.endpoint', 'Endpoint bestaat niet') };

  switch (`${method} ${resource}${id !== undefined ? '/:id' : ''}`) {
    case 'GET contacts': {
      const denied = forbiddenScope(scopes, 'manage:contacts');
      if (denied) return denied;
      const selection = query.get('selection') ?? 'all';
      const q = (query.get('search[q]') ?? '').toLowerCase();
      const list = data.contacts
        .filter((c) => selection === 'all' || (selection === 'suppliers' ? c.is_supplier : !c.is_supplier))
        .filter((c) => !q || [c.company_name, c.contact_person_name, c.contact_number].some((v) => (v ?? '').toLowerCase().includes(q)));
      return paged(query, list.map(contactOut), 'contacts', state);
    }
    case 'GET contacts/:id': {
      const denied = forbiddenScope(scopes, 'manage:contacts');
      if (denied) return denied;
      const contact = data.contacts.find((c) => String(c.id) === id);
      return contact ? { status: 200, body: { contact: contactOut(contact) } } : { status: 404, body: apiError('client.not_found.resource', 'Contact niet gevonden') };
    }
    case 'GET products': {
      const denied = forbiddenScope(scopes, 'manage:products');
      if (denied) return denied;
      const q = (query.get('search[q]') ?? '').toLowerCase();
      const codes = query.getAll('search[product_codes][]');
      const list = data.products
        .filter((p) => codes.length === 0 || codes.includes(p.invoice_line.product_code))
        .filter((p) => !q || [p.invoice_line.description, p.invoice_line.product_code].some((v) => v.toLowerCase().includes(q)));
      return paged(query, list.map((p) => productOut(p, state)), 'products', state);
    }
    case 'GET products/:id': {
      const denied = forbiddenScope(scopes, 'manage:products');
      if (denied) return denied;
      const product = data.products.find((p) => String(p.id) === id);
      return product ? { status: 200, body: { product: productOut(product, state) } } : { status: 404, body: apiError('client.not_found.resource', 'Product niet gevonden') };
    }
    case 'GET sales_invoices': {
      const denied = forbiddenScope(scopes, 'manage:sales_invoices');
      if (denied) return denied;
      const selection = query.get('selection') ?? 'all';
      const reference = query.get('search[api_reference]');
      const contactId = query.get('search[contact_id]');
      const list = data.salesInvoices
        .filter((i) => selection === 'all' || i.status === selection)
        .filter((i) => reference === null || i.api_reference === reference)
        .filter((i) => contactId === null || String(i.contact_id) === contactId);
      return paged(query, list, 'sales_invoices', state);
    }
    case 'GET sales_invoices/:id': {
      const denied = forbiddenScope(scopes, 'manage:sales_invoices');
      if (denied) return denied;
      const invoice = data.salesInvoices.find((i) => String(i.id) === id);
      return invoice ? { status: 200, body: { sales_invoice: invoice } } : { status: 404, body: apiError('client.not_found.resource', 'Factuur niet gevonden') };
    }
    case 'POST sales_invoices':
      return forbiddenScope(scopes, 'manage:sales_invoices') ?? createSalesInvoice(body, data, state);
    default:
      return ['contacts', 'products', 'sales_invoices'].includes(resource ?? '')
        ? { status: 405, body: apiError('client.not_found.endpoint', 'Methode niet toegestaan') }
        : { status: 404, body: apiError('client.not_found.endpoint', 'Endpoint bestaat niet') };
  }
}

/** `POST …/sales_invoices`: a concept unless `_publish`; `api_reference` unique per company (422 otherwise). */
function createSalesInvoice(body: unknown, data: FakeRsCompanyData, state: FakeRompslompState): Answer {
  const input = body && typeof body === 'object' ? (body as Record<string, unknown>).sales_invoice : undefined;
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { status: 422, body: apiError('client.parameters.missing_parameter', 'Parameter sales_invoice ontbreekt') };
  }
  const si = input as Record<string, unknown>;
  const invalid = (message: string): Answer => ({ status: 422, body: apiError('client.parameters.validation', message) });

  const contactId = Number(si.contact_id);
  if (!data.contacts.some((c) => c.id === contactId)) return invalid('Contact moet bestaan');
  const reference = typeof si.api_reference === 'string' && si.api_reference.trim() ? si.api_reference : null;
  if (reference !== null && data.salesInvoices.some((i) => i.api_reference === reference)) return invalid('Api reference is al in gebruik');
  const date = typeof si.date === 'string' ? si.date : new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return invalid('Datum is ongeldig');

  const rawLines = Array.isArray(si.invoice_lines) ? si.invoice_lines : [];
  const lines: FakeRsInvoiceLine[] = [];
  for (const [i, l] of rawLines.entries()) {
    const line = (l ?? {}) as Record<string, unknown>;
    const description = typeof line.description === 'string' ? line.description : '';
    if (description.length > 255) return invalid(`Regel ${i + 1}: omschrijving is te lang (maximaal 255 tekens)`);
    const quantity = line.quantity ?? '1.0';
    const price = line.price_per_unit ?? '0.0';
    // The API takes decimals as strings; a JSON number is a client mistake worth catching in the fake.
    if (typeof quantity !== 'string' || !/^-?\d+(\.\d+)?$/.test(quantity)) return invalid(`Regel ${i + 1}: aantal moet een decimaal getal als tekst zijn`);
    if (typeof price !== 'string' || !/^-?\d+(\.\d+)?$/.test(price)) return invalid(`Regel ${i + 1}: prijs per stuk moet een decimaal getal als tekst zijn`);
    let productId: number | null = null;
    if (line.product_id !== undefined && line.product_id !== null) {
      productId = Number(line.product_id);
      if (!data.products.some((p) => p.id === productId)) return invalid(`Regel ${i + 1}: product bestaat niet`);
    }
    const vatTypeId = line.vat_type_id !== undefined && line.vat_type_id !== null ? Number(line.vat_type_id) : state.vatTypes[0].id;
    const vat = state.vatTypes.find((v) => v.id === vatTypeId);
    if (!vat) return invalid(`Regel ${i + 1}: btw-soort bestaat niet`);
    lines.push({
      id: state.nextId++, description, extended_description: typeof line.extended_description === 'string' ? line.extended_description : null,
      price_per_unit: price, quantity, vat_type_id: vatTypeId, vat_rate: vat.value, product_id: productId,
    });
  }

  const net = lines.reduce((sum, l) => sum + Number(l.quantity) * Number(l.price_per_unit), 0);
  const vatAmount = lines.reduce((sum, l) => sum + Number(l.quantity) * Number(l.price_per_unit) * Number(l.vat_rate), 0);
  const published = si._publish === true;
  const invoice: FakeRsSalesInvoice = {
    id: state.nextId++,
    date,
    due_date: new Date(Date.parse(date) + 30 * 86_400_000).toISOString().slice(0, 10),
    description: typeof si.description === 'string' ? si.description : null,
    status: published ? 'published' : 'concept',
    contact_id: contactId,
    invoice_number: published ? `2026-${String(data.salesInvoices.length + 1).padStart(4, '0')}` : null,
    api_reference: reference,
    payment_reference: typeof si.payment_reference === 'string' ? si.payment_reference : null,
    currency: 'eur',
    price_without_vat: net.toFixed(2),
    vat_amount: vatAmount.toFixed(2),
    price_with_vat: (net + vatAmount).toFixed(2),
    invoice_lines: lines,
  };
  data.salesInvoices.push(invoice);
  return { status: 201, body: { sales_invoice: invoice }, wrote: true };
}

/** `page`/`per_page` with the (unconfirmed) X-Total/X-Page/X-Per-Page headers. */
function paged(query: URLSearchParams, list: unknown[], key: string, state: FakeRompslompState): Answer {
  const page = Number(query.get('page') ?? '1');
  const perPage = Number(query.get('per_page') ?? String(DEFAULT_PER_PAGE));
  if (!Number.isInteger(page) || page < 1) return { status: 422, body: apiError('client.parameters.invalid_parameter_value', 'page moet 1 of hoger zijn') };
  if (!Number.isInteger(perPage) || perPage < 0 || perPage > MAX_PER_PAGE) {
    return { status: 422, body: apiError('client.parameters.invalid_parameter_value', `per_page moet tussen 0 en ${MAX_PER_PAGE} liggen`) };
  }
  const records = list.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = state.pagingHeaders ? { 'x-total': String(list.length), 'x-page': String(page), 'x-per-page': String(perPage) } : {};
  return { status: 200, body: { [key]: records }, headers };
}

function forbiddenScope(scopes: string[], needed: string): Answer | null {
  return scopes.includes(needed) ? null : { status: 403, body: apiError('client.authorization.invalid_scope', `Het toegangstoken mist de scope ${needed}`) };
}

function contactOut(c: FakeRsContact) {
  return { ...c, name: c.is_individual ? c.contact_person_name : c.company_name };
}

function productOut(p: FakeRsProduct, state: FakeRompslompState) {
  const vat = state.vatTypes.find((v) => v.id === p.invoice_line.vat_type_id) ?? state.vatTypes[0];
  const price = Number(p.invoice_line.price_per_unit);
  return {
    ...p,
    invoice_line: {
      id: p.id,
      ...p.invoice_line,
      price_with_vat: (price * (1 + Number(vat.value))).toFixed(2),
      price_without_vat: p.invoice_line.price_per_unit,
      vat_amount: (price * Number(vat.value)).toFixed(2),
      vat_rate: vat.value,
      quantity: '1.0',
      product_id: null,
      account_id: null,
      account_path: null,
    },
  };
}

// ---- OAuth ----

/** The consent screen, answered at once by the fake's user (`authorizeDecision`). */
function authorize(url: URL, res: http.ServerResponse, state: FakeRompslompState): void {
  const q = url.searchParams;
  const app = state.apps.find((a) => a.clientId === q.get('client_id'));
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!app) return send(res, 400, '<html><body><h1>Onbekende client</h1><p>De client_id is niet bij Rompslomp geregistreerd.</p></body></html>');
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return send(res, 400, '<html><body><h1>Ongeldige redirect_uri</h1></body></html>');
  }
  if (app.redirectUris && !app.redirectUris.includes(redirectUri)) return send(res, 400, '<html><body><h1>Ongeldige redirect_uri</h1></body></html>');
  state.oauthRequests.authorize++;
  const clientState = q.get('state');
  const redirect = (params: Record<string, string>) => {
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    if (clientState !== null) target.searchParams.set('state', clientState);
    res.writeHead(302, { location: target.toString(), 'content-length': '0' });
    res.end();
  };
  if (q.get('response_type') !== 'code') return redirect({ error: 'unsupported_response_type' });
  const scope = (q.get('scope') ?? 'public').split(/\s+/).filter(Boolean);
  if (scope.some((s) => !(ROMPSLOMP_SCOPES as readonly string[]).includes(s))) return redirect({ error: 'invalid_scope' });
  if (state.authorizeDecision === 'deny') return redirect({ error: 'access_denied', error_description: 'De eigenaar van de bron of de autorisatieserver heeft het verzoek geweigerd.' });
  const code = randomBytes(16).toString('hex');
  state.codes.set(code, { clientId: app.clientId, redirectUri, scope: scope.join(' '), expiresAt: Date.now() + CODE_TTL_MS, used: false });
  redirect({ code });
}

function tokenEndpoint(req: http.IncomingMessage, raw: string, state: FakeRompslompState): [number, unknown] {
  const form = new URLSearchParams(raw);
  let clientId = form.get('client_id');
  let clientSecret = form.get('client_secret');
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map((p) => decodeURIComponent(p ?? ''));
    clientId = id ?? null;
    clientSecret = secret ?? null;
  }
  const app = state.apps.find((a) => a.clientId === clientId && a.clientSecret === clientSecret);
  if (!app) {
    return [401, { error: 'invalid_client', error_description: 'Client verificatie is mislukt door onbekende klant, geen client authenticatie opgegeven, of een niet-ondersteunde authenticatie methode.' }];
  }
  const invalidGrant: [number, unknown] = [400, {
    error: 'invalid_grant',
    error_description: 'De verstrekte autorisatieverlening is ongeldig, verlopen, ingetrokken, komt niet overeen met de redirect URI die is opgegeven in het autorisatieverzoek, of is uitgegeven aan een andere client.',
  }];
  const grant = form.get('grant_type');
  if (grant === 'authorization_code') {
    state.oauthRequests.authorization_code++;
    const code = state.codes.get(form.get('code') ?? '');
    if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== app.clientId || code.redirectUri !== form.get('redirect_uri')) return invalidGrant;
    code.used = true;
    return [200, issueTokens(state, app.clientId, code.scope)];
  }
  if (grant === 'refresh_token') {
    state.oauthRequests.refresh_token++;
    const old = form.get('refresh_token') ?? '';
    const refresh = state.refreshTokens.get(old);
    if (!refresh || refresh.revoked || refresh.clientId !== app.clientId) return invalidGrant;
    // Rotation, as Doorkeeper does: the old refresh token and its access token stop working.
    refresh.revoked = true;
    for (const t of state.accessTokens.values()) if (t.refreshToken === old) t.revoked = true;
    return [200, issueTokens(state, app.clientId, refresh.scope)];
  }
  return [400, { error: 'unsupported_grant_type', error_description: 'Het type autorisatieverlening wordt niet ondersteund door de autorisatieserver.' }];
}

function issueTokens(state: FakeRompslompState, clientId: string, scope: string) {
  const accessToken = randomBytes(24).toString('base64url');
  const refreshToken = randomBytes(24).toString('base64url');
  state.refreshTokens.set(refreshToken, { clientId, scope, revoked: false });
  state.accessTokens.set(accessToken, { clientId, scope, expiresAt: Date.now() + state.accessTokenLifetimeSeconds * 1000, revoked: false, refreshToken });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: state.accessTokenLifetimeSeconds,
    refresh_token: refreshToken,
    scope,
    created_at: Math.floor(Date.now() / 1000),
  };
}

function authenticate(header: string | undefined, state: FakeRompslompState): AccessToken | { error: string } {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return { error: 'Geen toegangstoken meegestuurd' };
  const token = state.accessTokens.get(match[1]);
  if (!token || token.revoked) return { error: 'Het toegangstoken is ongeldig of ingetrokken' };
  if (token.expiresAt <= Date.now()) return { error: 'Het toegangstoken is verlopen' };
  return token;
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

function apiError(type: string, message: string) {
  return { error: { type, message } };
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

// ---- deterministic Dutch demo data ----

export interface RompslompSeedOptions {
  /** Customers (is_supplier false) of the main company. */
  customers?: number;
  /** Suppliers, which the integration must not import. */
  suppliers?: number;
  products?: number;
  seed?: number;
}

/** The company the seed fills; a second paid one and a "Gratis" one exist next to it. */
export const SEED_COMPANY_ID = 708_100_001;
export const SEED_SECOND_COMPANY_ID = 708_100_002;
export const SEED_GRATIS_COMPANY_ID = 708_100_003;

const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Sanne', 'Eva', 'Lotte', 'Anouk', 'Daan', 'Bram', 'Joost', 'Femke', 'Thijs', 'Noor', 'Gerard', 'Ria'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Dekker', 'den Butter'];
const trades = ['Bakkerij', 'Garage', 'Restaurant', 'Kapsalon', 'Bouwbedrijf', 'Camping', 'Hotel', 'Slagerij', 'Woningstichting', 'Sportschool'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Stationsweg', 'Dunantstraat', 'Julianalaan', 'Parallelweg', 'Lindelaan'];
const materials = ['Koperen bocht 15 mm', 'Knelkoppeling 22 mm', 'Kogelkraan 1/2"', 'Radiatorkraan', 'Expansievat', 'Sifon chroom', 'Rookmelder', 'LED-lamp', 'Luchtfilter', 'Pakking set'];

const allScopes = [...ROMPSLOMP_SCOPES];

/**
 * Three companies (two paid, one "Gratis" without API access) and, for the first, contacts and products. The
 * products P00006 standaard, P00007 Reistijd and P00008 Werktijd carry the ids of the manual's screenshots.
 */
export function seedRompslomp(state: FakeRompslompState, opts: RompslompSeedOptions = {}): { customers: number; suppliers: number; products: number } {
  const customers = opts.customers ?? 120;
  const suppliers = opts.suppliers ?? 5;
  const productCount = Math.max(3, opts.products ?? 30);
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 7);

  const company = (id: number, name: string, accessible: boolean, type: FakeRsCompany['type']): FakeRsCompany => ({
    id, name, owner_name: 'Jan Jansen', address: 'Dunantstraat 140', zipcode: '2131 RT', city: 'Hoofddorp', country_code: 'NL',
    kvk_number: digits(8), email: 'info@voorbeeld.nl', website: null, type, vat_liable: true, vat_number: `NL${digits(9)}B01`,
    access_control: { api_accessible: accessible, allowed_scopes: accessible ? allScopes : [] },
  });
  state.companies = [
    company(SEED_COMPANY_ID, 'Installatiebedrijf Jansen B.V.', true, 'bv'),
    company(SEED_SECOND_COMPANY_ID, 'Jansen Onderhoud V.O.F.', true, 'vof'),
    company(SEED_GRATIS_COMPANY_ID, 'Klusbedrijf Jansen (Gratis)', false, 'eenmanszaak'),
  ];
  for (const c of state.companies) companyData(state, c.id);
  const data = companyData(state, SEED_COMPANY_ID);

  const fixed: [number, string, string, string][] = [
    [1468038998, 'P00006', 'standaard', '35.0'],
    [795957253, 'P00007', 'Reistijd', '45.0'],
    [749588242, 'P00008', 'Werktijd', '62.5'],
  ];
  data.products = Array.from({ length: productCount }, (_, i): FakeRsProduct => {
    const [id, code, description, price] = fixed[i] ?? [573_800_000 + i, `P${String(100 + i).padStart(5, '0')}`, pick(materials), (1 + rnd() * 120).toFixed(2)];
    return {
      id, has_stock: i >= fixed.length, number_sold: 0,
      invoice_line: { description, extended_description: null, price_per_unit: price, vat_type_id: i >= fixed.length && rnd() < 0.1 ? state.vatTypes[1].id : state.vatTypes[0].id, product_code: code },
    };
  });

  data.contacts = Array.from({ length: customers + suppliers }, (_, i): FakeRsContact => {
    const [city, zip] = pick(SMALL_TOWNS);
    const person = `${pick(firstNames)} ${pick(lastNames)}`;
    const individual = i % 7 === 6;
    const supplier = i >= customers;
    return {
      id: 573_784_000 + i,
      is_individual: individual,
      is_supplier: supplier,
      company_name: individual ? null : `${supplier ? 'Groothandel' : pick(trades)} ${pick(lastNames).split(' ').pop()}`,
      contact_person_name: person,
      contact_person_email_address: `${person.toLowerCase().replace(/[^a-z]+/g, '.')}@voorbeeld.nl`,
      address: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      zipcode: `${zip}${digits(2)} AB`,
      city,
      country_code: 'NL',
      kvk_number: individual ? null : digits(8),
      phone: `06-${digits(8)}`,
      vat_number: null,
      contact_number: `K${String(i + 1).padStart(5, '0')}`,
    };
  });
  return { customers, suppliers, products: productCount };
}
