import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  answerControl,
  applyLatency,
  holdLateCommit,
  countRequest,
  createFaults,
  listen,
  MATERIAL_SIZES,
  parseJson,
  readText,
  retryAfterHeaders,
  seededRandom,
  send,
  shouldTimeoutAfterCommit,
  spendCount,
  statusText,
  takeFault,
  type BaseFaults,
  type CommitTimeout,
  type FakeAnswer,
  scalarText,
} from '../kit.js';
import type { DocumentAdminOp } from '../kit.js';
import { formatOctopusTimestamp, parseOctopusTimestamp } from '../../lib/octopus-time.js';
import { octopusCreateRefusal, octopusError, OCTOPUS_ERRORS } from './validation.js';

/**
 * A fake Octopus REST API over real HTTP on 127.0.0.1, for tests and the demo. It follows the facts of
 * docs/providers/octopus.md and refuses what the real service refuses (or, where that is unknown, what a careful
 * reading says it may refuse):
 * - `POST /authentication` (header `softwareHouseUuid`, body {user,password}) → {token}; `GET /dossiers` and
 *   `POST /dossiers?dossierId=&localeId=` → {Dossiertoken} with header `Token`; every dossier call with header
 *   `dossierToken` (with `Token` instead: 401, errorCode -79 "Empty access token", S15). Tokens live 10 minutes.
 * - Lists are plain arrays without paging. `relations/modified` and `invoices/modified` read `modifiedTimeStamp` as
 *   UTC wall-clock text (S16) and answer 404 when nothing changed; relations answer `{modified, deleted}` (S13).
 * - Products `{productKey, externProductNr, description{NL,FR}, priceVatExclusive, productGroup{id}, vatCode, …}`,
 *   without `active`; product groups `{productGroupKey, description{NL,FR}}`; book-year periods numbered like 202611.
 * - `POST invoices` takes the number, period, expiry date, and per line count, unit price and VAT code from the
 *   client and fills in nothing (validation.ts); 201 with an empty body. `GET invoices` needs the full key.
 * - Every endpoint class has its own daily limit per dossier and Brussels day (`endpointLimits`; U1: over it a 400
 *   with a limit message, or a 429 in `'429'` mode), next to a daily total per user.
 * - Errors `{errorCode: <negative int>, errorMessage, technicalInfo}`; only -79 is seen in a live client, the other
 *   codes are this fake's (OCTOPUS_ERRORS).
 * Faults: latency, `failNext`, `timeoutAfterCommit` (write stored, then 504), `commitLate`, `expireDossierTokensAfter`.
 */

export const DEFAULT_SOFTWARE_HOUSE_UUID = '5f1d3c2a-7b4e-4c8d-9a61-0c7e2b9d4f10';
export const DEFAULT_OCTOPUS_USER = { user: 'demo@installatie-peeters.be', password: 'octopus-demo-wachtwoord' };
export const DEFAULT_DOSSIER_ID = 101;
export const TOKEN_LIFETIME_MS = 10 * 60_000;
export const DEFAULT_DAILY_QUOTA = 100_000;
const API_PREFIX = '/octopus-rest-api/v1/';

/** The endpoint classes Octopus limits per day, and the numbers reported for them (docs/providers/octopus.md §4). */
export type FakeEndpoint = 'dossiers' | 'bookyears' | 'relations' | 'relations-modified' | 'invoices-modified' | 'products' | 'productgroups' | 'search' | 'invoices';
export const DEFAULT_ENDPOINT_LIMITS: Record<FakeEndpoint, number> = {
  dossiers: 150, bookyears: 24, relations: 2, 'relations-modified': 48, 'invoices-modified': 48, products: 2, productgroups: 2, search: 400, invoices: 400,
};

export interface FakeOctopusUser {
  user: string;
  password: string;
  /** Dossiers this user may open; absent = all. */
  dossierIds?: number[];
}

export interface FakeRelation {
  relationIdentificationServiceData: { relationKey: { id: number }; externalRelationId: number | null };
  name: string;
  firstName: string | null;
  contactPerson: string | null;
  streetAndNr: string | null;
  postalCode: string | null;
  city: string | null;
  country: string | null;
  email: string | null;
  telephone: string | null;
  mobile: string | null;
  vatNr: string | null;
  vatType: number;
  client: boolean;
  supplier: boolean;
  active: boolean;
  /** Payment term in days. */
  expirationDays: number;
  expirationType: number;
}

export interface Multilingual {
  description_NL: string | null;
  description_FR: string | null;
}

/** `productServiceData` (S10, S11): no `active`; a product removed in Octopus is gone from the list. */
export interface FakeProduct {
  productKey: { id: number };
  externProductNr: string;
  description: Multilingual;
  code: Multilingual;
  /** The sales price excl. VAT. */
  priceVatExclusive: number;
  priceVatInclusive: number;
  productGroup: { id: number } | null;
  unit: string | null;
  vatCode: string;
  currencyCode: string;
  defaultBookingAccountNr: number;
  supplierInfo: null;
}

export interface FakeProductGroup {
  productGroupKey: { id: number };
  description: Multilingual;
}

export interface FakeBookyear {
  bookyearKey: { id: number };
  bookyearDescription: string;
  /** Some answers carry a time (S9): `2026-01-01T00:00:00`. */
  startDate: string;
  endDate: string;
  closed: boolean;
  periods: { bookyearPeriod: number; startDate: string; endDate: string }[];
}

export interface FakeJournal {
  bookyearKey: { id: number };
  journalKey: string;
  name: string;
  closed: boolean;
  closedPeriod: number;
  protectedPeriod: number;
  lastBookedDocumentNr: number;
  insertionType: number;
  currencyCode: string;
  customFieldList: { id: number }[];
  customFieldLineList: { id: number }[];
}

export interface FakeVatCode {
  code: string;
  description: string;
  type: string;
  basePercentage: number;
}

export interface FakeInvoiceLine {
  externProductNr: string | null;
  description: string;
  count: number;
  unit: string | null;
  unitPrice: number;
  vatCodeKey: string;
  discountPercentage: number;
}

