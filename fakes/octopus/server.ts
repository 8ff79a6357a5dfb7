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
import { formatOctopusTimestamp, parseOctopusTimestamp } from '../../lib/octopus-time.js';

/**
 * A fake Octopus REST API (research/accounting-apis.md §1) over real HTTP on 127.0.0.1, for tests and the demo
 * (SPEC §10). Same paths, headers and payloads as the connector speaks to the real service:
 * `POST /authentication` (header `softwareHouseUuid`, body {user,password}) → {token}; `GET /dossiers` and
 * `POST /dossiers?dossierId=&localeId=` → {Dossiertoken} with header `Token`; every dossier call with header
 * `dossierToken`. Both tokens live 10 minutes (configurable, and `expireTokens()` ends them at once). Lists are
 * plain arrays without paging; `relations/modified?modifiedTimeStamp=` answers 404 when nothing changed (as the
 * Python client implies). Sales invoices are created unbooked by `POST invoices` (201, empty body) and booked only
 * by `POST invoices/book`. Errors are `{errorCode, errorMessage, technicalInfo}`; a closed journal is 403.
 * A daily call quota per user answers 429 with Retry-After until the end of the (Brussels) day.
 * Faults: latency, `failNext`, `timeoutAfterCommit` (write stored, then 504), `expireDossierTokensAfter`.
 * Field names marked UNCONFIRMED in the research (products, product groups) are our best guess, shared with the connector.
 */

export const DEFAULT_SOFTWARE_HOUSE_UUID = '5f1d3c2a-7b4e-4c8d-9a61-0c7e2b9d4f10';
export const DEFAULT_OCTOPUS_USER = { user: 'demo@installatie-peeters.be', password: 'octopus-demo-wachtwoord' };
export const DEFAULT_DOSSIER_ID = 101;
export const TOKEN_LIFETIME_MS = 10 * 60_000;
export const DEFAULT_DAILY_QUOTA = 100_000;
const API_PREFIX = '/octopus-rest-api/v1/';

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
  client: boolean;
  supplier: boolean;
  active: boolean;
}

/** UNCONFIRMED field names (only `externProductNr` is confirmed, on invoice lines). */
export interface FakeProduct {
  productKey: { id: number };
  externProductNr: string;
  description: string;
  /** Excl. VAT. */
  salesPrice: number;
  unit: string | null;
  productGroupKey: { id: number } | null;
  vatCodeKey: string;
  active: boolean;
}

/** UNCONFIRMED field names. */
export interface FakeProductGroup {
  productGroupKey: { id: number };
  description: string;
  active: boolean;
}

export interface FakeBookyear {
  bookyearKey: { id: number };
  bookyearDescription: string;
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
  lastBookedDocumentNr: number;
  currencyCode: string;
}

export interface FakeInvoiceLine {
  externProductNr: string | null;
  description: string;
  count: number;
  unit: string | null;
  unitPrice: number;
  vatCodeKey: string | null;
}

export interface FakeInvoice {
  bookyearKey: { id: number };
  journalKey: string;
  documentSequenceNr: number;
  documentDate: string;
  currencyCode: string;
  exchangeRate: number;
  relationIdentificationServiceData: { relationKey: { id: number } };
  comment: string | null;
  reference: string | null;
  invoiceLines: FakeInvoiceLine[];
  /** Not a documented field: whether `invoices/book` booked it (we never do: SPEC §14.1). */
  booked: boolean;
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
  invoices: FakeInvoice[];
  /** relation id → last change (ms), for `relations/modified`. */
  relationModifiedAt: Map<number, number>;
}