export interface FakeInvoice {
  bookyearKey: { id: number };
  journalKey: string;
  documentSequenceNr: number;
  bookyearPeriodeNr: number;
  documentDate: string;
  expiryDate: string;
  currencyCode: string;
  exchangeRate: number;
  relationIdentificationServiceData: { relationKey: { id: number } };
  comment: string | null;
  reference: string | null;
  orderReference: string | null;
  customFieldValueList: { customFieldKey: { id: number }; value: string }[];
  invoiceLines: FakeInvoiceLine[];
  /** Not in the API's answers: whether `invoices/book` booked it (we never do: docs/export.md), and its last change. */
  booked: boolean;
  modifiedAt: number;
}

export interface FakeDossier {
  dossierKey: { id: number };
  dossierDescription: string;
  vatNr: string;
  streetAndNr: string;
  postalCode: string;
  city: string;
  country: string;
  languageCode: string;
  relations: FakeRelation[];
  products: FakeProduct[];
  productGroups: FakeProductGroup[];
  bookyears: FakeBookyear[];
  journals: FakeJournal[];
  vatCodes: FakeVatCode[];
  invoices: FakeInvoice[];
  /** The request body of every create the fake carried out, as received (the document preview's tests compare it). */
  receivedCreates?: unknown[];
  /** relation id → last change (ms), for `relations/modified`. */
  relationModifiedAt: Map<number, number>;
  /** relation id → when it was deleted (ms). */
  relationDeletedAt: Map<number, number>;
}

export interface FakeOctopusState {
  softwareHouses: string[];
  users: FakeOctopusUser[];
  dossiers: FakeDossier[];
  tokens: Map<string, { user: string; expiresAt: number }>;
  dossierTokens: Map<string, { user: string; dossierId: number; expiresAt: number }>;
  tokenLifetimeMs: number;
  dossierTokenLifetimeMs: number;
  /** Calls a user may make per day in all (our assumption: Octopus has one too); over it the API answers 429. */
  dailyQuotaPerUser: number;
  usage: Record<string, { day: string; calls: number }>;
  /** Calls per endpoint class per dossier (the dossier listing: per user) per Brussels day. */
  endpointLimits: Record<FakeEndpoint, number>;
  /** How a spent endpoint answers (U1 is unknown): a 400 with a limit message (default) or a 429 until midnight. */
  endpointLimitMode: '400' | '429';
  endpointUsage: Record<string, { day: string; calls: number }>;
  /** The status of a successful create: 201 (S13) or 200 (S12 accepts both); the body is empty either way. */
  createStatus: 200 | 201;
  /** Every request that reached the API paths (control paths not included). */
  requestCount: number;
  /** Per endpoint, e.g. `requests['POST /dossiers/{dossierId}/invoices']`. */
  requests: Record<string, number>;
  /** Requests refused with 401 (token), 429 (total quota) and over an endpoint's daily limit. */
  refused: { unauthorized: number; rateLimited: number; endpointLimited: number };
  /** Dossier calls that sent back the session cookie set on authentication. */
  requestsWithCookie: number;
  now: () => number;
}

export interface FakeOctopusFault {
  status: number;
  /** Substring of the path after /octopus-rest-api/v1/ (e.g. "relations"); absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  body?: unknown;
}

export interface FakeOctopusFaults extends BaseFaults<FakeOctopusFault, CommitTimeout> {
  /** After answering a matching request, every dossier token expires (as after 10 minutes), `count` times. */
  expireDossierTokensAfter: { path: string; method?: string; count: number } | null;
}

export interface FakeOctopus {
  /** Base URL including /octopus-rest-api/v1/, to use as the connector's baseUrl. */
  url: string;
  port: number;
  state: FakeOctopusState;
  faults: FakeOctopusFaults;
  dossier(id?: number): FakeDossier;
  /** Changes a relation as a user would in Octopus (its modified time moves on). */
  updateRelation(relationId: number, patch: Partial<FakeRelation>, dossierId?: number): FakeRelation;
  /** Deletes a relation as a user would: gone from the listing, in `deleted` of `relations/modified`. */
  deleteRelation(relationId: number, dossierId?: number): void;
  /** Ends the tokens handed out so far, as if their 10 minutes were over. */
  expireTokens(which?: 'session' | 'dossier' | 'all'): void;
  /** A new day: every count starts again at 0. */
  resetUsage(): void;
  /** Calls counted today for a user (all endpoints). */
  callsToday(user?: string): number;
  /** Calls of an endpoint class counted today for a dossier. */
  endpointCallsToday(endpoint: FakeEndpoint, dossierId?: number): number;
  stop(): Promise<void>;
}

export function noFaults(): FakeOctopusFaults {
  return { ...createFaults<FakeOctopusFault>(), expireDossierTokensAfter: null };
}

export function createFakeOctopusState(opts: { users?: FakeOctopusUser[]; softwareHouses?: string[]; now?: () => number } = {}): FakeOctopusState {
  const now = opts.now ?? Date.now;
  return {
    softwareHouses: opts.softwareHouses ?? [DEFAULT_SOFTWARE_HOUSE_UUID],
    users: opts.users ?? [{ ...DEFAULT_OCTOPUS_USER }],
    dossiers: [
      emptyDossier(DEFAULT_DOSSIER_ID, 'Installatiebedrijf Peeters BV', now()),
      emptyDossier(DEFAULT_DOSSIER_ID + 1, 'Peeters Vastgoed BV', now()),
    ],
    tokens: new Map(),
    dossierTokens: new Map(),
    tokenLifetimeMs: TOKEN_LIFETIME_MS,
    dossierTokenLifetimeMs: TOKEN_LIFETIME_MS,
    dailyQuotaPerUser: DEFAULT_DAILY_QUOTA,
    usage: {},
    endpointLimits: { ...DEFAULT_ENDPOINT_LIMITS },
    endpointLimitMode: '400',
    endpointUsage: {},
    createStatus: 201,
    requestCount: 0,
    requests: {},
    refused: { unauthorized: 0, rateLimited: 0, endpointLimited: 0 },
    requestsWithCookie: 0,
    now,
  };
}

/** A dossier with last year's book year (closed) and this year's (open), their journals and VAT codes; no relations or products. */
function emptyDossier(id: number, description: string, now: number): FakeDossier {
  const year = new Date(now).getUTCFullYear();
  const bookyear = (byId: number, y: number, closed: boolean, withTime: boolean): FakeBookyear => ({
    bookyearKey: { id: byId },
    bookyearDescription: String(y),
    startDate: `${y}-01-01${withTime ? 'T00:00:00' : ''}`,
    endDate: `${y}-12-31${withTime ? 'T00:00:00' : ''}`,
    closed,
    // Periods are numbered like S15's 200006: year and month, so a connector that computes 1..12 is refused.
    periods: Array.from({ length: 12 }, (_, i) => {
      const m = String(i + 1).padStart(2, '0');
      const last = new Date(Date.UTC(y, i + 1, 0)).getUTCDate();
      return { bookyearPeriod: y * 100 + i + 1, startDate: `${y}-${m}-01`, endDate: `${y}-${m}-${last}` };
    }),
  });
  const journal = (byId: number, journalKey: string, name: string, closed: boolean, insertionType: number): FakeJournal => ({
    bookyearKey: { id: byId }, journalKey, name, closed, closedPeriod: 0, protectedPeriod: 0, lastBookedDocumentNr: 0, insertionType,
    currencyCode: 'EUR', customFieldList: [], customFieldLineList: [],
  });
  return {
    dossierKey: { id },
    dossierDescription: description,
    vatNr: `BE0${String(400_000_000 + id * 7919).slice(0, 9)}`,
    streetAndNr: 'Stationsstraat 12',
    postalCode: '2800',
    city: 'Mechelen',
    country: 'BE',
    languageCode: 'NL',
    relations: [],
    products: [],
    productGroups: [],
    bookyears: [bookyear(1, year - 1, true, false), bookyear(2, year, false, true)],
    journals: [
      journal(1, 'V1', 'Verkoopsfacturen', true, 1),
      journal(2, 'V1', 'Verkoopsfacturen', false, 1),
      journal(2, 'V2', 'Verkoopsfacturen export', true, 1),
      journal(2, 'A1', 'Aankoopfacturen', false, 0),
    ],
    vatCodes: [
      { code: '0', description: 'Vrijgesteld', type: 'S', basePercentage: 0 },
      { code: '6', description: 'BTW 6%', type: 'S', basePercentage: 6 },
      { code: '12', description: 'BTW 12%', type: 'S', basePercentage: 12 },
      { code: '21', description: 'BTW 21%', type: 'S', basePercentage: 21 },
    ],
    invoices: [],
    relationModifiedAt: new Map(),
    relationDeletedAt: new Map(),
  };
}