export interface FakeOctopusState {
  softwareHouses: string[];
  users: FakeOctopusUser[];
  dossiers: FakeDossier[];
  tokens: Map<string, { user: string; expiresAt: number }>;
  dossierTokens: Map<string, { user: string; dossierId: number; expiresAt: number }>;
  tokenLifetimeMs: number;
  dossierTokenLifetimeMs: number;
  /** Calls a user may make per day; over it the API answers 429. */
  dailyQuotaPerUser: number;
  usage: Record<string, { day: string; calls: number }>;
  /** Every request that reached the API paths (control paths not included). */
  requestCount: number;
  /** Per endpoint, e.g. `requests['POST /dossiers/{dossierId}/invoices']`. */
  requests: Record<string, number>;
  /** Requests refused with 401 (expired or unknown token) and 429 (quota). */
  refused: { unauthorized: number; rateLimited: number };
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
  /** Ends the tokens handed out so far, as if their 10 minutes were over. */
  expireTokens(which?: 'session' | 'dossier' | 'all'): void;
  /** A new day for the quota: every user's count starts again at 0. */
  resetUsage(): void;
  /** Calls counted today for a user. */
  callsToday(user?: string): number;
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
    requestCount: 0,
    requests: {},
    refused: { unauthorized: 0, rateLimited: 0 },
    now,
  };
}