export async function startFakeOctopus(
  opts: {
    port?: number;
    users?: FakeOctopusUser[];
    softwareHouses?: string[];
    dailyQuotaPerUser?: number;
    endpointLimits?: Partial<Record<FakeEndpoint, number>>;
    tokenLifetimeMs?: number;
    seed?: OctopusSeedOptions;
    now?: () => number;
  } = {},
): Promise<FakeOctopus> {
  const state = createFakeOctopusState({
    ...(opts.users ? { users: opts.users } : {}),
    ...(opts.softwareHouses ? { softwareHouses: opts.softwareHouses } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  if (opts.dailyQuotaPerUser !== undefined) state.dailyQuotaPerUser = opts.dailyQuotaPerUser;
  if (opts.endpointLimits) Object.assign(state.endpointLimits, opts.endpointLimits);
  if (opts.tokenLifetimeMs !== undefined) state.tokenLifetimeMs = state.dossierTokenLifetimeMs = opts.tokenLifetimeMs;
  if (opts.seed) seedOctopus(state, opts.seed);
  const faults = noFaults();

  const server = await listen((req, res) => handle(req, res, state, faults), opts.port, (res, err) => {
    send(res, 500, octopusError(OCTOPUS_ERRORS.internal, `Internal error in fake: ${err instanceof Error ? err.message : String(err)}`));
  });

  const dossier = (id = DEFAULT_DOSSIER_ID) => {
    const d = state.dossiers.find((x) => x.dossierKey.id === id);
    if (!d) throw new Error(`fake Octopus has no dossier ${id}`);
    return d;
  };
  const relationIndex = (d: FakeDossier, relationId: number) => {
    const i = d.relations.findIndex((r) => r.relationIdentificationServiceData.relationKey.id === relationId);
    if (i < 0) throw new Error(`fake Octopus has no relation ${relationId}`);
    return i;
  };
  return {
    url: `${server.origin}${API_PREFIX}`,
    port: server.port,
    state,
    faults,
    dossier,
    updateRelation(relationId, patch, dossierId = DEFAULT_DOSSIER_ID) {
      const d = dossier(dossierId);
      const relation = d.relations[relationIndex(d, relationId)];
      Object.assign(relation, patch);
      d.relationModifiedAt.set(relationId, state.now());
      return relation;
    },
    deleteRelation(relationId, dossierId = DEFAULT_DOSSIER_ID) {
      const d = dossier(dossierId);
      d.relations.splice(relationIndex(d, relationId), 1);
      d.relationModifiedAt.delete(relationId);
      d.relationDeletedAt.set(relationId, state.now());
    },
    expireTokens(which = 'all') {
      if (which !== 'dossier') for (const t of state.tokens.values()) t.expiresAt = 0;
      if (which !== 'session') for (const t of state.dossierTokens.values()) t.expiresAt = 0;
    },
    resetUsage() {
      state.usage = {};
      state.endpointUsage = {};
    },
    callsToday(user = DEFAULT_OCTOPUS_USER.user) {
      const u = state.usage[user];
      return u && u.day === dayOf(state.now()) ? u.calls : 0;
    },
    endpointCallsToday(endpoint, dossierId = DEFAULT_DOSSIER_ID) {
      const u = state.endpointUsage[`${endpoint}|${dossierId}`];
      return u && u.day === dayOf(state.now()) ? u.calls : 0;
    },
    stop: () => server.stop(),
  };
}

// ---- routing ----

type AuthKind = 'none' | 'token' | 'dossier';

interface Ctx {
  state: FakeOctopusState;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  user: string | null;
  dossier: FakeDossier | null;
}

type Answer = FakeAnswer;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  auth: AuthKind;
  /** The daily limit the call counts against (by request: a filtered relation listing is a search). */
  endpoint: (c: Ctx) => FakeEndpoint | null;
  handler: (ctx: Ctx) => Answer;
}

function route(method: string, pattern: string, auth: AuthKind, endpoint: FakeEndpoint | null | ((c: Ctx) => FakeEndpoint | null), handler: (ctx: Ctx) => Answer): Route {
  const regex = new RegExp(`^${pattern.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
  return { method, pattern, regex, auth, endpoint: typeof endpoint === 'function' ? endpoint : () => endpoint, handler };
}

const RELATION_FILTERS = ['relationId', 'extRelationId', 'name', 'vatNr'];

const routes: Route[] = [
  route('POST', '/authentication', 'none', null, authenticate),
  route('GET', '/dossiers', 'token', 'dossiers', listDossiers),
  route('POST', '/dossiers', 'token', 'dossiers', openDossier),
  route('GET', '/dossiers/{dossierId}/relations', 'dossier', (c) => (RELATION_FILTERS.some((f) => c.query.has(f)) ? 'search' : 'relations'), listRelations),
  route('GET', '/dossiers/{dossierId}/relations/modified', 'dossier', 'relations-modified', modifiedRelations),
  route('GET', '/dossiers/{dossierId}/products', 'dossier', 'products', (c) => ({ status: 200, body: c.dossier!.products })),
  route('GET', '/dossiers/{dossierId}/productgroups', 'dossier', 'productgroups', (c) => ({ status: 200, body: c.dossier!.productGroups })),
  route('GET', '/dossiers/{dossierId}/bookyears', 'dossier', 'bookyears', (c) => ({ status: 200, body: c.dossier!.bookyears })),
  route('GET', '/dossiers/{dossierId}/bookyears/{bookyearId}/journals', 'dossier', 'bookyears', (c) => {
    const id = Number(c.params.bookyearId);
    if (!c.dossier!.bookyears.some((b) => b.bookyearKey.id === id)) return { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, `Bookyear ${c.params.bookyearId} not found`) };
    return { status: 200, body: c.dossier!.journals.filter((j) => j.bookyearKey.id === id) };
  }),
  route('GET', '/dossiers/{dossierId}/vatcodes', 'dossier', null, (c) => ({ status: 200, body: c.dossier!.vatCodes })),
  route('GET', '/dossiers/{dossierId}/invoices', 'dossier', 'search', invoiceByKey),
  route('POST', '/dossiers/{dossierId}/invoices', 'dossier', 'invoices', createInvoice),
  route('GET', '/dossiers/{dossierId}/invoices/modified', 'dossier', 'invoices-modified', modifiedInvoices),
  route('POST', '/dossiers/{dossierId}/invoices/book', 'dossier', 'invoices', bookInvoices),
];

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeOctopusState, faults: FakeOctopusFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  const control = { faults, noFaults, extraFaults: ['expireDossierTokensAfter'] as const, summary: () => summary(state), documents: (op: DocumentAdminOp) => adminDocuments(state, op) };
  if (answerControl(res, url.pathname, method, raw, control)) return;
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, octopusError(OCTOPUS_ERRORS.notFound, 'Not found'));

  const path = `/${url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '')}`;
  const candidates = routes.filter((r) => r.regex.test(path));
  const matched = candidates.find((r) => r.method === method);
  countRequest(state, `${method} ${matched?.pattern ?? path}`);
  await applyLatency(faults);
  // A held write is carried out after the hold, whether or not the client still waits (docs/exactly-once.md).
  await holdLateCommit(faults, method, path);

  const relative = path.slice(1);
  const fault = takeFault(faults, method, relative);
  if (fault) return send(res, fault.status, fault.body ?? statusText(fault.status), retryAfterHeaders(fault));

  if (!matched) {
    return candidates.length > 0
      ? send(res, 405, octopusError(OCTOPUS_ERRORS.invalidParameters, `${method} not allowed on ${path}`))
      : send(res, 404, octopusError(OCTOPUS_ERRORS.notFound, `Unknown resource ${path}`));
  }

  const params = (matched.regex.exec(path)?.groups ?? {}) as Record<string, string>;
  const body = parseJson(raw);
  const now = state.now();
  const ctx: Ctx = { state, headers: req.headers, params, query: url.searchParams, body, user: null, dossier: null };

  // Who is calling: the user behind the token, or the user named in the authentication body.
  if (matched.auth === 'none') {
    const user = body && typeof body === 'object' ? scalarText((body as Record<string, unknown>).user) : '';
    ctx.user = state.users.some((u) => u.user === user) ? user : null;
  } else if (matched.auth === 'token') {
    const token = state.tokens.get(header(req, 'token') ?? '');
    if (!token || token.expiresAt <= now) {
      state.refused.unauthorized++;
      return send(res, 401, octopusError(OCTOPUS_ERRORS.invalidToken, 'Invalid or expired token presented, unauthorized'));
    }
    ctx.user = token.user;
  } else {
    const dossierId = Number(params.dossierId);
    const presented = header(req, 'dossiertoken');
    if (presented === undefined) {
      state.refused.unauthorized++;
      // S15: a dossier call with `Token` instead of `dossierToken`.
      return send(res, 401, octopusError(OCTOPUS_ERRORS.emptyAccessToken, 'Empty access token'));
    }
    const token = state.dossierTokens.get(presented);
    if (!token || token.expiresAt <= now || token.dossierId !== dossierId) {
      state.refused.unauthorized++;
      return send(res, 401, octopusError(OCTOPUS_ERRORS.invalidToken, 'Invalid or expired dossier token presented, unauthorized'));
    }
    ctx.user = token.user;
    ctx.dossier = state.dossiers.find((d) => d.dossierKey.id === dossierId) ?? null;
    if (!ctx.dossier) return send(res, 404, octopusError(OCTOPUS_ERRORS.notFound, `Dossier ${params.dossierId} not found`));
    if ((header(req, 'cookie') ?? '').includes('OCTOPUS_SESSION=')) state.requestsWithCookie++;
  }

  if (ctx.user !== null) {
    const day = dayOf(now);
    const usage = state.usage[ctx.user]?.day === day ? state.usage[ctx.user] : (state.usage[ctx.user] = { day, calls: 0 });
    if (usage.calls >= state.dailyQuotaPerUser) {
      state.refused.rateLimited++;
      return send(res, 429, octopusError(OCTOPUS_ERRORS.limitReached, `Daily API call limit of ${state.dailyQuotaPerUser} reached for this user`), untilMidnight(now));
    }
    const endpoint = matched.endpoint(ctx);
    if (endpoint) {
      const key = `${endpoint}|${ctx.dossier?.dossierKey.id ?? `user:${ctx.user}`}`;
      const used = state.endpointUsage[key]?.day === day ? state.endpointUsage[key] : (state.endpointUsage[key] = { day, calls: 0 });
      if (used.calls >= state.endpointLimits[endpoint]) {
        state.refused.endpointLimited++;
        const refusal = octopusError(OCTOPUS_ERRORS.limitReached, `Daily limit of ${state.endpointLimits[endpoint]} calls reached for ${method} ${matched.pattern}`);
        return state.endpointLimitMode === '429' ? send(res, 429, refusal, untilMidnight(now)) : send(res, 400, refusal);
      }
      used.calls++;
    }
    usage.calls++;
  }

  const answer = matched.handler(ctx);

  if (spendCount(faults.expireDossierTokensAfter, (e) => relative.includes(e.path) && (!e.method || e.method.toUpperCase() === method))) {
    for (const t of state.dossierTokens.values()) t.expiresAt = 0;
  }
  if (shouldTimeoutAfterCommit(faults, answer.wrote, method, relative)) return send(res, 504, 'Gateway Time-out');
  return send(res, answer.status, answer.body, answer.headers);
}

// ---- handlers ----

function authenticate(c: Ctx): Answer {
  const input = (c.body ?? {}) as Record<string, unknown>;
  if (typeof input.user !== 'string' || typeof input.password !== 'string' || !input.user || !input.password) {
    return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, 'Invalid or missing parameters passed: user and password are required') };
  }
  const softwareHouse = c.headers.softwarehouseuuid;
  if (typeof softwareHouse !== 'string' || !c.state.softwareHouses.includes(softwareHouse)) {
    return { status: 401, body: octopusError(OCTOPUS_ERRORS.invalidToken, 'Unknown or missing softwareHouseUuid') };
  }
  const account = c.state.users.find((u) => u.user === input.user && u.password === input.password);
  if (!account) return { status: 401, body: octopusError(OCTOPUS_ERRORS.invalidToken, 'Authentication failed: invalid user or password') };
  const token = randomBytes(24).toString('base64url');
  c.state.tokens.set(token, { user: account.user, expiresAt: c.state.now() + c.state.tokenLifetimeMs });
  // SOAP needs the session cookie on later calls; whether REST does is unconfirmed (U13): set it, count who sends it back.
  return { status: 200, body: { token }, headers: { 'set-cookie': `OCTOPUS_SESSION=${randomBytes(8).toString('hex')}; Path=/; HttpOnly` } };
}

function accessible(c: Ctx): FakeDossier[] {
  const account = c.state.users.find((u) => u.user === c.user);
  return c.state.dossiers.filter((d) => !account?.dossierIds || account.dossierIds.includes(d.dossierKey.id));
}

function listDossiers(c: Ctx): Answer {
  return {
    status: 200,
    body: accessible(c).map((d) => ({
      dossierKey: d.dossierKey, dossierDescription: d.dossierDescription, vatNr: d.vatNr, streetAndNr: d.streetAndNr,
      postalCode: d.postalCode, city: d.city, country: d.country, languageCode: d.languageCode,
    })),
  };
}

function openDossier(c: Ctx): Answer {
  const raw = c.query.get('dossierId');
  if (!raw || !/^\d+$/.test(raw)) return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, 'Invalid or missing parameters passed: dossierId') };
  const dossier = accessible(c).find((d) => d.dossierKey.id === Number(raw));
  if (!dossier) return { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, `Dossier ${raw} not found`) };
  const token = randomBytes(24).toString('base64url');
  c.state.dossierTokens.set(token, { user: c.user!, dossierId: dossier.dossierKey.id, expiresAt: c.state.now() + c.state.dossierTokenLifetimeMs });
  return { status: 200, body: { Dossiertoken: token } };
}

/** Every relation, or (a search) those matching `relationId`/`extRelationId`/`name`/`vatNr`: 404 when none (S12). */
function listRelations(c: Ctx): Answer {
  const filters = RELATION_FILTERS.filter((f) => c.query.has(f));
  if (filters.length === 0) return { status: 200, body: c.dossier!.relations };
  const value = (f: string) => c.query.get(f) ?? '';
  const found = c.dossier!.relations.filter((r) =>
    filters.every((f) =>
      f === 'relationId' ? String(r.relationIdentificationServiceData.relationKey.id) === value(f)
        : f === 'extRelationId' ? String(r.relationIdentificationServiceData.externalRelationId ?? '') === value(f)
          : f === 'name' ? r.name.toLowerCase().includes(value(f).toLowerCase())
            : (r.vatNr ?? '') === value(f)));
  return found.length > 0 ? { status: 200, body: found } : { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, 'No relations found') };
}

/** `modifiedTimeStamp` read as UTC wall-clock (S16); a wrong format is a 400. */
function sinceOf(c: Ctx): number | Answer {
  const raw = c.query.get('modifiedTimeStamp') ?? '';
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(raw);
  if (!m) return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, `Invalid or missing parameters passed: modifiedTimeStamp '${raw}' (expected YYYY-MM-DD HH:MM:SS.mmm)`) };
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

function modifiedRelations(c: Ctx): Answer {
  const since = sinceOf(c);
  if (typeof since !== 'number') return since;
  const d = c.dossier!;
  const modified = d.relations.filter((r) => (d.relationModifiedAt.get(r.relationIdentificationServiceData.relationKey.id) ?? 0) >= since);
  const deleted = [...d.relationDeletedAt].filter(([, at]) => at >= since).map(([id]) => ({ relationKey: { id }, externalRelationId: null }));
  if (modified.length === 0 && deleted.length === 0) return { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, 'No modified relations found') };
  return { status: 200, body: { modified, deleted } };
}

const invoiceJson = ({ booked: _booked, modifiedAt: _at, ...invoice }: FakeInvoice) => invoice;

function journalOf(c: Ctx, allowAllBookyears: boolean): { bookyearId: number; journalKey: string } | Answer {
  const bookyearId = Number(c.query.get('bookyearId'));
  const journalKey = c.query.get('journalKey');
  if (!Number.isInteger(bookyearId) || !journalKey) return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, 'Invalid or missing parameters passed: bookyearId and journalKey') };
  if (bookyearId === -1 && allowAllBookyears) return { bookyearId, journalKey };
  if (!c.dossier!.bookyears.some((b) => b.bookyearKey.id === bookyearId)) return { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, `Bookyear ${bookyearId} not found`) };
  if (!c.dossier!.journals.some((j) => j.bookyearKey.id === bookyearId && j.journalKey === journalKey)) {
    return { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, `Journal ${journalKey} not found in bookyear ${bookyearId}`) };
  }
  return { bookyearId, journalKey };
}

/** One invoice by its full key; without `documentSeqNr` a 400 (the pessimistic reading of S13, docs §9 U6). */
function invoiceByKey(c: Ctx): Answer {
  const where = journalOf(c, false);
  if ('status' in where) return where;
  const seq = c.query.get('documentSeqNr');
  if (seq === null || !/^\d+$/.test(seq)) return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, 'Invalid or missing parameters passed: documentSeqNr') };
  const found = c.dossier!.invoices.filter((i) => i.bookyearKey.id === where.bookyearId && i.journalKey === where.journalKey && i.documentSequenceNr === Number(seq));
  return found.length > 0 ? { status: 200, body: found.map(invoiceJson) } : { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, 'No invoices found') };
}

/** Invoices of a journal created or changed since the stamp, booked or not; `bookyearId=-1` = every book year (S12, S13). */
function modifiedInvoices(c: Ctx): Answer {
  const where = journalOf(c, true);
  if ('status' in where) return where;
  const since = sinceOf(c);
  if (typeof since !== 'number') return since;
  const found = c.dossier!.invoices.filter(
    (i) => (where.bookyearId === -1 || i.bookyearKey.id === where.bookyearId) && i.journalKey === where.journalKey && i.modifiedAt >= since,
  );
  return found.length > 0 ? { status: 200, body: found.map(invoiceJson) } : { status: 404, body: octopusError(OCTOPUS_ERRORS.notFound, 'No modified invoices found') };
}

function createInvoice(c: Ctx): Answer {
  const refusal = octopusCreateRefusal(c.dossier!, c.body);
  if (refusal) return refusal;
  const inv = c.body as Record<string, unknown>;
  const lines = (inv.invoiceLines as Record<string, unknown>[]).map((l): FakeInvoiceLine => ({
    externProductNr: typeof l.externProductNr === 'string' && l.externProductNr.trim() ? l.externProductNr.trim() : null,
    description: scalarText(l.description),
    count: Number(l.count),
    unit: typeof l.unit === 'string' ? l.unit : null,
    unitPrice: Number(l.unitPrice),
    vatCodeKey: scalarText(l.vatCodeKey),
    discountPercentage: Number(l.discountPercentage ?? 0),
  }));
  (c.dossier!.receivedCreates ??= []).push(c.body);
  c.dossier!.invoices.push({
    bookyearKey: { id: Number((inv.bookyearKey as { id: unknown }).id) },
    journalKey: String(inv.journalKey),
    documentSequenceNr: Number(inv.documentSequenceNr),
    bookyearPeriodeNr: Number(inv.bookyearPeriodeNr),
    documentDate: String(inv.documentDate).slice(0, 10),
    expiryDate: String(inv.expiryDate).slice(0, 10),
    currencyCode: typeof inv.currencyCode === 'string' ? inv.currencyCode : 'EUR',
    exchangeRate: Number(inv.exchangeRate ?? 1),
    relationIdentificationServiceData: { relationKey: { id: Number((inv.relationIdentificationServiceData as { relationKey: { id: unknown } }).relationKey.id) } },
    comment: typeof inv.comment === 'string' ? inv.comment : null,
    reference: typeof inv.reference === 'string' ? inv.reference : null,
    orderReference: typeof inv.orderReference === 'string' ? inv.orderReference : null,
    customFieldValueList: Array.isArray(inv.customFieldValueList) ? (inv.customFieldValueList as FakeInvoice['customFieldValueList']) : [],
    invoiceLines: lines,
    booked: false,
    modifiedAt: c.state.now(),
  });
  // An empty body (S13: 201; S12 accepts 200 as well): the invoice's key is the number the client sent.
  return { status: c.state.createStatus, body: '', wrote: true };
}

function bookInvoices(c: Ctx): Answer {
  const where = journalOf(c, false);
  if ('status' in where) return where;
  const to = Number(c.query.get('toDocumentSeqNr'));
  if (!Number.isInteger(to)) return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, 'Invalid or missing parameters passed: toDocumentSeqNr') };
  const journal = c.dossier!.journals.find((j) => j.bookyearKey.id === where.bookyearId && j.journalKey === where.journalKey)!;
  let booked = 0;
  for (const inv of c.dossier!.invoices) {
    if (inv.bookyearKey.id === where.bookyearId && inv.journalKey === where.journalKey && !inv.booked && inv.documentSequenceNr <= to) {
      inv.booked = true;
      inv.modifiedAt = c.state.now();
      booked++;
      journal.lastBookedDocumentNr = Math.max(journal.lastBookedDocumentNr, inv.documentSequenceNr);
    }
  }
  return { status: 200, body: { bookedDocuments: booked }, wrote: true };
}

// ---- control and wire helpers ----

function summary(state: FakeOctopusState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    refused: state.refused,
    usage: state.usage,
    endpointUsage: state.endpointUsage,
    dossiers: state.dossiers.map((d) => ({
      id: d.dossierKey.id, relations: d.relations.length, products: d.products.length, productGroups: d.productGroups.length, invoices: d.invoices.length,
    })),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The Brussels calendar day of an instant, `YYYY-MM-DD`: the limits' day (S17). */
function dayOf(t: number): string {
  return formatOctopusTimestamp(new Date(t)).slice(0, 10);
}

function untilMidnight(t: number): Record<string, string> {
  const [y, m, d] = dayOf(t).split('-').map(Number) as [number, number, number];
  const next = parseOctopusTimestamp(`${new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)} 00:00:00.000`)!.getTime();
  return { 'retry-after': String(Math.max(1, Math.ceil((next - t) / 1000))) };
}

// ---- deterministic demo data ----

export interface OctopusSeedOptions {
  dossierId?: number;
  groups?: number;
  products?: number;
  relations?: number;
  /** Same seed, same data. */
  seed?: number;
}

const groupNames: [string, string][] = [
  ['Tijden', 'Temps'], ['Materialen', 'Matériaux'], ['Diensten', 'Services'], ['Sanitair', 'Sanitaire'], ['Verwarming', 'Chauffage'],
  ['Elektriciteit', 'Électricité'], ['Dakwerken', 'Toitures'], ['Tuin', 'Jardin'],
];
const firstNames = ['Jan', 'Piet', 'Koen', 'Wim', 'Johan', 'Willem', 'Sofie', 'Eva', 'Lotte', 'An', 'Marleen', 'Fien', 'Daan', 'Bram', 'Joost', 'Ruben', 'Ingrid', 'Femke', 'Thijs', 'Noor', 'Lies', 'Gert', 'Tom', 'Ria'];
const lastNames = ['Peeters', 'Janssens', 'Maes', 'Jacobs', 'Mertens', 'Willems', 'Claes', 'Goossens', 'Wouters', 'De Smet', 'Dubois', 'Lambrechts', 'Vermeulen', 'Hermans', 'Aerts', 'Van den Broeck', 'Smets', 'De Vries', 'Bakker', 'Van Dijk'];
const trades = ['Bakkerij', 'Installatiebedrijf', 'Loodgieterij', 'Garage', 'Restaurant', 'Kapsalon', 'Bouwbedrijf', 'Schilderwerken', 'Camping', 'Woonzorgcentrum', 'Hotel', 'Tandartspraktijk', 'Slagerij', 'Fietsenwinkel', 'Sociale huisvesting', 'Sportschool'];
const legalForms = ['', ' BV', ' NV', ' VOF'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Schoolstraat', 'Molenstraat', 'Stationsstraat', 'Nieuwstraat', 'Kapelstraat', 'Leuvensesteenweg', 'Grote Markt', 'Veldstraat', 'Industrieweg', 'Lindelaan', 'Eikenlaan', 'Koningin Astridlaan'];
const cities: [string, string, string][] = [
  ['Mechelen', '2800', 'BE'], ['Antwerpen', '2000', 'BE'], ['Gent', '9000', 'BE'], ['Leuven', '3000', 'BE'], ['Hasselt', '3500', 'BE'],
  ['Brugge', '8000', 'BE'], ['Lier', '2500', 'BE'], ['Aalst', '9300', 'BE'], ['Turnhout', '2300', 'BE'], ['Breda', '4811', 'NL'], ['Eindhoven', '5611', 'NL'],
];
const materials = ['Koperen bocht', 'Knelkoppeling', 'T-stuk', 'Kogelkraan', 'PVC-buis', 'Radiatorkraan', 'Thermostaatknop', 'Expansievat', 'Vlotter', 'Sifon', 'Mengkraan', 'Afvoerbuis', 'Rookmelder', 'Stopcontact', 'Schakelaar', 'Installatiekabel', 'LED-lamp', 'Differentieelschakelaar', 'Luchtfilter', 'Pakking'];

/**
 * Fills a dossier with realistic Flemish data. Products Reistijd, Werktijd and Voorrijkosten exist in group
 * Tijden as in the manual's examples. Relation ids run from 1; every 30th relation is inactive, every 12th is
 * a supplier only (not a customer), every 6th a private person (first name, no company); every 4th pays in 14 days.
 */
export function seedOctopus(state: FakeOctopusState, opts: OctopusSeedOptions = {}): { groups: number; products: number; relations: number } {
  const dossier = state.dossiers.find((d) => d.dossierKey.id === (opts.dossierId ?? DEFAULT_DOSSIER_ID));
  if (!dossier) throw new Error(`fake Octopus has no dossier ${opts.dossierId}`);
  const groupCount = opts.groups ?? 5;
  const productCount = opts.products ?? 150;
  const relationCount = opts.relations ?? 600;
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 1);
  const slug = (s: string) => s.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '');
  const round2 = (n: number) => Math.round(n * 100) / 100;
  const nl = (nlText: string, fr: string | null = null): Multilingual => ({ description_NL: nlText, description_FR: fr });
  const vatRate: Record<string, number> = { '6': 6, '21': 21 };

  dossier.productGroups = Array.from({ length: groupCount }, (_, i) => {
    const [name, fr] = groupNames[i] ?? [`Groep ${i + 1}`, `Groupe ${i + 1}`];
    return { productGroupKey: { id: i + 1 }, description: nl(name, fr) };
  });
  const otherGroup = () => (groupCount > 1 ? 2 + Math.floor(rnd() * (groupCount - 1)) : 1);
  const product = (id: number, nr: string, description: string, price: number, unit: string, group: number, vatCode: string): FakeProduct => ({
    productKey: { id }, externProductNr: nr, description: nl(description), code: nl(nr), priceVatExclusive: price,
    priceVatInclusive: round2(price * (1 + vatRate[vatCode] / 100)), productGroup: { id: group }, unit, vatCode, currencyCode: 'EUR',
    defaultBookingAccountNr: 700000, supplierInfo: null,
  });
  const fixed: [string, string, number, string][] = [['Reistijd', 'Reistijd', 45, 'uur'], ['Werktijd', 'Werktijd', 62.5, 'uur'], ['Voorrijkosten', 'Voorrijkosten', 35, 'stuk']];
  dossier.products = Array.from({ length: productCount }, (_, i): FakeProduct => {
    if (i < fixed.length) {
      const [nr, description, price, unit] = fixed[i];
      return product(i + 1, nr, description, price, unit, 1, '21');
    }
    return product(i + 1, `ART-${1000 + i}`, `${pick(materials)} ${pick(MATERIAL_SIZES)}`, round2(0.95 + rnd() * 120), 'stuk', otherGroup(), rnd() < 0.1 ? '6' : '21');
  });

  const base = state.now() - 24 * 3_600_000;
  dossier.relations = Array.from({ length: relationCount }, (_, i): FakeRelation => {
    const id = i + 1;
    const [city, postalCode, country] = pick(cities);
    const first = pick(firstNames);
    const last = pick(lastNames);
    const person = i % 6 === 5;
    const company = `${pick(trades)} ${last}${pick(legalForms)}`;
    return {
      relationIdentificationServiceData: { relationKey: { id }, externalRelationId: null },
      name: person ? last : company,
      firstName: person ? first : null,
      contactPerson: person ? null : `${first} ${last}`,
      streetAndNr: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      postalCode,
      city,
      country,
      email: person ? `${slug(first + last)}@voorbeeld.be` : `info@${slug(company)}.be`,
      telephone: `0${digits(1)} ${digits(3)} ${digits(2)} ${digits(2)}`,
      mobile: `04${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
      vatNr: person ? null : `BE0${digits(9)}`,
      vatType: person ? 7 : 1,
      client: i % 12 !== 11,
      supplier: i % 12 === 11 || i % 7 === 0,
      active: i % 30 !== 29,
      expirationDays: i % 4 === 3 ? 14 : 30,
      expirationType: 0,
    };
  });
  dossier.relationModifiedAt = new Map(dossier.relations.map((r, i) => [r.relationIdentificationServiceData.relationKey.id, base + i * 1000]));
  dossier.relationDeletedAt = new Map();
  return { groups: groupCount, products: productCount, relations: relationCount };
}

// ---- what a firm does in Octopus itself (control path) ----

/**
 * What a firm does to sales invoices in Octopus itself (`POST /__documents`, fakes/kit.ts), for the reconciliation
 * tests (docs/reconciliation.md). An Octopus invoice carries no reference of ours (docs/providers/octopus.md §6), so
 * `reference` here names the invoice by its key, `bookyearId/journalKey/documentSequenceNr` (the document id Simon
 * records). `duplicate` copies the invoice to the journal's next free number (same relation, date and lines);
 * `create` makes an invoice at the key for the relation (the number Octopus's screen offers next is the one a
 * failed export planned); `renumber` is refused (409): the number is the invoice's key.
 */
function adminDocuments(state: FakeOctopusState, op: DocumentAdminOp): { status: number; body: unknown } {
  const m = /^(\d+)\/([^/]+)\/(\d+)$/.exec(op.reference);
  if (!m) return { status: 400, body: { error: 'reference must be bookyearId/journalKey/documentSequenceNr' } };
  const [bookyearId, journalKey, nr] = [Number(m[1]), m[2], Number(m[3])];
  const at = (i: FakeInvoice) => i.bookyearKey.id === bookyearId && i.journalKey === journalKey && i.documentSequenceNr === nr;
  const found = state.dossiers.flatMap((dossier) => dossier.invoices.filter(at).map((invoice) => ({ dossier, invoice })));
  switch (op.op) {
    case 'delete':
      for (const d of state.dossiers) d.invoices = d.invoices.filter((i) => !at(i));
      return { status: 200, body: { deleted: found.map(() => op.reference) } };
    case 'duplicate': {
      const first = found[0];
      if (!first) return { status: 404, body: { error: `no invoice ${op.reference}` } };
      const inJournal = first.dossier.invoices.filter((i) => i.bookyearKey.id === bookyearId && i.journalKey === journalKey);
      const journal = first.dossier.journals.find((j) => j.bookyearKey.id === bookyearId && j.journalKey === journalKey);
      const next = Math.max(journal?.lastBookedDocumentNr ?? 0, ...inJournal.map((i) => i.documentSequenceNr)) + 1;
      first.dossier.invoices.push({ ...structuredClone(first.invoice), documentSequenceNr: next, booked: false, modifiedAt: state.now() });
      return { status: 201, body: { id: `${bookyearId}/${journalKey}/${next}` } };
    }
    case 'renumber':
      return { status: 409, body: { error: 'the document number is the key of an Octopus invoice and cannot be changed' } };
    case 'create': {
      const dossier = state.dossiers.find((d) => d.relations.some((r) => String(r.relationIdentificationServiceData.relationKey.id) === op.customerExternalId));
      if (!dossier) return { status: 404, body: { error: `no relation ${op.customerExternalId}` } };
      if (found.length > 0) return { status: 409, body: { error: `invoice ${op.reference} exists` } };
      const date = op.date ?? new Date(state.now()).toISOString().slice(0, 10);
      dossier.invoices.push({
        bookyearKey: { id: bookyearId }, journalKey, documentSequenceNr: nr, bookyearPeriodeNr: Number(date.slice(5, 7)), documentDate: date, expiryDate: date,
        currencyCode: 'EUR', exchangeRate: 1, relationIdentificationServiceData: { relationKey: { id: Number(op.customerExternalId) } },
        comment: 'Handmatig aangemaakt', reference: null, orderReference: null, customFieldValueList: [],
        invoiceLines: [{ externProductNr: null, description: 'Handmatig aangemaakt', count: 1, unit: null, unitPrice: 10, vatCodeKey: '21', discountPercentage: 0 }],
        booked: false, modifiedAt: state.now(),
      });
      return { status: 201, body: { id: op.reference } };
    }
  }
}