/** A dossier with last year's book year (closed) and this year's (open), and its journals; no relations or products. */
function emptyDossier(id: number, description: string, now: number): FakeDossier {
  const year = new Date(now).getUTCFullYear();
  const bookyear = (byId: number, y: number, closed: boolean): FakeBookyear => ({
    bookyearKey: { id: byId },
    bookyearDescription: String(y),
    startDate: `${y}-01-01`,
    endDate: `${y}-12-31`,
    closed,
    periods: Array.from({ length: 12 }, (_, i) => {
      const m = String(i + 1).padStart(2, '0');
      const last = new Date(Date.UTC(y, i + 1, 0)).getUTCDate();
      return { bookyearPeriod: i + 1, startDate: `${y}-${m}-01`, endDate: `${y}-${m}-${last}` };
    }),
  });
  const journal = (byId: number, journalKey: string, name: string, closed: boolean): FakeJournal => ({
    bookyearKey: { id: byId }, journalKey, name, closed, lastBookedDocumentNr: 0, currencyCode: 'EUR',
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
    bookyears: [bookyear(1, year - 1, true), bookyear(2, year, false)],
    journals: [
      journal(1, 'V1', 'Verkoopsfacturen', true),
      journal(2, 'V1', 'Verkoopsfacturen', false),
      journal(2, 'V2', 'Verkoopsfacturen export', true),
      journal(2, 'A1', 'Aankoopfacturen', false),
    ],
    invoices: [],
    relationModifiedAt: new Map(),
  };
}

export async function startFakeOctopus(
  opts: {
    port?: number;
    users?: FakeOctopusUser[];
    softwareHouses?: string[];
    dailyQuotaPerUser?: number;
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
  if (opts.tokenLifetimeMs !== undefined) state.tokenLifetimeMs = state.dossierTokenLifetimeMs = opts.tokenLifetimeMs;
  if (opts.seed) seedOctopus(state, opts.seed);
  const faults = noFaults();

  const server = await listen((req, res) => handle(req, res, state, faults), opts.port, (res, err) => {
    send(res, 500, octopusError('INTERNAL', `Internal error in fake: ${err instanceof Error ? err.message : String(err)}`));
  });

  const dossier = (id = DEFAULT_DOSSIER_ID) => {
    const d = state.dossiers.find((x) => x.dossierKey.id === id);
    if (!d) throw new Error(`fake Octopus has no dossier ${id}`);
    return d;
  };
  return {
    url: `${server.origin}${API_PREFIX}`,
    port: server.port,
    state,
    faults,
    dossier,
    updateRelation(relationId, patch, dossierId = DEFAULT_DOSSIER_ID) {
      const d = dossier(dossierId);
      const relation = d.relations.find((r) => r.relationIdentificationServiceData.relationKey.id === relationId);
      if (!relation) throw new Error(`fake Octopus has no relation ${relationId}`);
      Object.assign(relation, patch);
      d.relationModifiedAt.set(relationId, state.now());
      return relation;
    },
    expireTokens(which = 'all') {
      if (which !== 'dossier') for (const t of state.tokens.values()) t.expiresAt = 0;
      if (which !== 'session') for (const t of state.dossierTokens.values()) t.expiresAt = 0;
    },
    resetUsage() {
      state.usage = {};
    },
    callsToday(user = DEFAULT_OCTOPUS_USER.user) {
      const u = state.usage[user];
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
  handler: (ctx: Ctx) => Answer;
}

function route(method: string, pattern: string, auth: AuthKind, handler: (ctx: Ctx) => Answer): Route {
  const regex = new RegExp(`^${pattern.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
  return { method, pattern, regex, auth, handler };
}

const routes: Route[] = [
  route('POST', '/authentication', 'none', authenticate),
  route('GET', '/dossiers', 'token', listDossiers),
  route('POST', '/dossiers', 'token', openDossier),
  route('GET', '/dossiers/{dossierId}/relations', 'dossier', (c) => {
    const id = c.query.get('relationId');
    const relations = c.dossier!.relations.filter((r) => id === null || String(r.relationIdentificationServiceData.relationKey.id) === id);
    return { status: 200, body: relations };
  }),
  route('GET', '/dossiers/{dossierId}/relations/modified', 'dossier', modifiedRelations),
  route('GET', '/dossiers/{dossierId}/products', 'dossier', (c) => ({ status: 200, body: c.dossier!.products })),
  route('GET', '/dossiers/{dossierId}/productgroups', 'dossier', (c) => ({ status: 200, body: c.dossier!.productGroups })),
  route('GET', '/dossiers/{dossierId}/bookyears', 'dossier', (c) => ({ status: 200, body: c.dossier!.bookyears })),
  route('GET', '/dossiers/{dossierId}/bookyears/{bookyearId}/journals', 'dossier', (c) => {
    const id = Number(c.params.bookyearId);
    if (!c.dossier!.bookyears.some((b) => b.bookyearKey.id === id)) return { status: 404, body: octopusError('BOOKYEAR_NOT_FOUND', `Bookyear ${c.params.bookyearId} not found`) };
    return { status: 200, body: c.dossier!.journals.filter((j) => j.bookyearKey.id === id) };
  }),
  route('GET', '/dossiers/{dossierId}/invoices', 'dossier', listInvoices),
  route('POST', '/dossiers/{dossierId}/invoices', 'dossier', createInvoice),
  route('POST', '/dossiers/{dossierId}/invoices/book', 'dossier', bookInvoices),
];

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeOctopusState, faults: FakeOctopusFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  const control = { faults, noFaults, extraFaults: ['expireDossierTokensAfter'] as const, summary: () => summary(state) };
  if (answerControl(res, url.pathname, method, raw, control)) return;
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, octopusError('NOT_FOUND', 'Not found'));

  const path = `/${url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '')}`;
  const candidates = routes.filter((r) => r.regex.test(path));
  const matched = candidates.find((r) => r.method === method);
  countRequest(state, `${method} ${matched?.pattern ?? path}`);
  await applyLatency(faults);
  await holdLateCommit(faults, method, path);

  const relative = path.slice(1);
  const fault = takeFault(faults, method, relative);
  if (fault) return send(res, fault.status, fault.body ?? statusText(fault.status), retryAfterHeaders(fault));

  if (!matched) {
    return candidates.length > 0
      ? send(res, 405, octopusError('METHOD_NOT_ALLOWED', `${method} not allowed on ${path}`))
      : send(res, 404, octopusError('NOT_FOUND', `Unknown resource ${path}`));
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
      return send(res, 401, octopusError('TOKEN_INVALID', 'Invalid or expired token presented, unauthorized'));
    }
    ctx.user = token.user;
  } else {
    const dossierId = Number(params.dossierId);
    const token = state.dossierTokens.get(header(req, 'dossiertoken') ?? '');
    if (!token || token.expiresAt <= now || token.dossierId !== dossierId) {
      state.refused.unauthorized++;
      return send(res, 401, octopusError('DOSSIER_TOKEN_INVALID', 'Invalid or expired dossier token presented, unauthorized'));
    }
    ctx.user = token.user;
    ctx.dossier = state.dossiers.find((d) => d.dossierKey.id === dossierId) ?? null;
    if (!ctx.dossier) return send(res, 404, octopusError('DOSSIER_NOT_FOUND', `Dossier ${params.dossierId} not found`));
  }

  if (ctx.user !== null) {
    const day = dayOf(now);
    const usage = state.usage[ctx.user]?.day === day ? state.usage[ctx.user] : (state.usage[ctx.user] = { day, calls: 0 });
    if (usage.calls >= state.dailyQuotaPerUser) {
      state.refused.rateLimited++;
      const retryAfter = Math.max(1, Math.ceil((nextDayStart(now) - now) / 1000));
      return send(res, 429, octopusError('QUOTA_EXCEEDED', `Daily API call limit of ${state.dailyQuotaPerUser} reached for this user`), { 'retry-after': String(retryAfter) });
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
    return { status: 400, body: octopusError('INVALID_PARAMETERS', 'Invalid or missing parameters passed: user and password are required') };
  }
  const softwareHouse = c.headers.softwarehouseuuid;
  if (typeof softwareHouse !== 'string' || !c.state.softwareHouses.includes(softwareHouse)) {
    return { status: 401, body: octopusError('SOFTWARE_HOUSE_UNKNOWN', 'Unknown or missing softwareHouseUuid') };
  }
  const account = c.state.users.find((u) => u.user === input.user && u.password === input.password);
  if (!account) return { status: 401, body: octopusError('AUTHENTICATION_FAILED', 'Authentication failed: invalid user or password') };
  const token = randomBytes(24).toString('base64url');
  c.state.tokens.set(token, { user: account.user, expiresAt: c.state.now() + c.state.tokenLifetimeMs });
  return { status: 200, body: { token } };
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
  if (!raw || !/^\d+$/.test(raw)) return { status: 400, body: octopusError('INVALID_PARAMETERS', 'Invalid or missing parameters passed: dossierId') };
  const dossier = accessible(c).find((d) => d.dossierKey.id === Number(raw));
  if (!dossier) return { status: 404, body: octopusError('DOSSIER_NOT_FOUND', `Dossier ${raw} not found`) };
  const token = randomBytes(24).toString('base64url');
  c.state.dossierTokens.set(token, { user: c.user!, dossierId: dossier.dossierKey.id, expiresAt: c.state.now() + c.state.dossierTokenLifetimeMs });
  return { status: 200, body: { Dossiertoken: token } };
}

function modifiedRelations(c: Ctx): Answer {
  const raw = c.query.get('modifiedTimeStamp');
  const since = raw ? parseOctopusTimestamp(raw) : null;
  if (!since) return { status: 400, body: octopusError('INVALID_PARAMETERS', `Invalid or missing parameters passed: modifiedTimeStamp '${raw ?? ''}' (expected YYYY-MM-DD HH:MM:SS.mmm)`) };
  const d = c.dossier!;
  const changed = d.relations.filter((r) => (d.relationModifiedAt.get(r.relationIdentificationServiceData.relationKey.id) ?? 0) >= since.getTime());
  if (changed.length === 0) return { status: 404, body: octopusError('NOT_FOUND', `No relations modified since ${raw}`) };
  return { status: 200, body: changed };
}

function requiredBookyearJournal(c: Ctx): { bookyear: FakeBookyear; journal: FakeJournal } | Answer {
  const bookyearId = Number(c.query.get('bookyearId'));
  const journalKey = c.query.get('journalKey') ?? c.query.get('journal');
  if (!Number.isInteger(bookyearId) || !journalKey) return { status: 400, body: octopusError('INVALID_PARAMETERS', 'Invalid or missing parameters passed: bookyearId and journalKey') };
  const bookyear = c.dossier!.bookyears.find((b) => b.bookyearKey.id === bookyearId);
  if (!bookyear) return { status: 404, body: octopusError('BOOKYEAR_NOT_FOUND', `Bookyear ${bookyearId} not found`) };
  const journal = c.dossier!.journals.find((j) => j.bookyearKey.id === bookyearId && j.journalKey === journalKey);
  if (!journal) return { status: 404, body: octopusError('JOURNAL_NOT_FOUND', `Journal ${journalKey} not found in bookyear ${bookyearId}`) };
  return { bookyear, journal };
}

function listInvoices(c: Ctx): Answer {
  const found = requiredBookyearJournal(c);
  if ('status' in found) return found;
  const seq = c.query.get('documentSeqNr');
  const invoices = c.dossier!.invoices.filter(
    (i) => i.bookyearKey.id === found.bookyear.bookyearKey.id && i.journalKey === found.journal.journalKey && (seq === null || String(i.documentSequenceNr) === seq),
  );
  return { status: 200, body: invoices };
}

function createInvoice(c: Ctx): Answer {
  const d = c.dossier!;
  const input = c.body;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { status: 400, body: octopusError('INVALID_PARAMETERS', 'Invalid or missing parameters passed: no invoice data') };
  const inv = input as Record<string, unknown>;
  const bookyearId = Number((inv.bookyearKey as { id?: unknown } | undefined)?.id);
  const bookyear = d.bookyears.find((b) => b.bookyearKey.id === bookyearId);
  if (!bookyear) return { status: 400, body: octopusError('INVALID_PARAMETERS', `Invalid or missing parameters passed: bookyear ${String(bookyearId)} unknown`) };
  if (bookyear.closed) return { status: 403, body: octopusError('BOOKYEAR_CLOSED', `Bookyear ${bookyear.bookyearDescription} is closed`) };
  const journal = d.journals.find((j) => j.bookyearKey.id === bookyearId && j.journalKey === inv.journalKey);
  if (!journal) return { status: 400, body: octopusError('INVALID_PARAMETERS', `Invalid or missing parameters passed: journal ${scalarText(inv.journalKey)} unknown`) };
  if (journal.closed) return { status: 403, body: octopusError('JOURNAL_CLOSED', `Journal ${journal.journalKey} is closed or in use`) };

  const relationId = Number((inv.relationIdentificationServiceData as { relationKey?: { id?: unknown } } | undefined)?.relationKey?.id);
  const relation = d.relations.find((r) => r.relationIdentificationServiceData.relationKey.id === relationId);
  if (!relation || !relation.client) return { status: 400, body: octopusError('RELATION_NOT_FOUND', `Relation ${String(relationId)} is not a known client`) };

  const documentDate = typeof inv.documentDate === 'string' ? inv.documentDate.slice(0, 10) : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(documentDate) || documentDate < bookyear.startDate || documentDate > bookyear.endDate) {
    return { status: 500, body: octopusError('INVALID_DATE', `Document date '${documentDate}' is not in bookyear ${bookyear.bookyearDescription}`, 'DateOutOfRangeException') };
  }

  const rawLines = Array.isArray(inv.invoiceLines) ? inv.invoiceLines : [];
  if (rawLines.length === 0) return { status: 400, body: octopusError('INVALID_PARAMETERS', 'Invalid or missing parameters passed: invoiceLines') };
  const lines: FakeInvoiceLine[] = [];
  for (const [i, l] of rawLines.entries()) {
    const line = (l ?? {}) as Record<string, unknown>;
    const code = typeof line.externProductNr === 'string' && line.externProductNr.trim() ? line.externProductNr.trim() : null;
    const product = code ? d.products.find((p) => p.externProductNr === code) : undefined;
    if (code && !product) return { status: 500, body: octopusError('PRODUCT_NOT_FOUND', `Line ${i + 1}: product '${code}' does not exist`, 'UnknownProductException') };
    const count = Number(line.count ?? 0);
    if (!Number.isFinite(count)) return { status: 500, body: octopusError('INVALID_AMOUNT', `Line ${i + 1}: count is not a number`) };
    // No unit price on a product line: the product's own sales price (UNCONFIRMED, like the other product behaviour).
    const unitPrice = line.unitPrice === undefined || line.unitPrice === null ? (product?.salesPrice ?? 0) : Number(line.unitPrice);
    if (!Number.isFinite(unitPrice)) return { status: 500, body: octopusError('INVALID_AMOUNT', `Line ${i + 1}: unitPrice is not a number`) };
    lines.push({
      externProductNr: code,
      description: scalarText(line.description ?? product?.description),
      count,
      unit: typeof line.unit === 'string' ? line.unit : product?.unit ?? null,
      unitPrice,
      vatCodeKey: typeof line.vatCodeKey === 'string' ? line.vatCodeKey : product?.vatCodeKey ?? null,
    });
  }

  const taken = d.invoices.filter((i) => i.bookyearKey.id === bookyearId && i.journalKey === journal.journalKey).map((i) => i.documentSequenceNr);
  const documentSequenceNr = Math.max(journal.lastBookedDocumentNr, ...taken, 0) + 1;
  d.invoices.push({
    bookyearKey: { id: bookyearId },
    journalKey: journal.journalKey,
    documentSequenceNr,
    documentDate,
    currencyCode: typeof inv.currencyCode === 'string' ? inv.currencyCode : 'EUR',
    exchangeRate: Number(inv.exchangeRate ?? 1),
    relationIdentificationServiceData: { relationKey: { id: relationId } },
    comment: typeof inv.comment === 'string' ? inv.comment : null,
    reference: typeof inv.reference === 'string' ? inv.reference : null,
    invoiceLines: lines,
    booked: false,
  });
  // The real API answers a create with 201 and an empty body (unnamed Ruby client's tests).
  return { status: 201, body: '', wrote: true };
}

function bookInvoices(c: Ctx): Answer {
  const found = requiredBookyearJournal(c);
  if ('status' in found) return found;
  const to = Number(c.query.get('toDocumentSeqNr'));
  if (!Number.isInteger(to)) return { status: 400, body: octopusError('INVALID_PARAMETERS', 'Invalid or missing parameters passed: toDocumentSeqNr') };
  let booked = 0;
  for (const inv of c.dossier!.invoices) {
    if (inv.bookyearKey.id === found.bookyear.bookyearKey.id && inv.journalKey === found.journal.journalKey && !inv.booked && inv.documentSequenceNr <= to) {
      inv.booked = true;
      booked++;
      found.journal.lastBookedDocumentNr = Math.max(found.journal.lastBookedDocumentNr, inv.documentSequenceNr);
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
    dossiers: state.dossiers.map((d) => ({
      id: d.dossierKey.id, relations: d.relations.length, products: d.products.length, productGroups: d.productGroups.length, invoices: d.invoices.length,
    })),
  };
}

export function octopusError(errorCode: string, errorMessage: string, technicalInfo: string | null = null) {
  return { errorCode, errorMessage, technicalInfo };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The Brussels calendar day of an instant, `YYYY-MM-DD`: the quota's day. */
function dayOf(t: number): string {
  return formatOctopusTimestamp(new Date(t)).slice(0, 10);
}

function nextDayStart(t: number): number {
  const [y, m, d] = dayOf(t).split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return parseOctopusTimestamp(`${next.toISOString().slice(0, 10)} 00:00:00.000`)!.getTime();
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

const groupNames = ['Tijden', 'Materialen', 'Diensten', 'Sanitair', 'Verwarming', 'Elektriciteit', 'Dakwerken', 'Tuin'];
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
 * a supplier only (not a customer), every 6th a private person (first name, no company).
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

  dossier.productGroups = Array.from({ length: groupCount }, (_, i) => ({
    productGroupKey: { id: i + 1 }, description: groupNames[i] ?? `Groep ${i + 1}`, active: true,
  }));
  const otherGroup = () => (groupCount > 1 ? 2 + Math.floor(rnd() * (groupCount - 1)) : 1);
  const fixed: [string, string, number, string][] = [['Reistijd', 'Reistijd', 45, 'uur'], ['Werktijd', 'Werktijd', 62.5, 'uur'], ['Voorrijkosten', 'Voorrijkosten', 35, 'stuk']];
  dossier.products = Array.from({ length: productCount }, (_, i): FakeProduct => {
    if (i < fixed.length) {
      const [nr, description, salesPrice, unit] = fixed[i];
      return { productKey: { id: i + 1 }, externProductNr: nr, description, salesPrice, unit, productGroupKey: { id: 1 }, vatCodeKey: '21', active: true };
    }
    return {
      productKey: { id: i + 1 },
      externProductNr: `ART-${1000 + i}`,
      description: `${pick(materials)} ${pick(MATERIAL_SIZES)}`,
      salesPrice: round2(0.95 + rnd() * 120),
      unit: 'stuk',
      productGroupKey: { id: otherGroup() },
      vatCodeKey: rnd() < 0.1 ? '6' : '21',
      active: true,
    };
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
      client: i % 12 !== 11,
      supplier: i % 12 === 11 || i % 7 === 0,
      active: i % 30 !== 29,
    };
  });
  dossier.relationModifiedAt = new Map(dossier.relations.map((r, i) => [r.relationIdentificationServiceData.relationKey.id, base + i * 1000]));
  return { groups: groupCount, products: productCount, relations: relationCount };
}
