import type http from 'node:http';
import {
  answerControl,
  applyLatency,
  holdLateCommit,
  countRequest,
  createFaults,
  listen,
  readBody,
  retryAfterHeaders,
  send,
  shouldTimeoutAfterCommit,
  statusText,
  takeFault,
  type BaseFaults,
  type CommitTimeout,
  type DocumentAdminOp,
  type FakeAnswer,
} from '../kit.js';
import { adminDocuments } from './admin.js';
import {
  CONNECT_PREFIX,
  createConnectState,
  expireAccessTokens,
  handleConnect,
  hasScope,
  lookUpAccessToken,
  type FakeConnectState,
  type IssuedToken,
} from './connect.js';
import { emptyData, seedVismaNet, type FakeVismaData, type VismaSeedOptions } from './data.js';
import { erpPattern, retiredSalesOrderPath, routeErp } from './erp.js';
import { routeSalesOrders, salesOrderPattern } from './salesorders.js';
import { FakeApiError } from './wire.js';

export * from './data.js';
export { parseErpDate as parseVismaDate, parseMultipart } from './wire.js';

/**
 * A fake Visma.net over real HTTP on 127.0.0.1, for tests and the demo (docs/providers/visma-net.md): the ERP API
 * (api.finance.visma.net/v1/…, fakes/visma-net/erp.ts), SalesOrders V3 on an origin of its own
 * (salesorder.visma.net/api/v3/…, fakes/visma-net/salesorders.ts) and Visma Connect (connect.visma.com/connect/…,
 * fakes/visma-net/connect.ts). Both APIs take Bearer tokens of the Connect half, bound to the company chosen at
 * sign-on, and check the token's scopes (403 without them). The ERP API answers in IPPException bodies and sends
 * `X-RateLimit-*` on every answer (policy `4-fixed-window`); V3 answers in ProblemDetails and sends the rate headers
 * only when `salesOrderRateHeaders` is on (unconfirmed, U9). The retired SalesOrder v1/v2 endpoints answer 429 with
 * policy `8-fixed-window` (or 404 once `retiredSalesOrders` is 'shut-down') and write nothing; every such call is
 * kept in `retiredCalls`. Faults (latency, any status, late commit, "timeout after commit") apply to both APIs and
 * are injected through `faults` or `POST /__faults`.
 */

export interface FakeVismaNetState {
  connect: FakeConnectState;
  /** Per company id (the company a token was issued for). */
  data: Record<string, FakeVismaData>;
  /** Every request that reached the API paths of either service (control paths not included). */
  requestCount: number;
  /** Per "METHOD path-pattern", e.g. `requests['POST v3/SalesOrders']`, `requests['GET customer']`, `requests['POST v2/customerinvoice']`. */
  requests: Record<string, number>;
  /** Every call of a retired SalesOrder v1/v2 endpoint, as "METHOD /v1/path". */
  retiredCalls: string[];
  /** 'throttled' (429, policy 8-fixed-window) since 2026-04-01; 'shut-down' (404) once Visma switches them off. */
  retiredSalesOrders: 'throttled' | 'shut-down';
  /** Largest ERP page served; a larger `pageSize` is capped and `metadata.maxPageSize` says so. */
  maxPageSize: number;
  /** Largest V3 `pageSize` accepted (a larger one is a 400); `expand` caps the effective size at 100. */
  salesOrderMaxPageSize: number;
  /** Calls per company and client per window ("4-fixed-window" policy); V3 counts in a window of its own. */
  rateLimit: number;
  rateWindowSeconds: number;
  rateWindows: Record<string, { start: number; used: number }>;
  /** Whether V3 sends `X-RateLimit-*` headers (not documented for salesorder.visma.net). */
  salesOrderRateHeaders: boolean;
  /** Whether V3 lists fill what `expand` asks for (U5); off, they leave it out and only a GET per order has it. */
  salesOrderListExpands: boolean;
}

export interface FakeVismaFault {
  status: number;
  /** Substring of the path after /v1/ (ERP; `v2/…` for v2) or after /api/v3/ (V3, e.g. `SalesOrders`); absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  body?: unknown;
  /** More headers on the answer, e.g. `x-ratelimit-reset`. */
  headers?: Record<string, string>;
}

/**
 * `timeoutAfterCommit`: perform and store the write, then answer 504, `count` times. `moreTimeoutsAfterCommit` holds
 * further ones for other calls at the same time (e.g. attachment uploads while a test aims the first at creates).
 */
export type FakeVismaFaults = BaseFaults<FakeVismaFault, CommitTimeout> & { moreTimeoutsAfterCommit: CommitTimeout[] };

export interface FakeVismaNet {
  /** ERP API base URL including /v1/ (the connector's baseUrl, env VISMA_NET_BASE_URL). */
  url: string;
  /** SalesOrders V3 base URL including /api/v3/ (env VISMA_NET_SALESORDER_BASE_URL). */
  salesOrderUrl: string;
  /** Visma Connect base URL including /connect/ (env VISMA_CONNECT_BASE_URL). */
  connectUrl: string;
  state: FakeVismaNetState;
  faults: FakeVismaFaults;
  /** The data of the default (first) company. */
  data: FakeVismaData;
  /** Makes issued access tokens stale: the given one, or all. */
  expireAccessTokens(accessToken?: string): void;
  stop(): Promise<void>;
}

const ERP_PREFIX = /^\/(v1|v2)\//;
const V3_PREFIX = '/api/v3/';
export const DEFAULT_MAX_PAGE_SIZE = 1000;
export const DEFAULT_RATE_LIMIT = 100_000;

/** The scopes each API wants (docs §2): the ERP's interactive scopes per method, V3's read/write. */
const ERP_SCOPE: Record<string, string> = {
  GET: 'vismanet_erp_interactive_api:read', POST: 'vismanet_erp_interactive_api:create', PUT: 'vismanet_erp_interactive_api:update',
  PATCH: 'vismanet_erp_interactive_api:update', DELETE: 'vismanet_erp_interactive_api:delete',
};
const V3_SCOPE = (method: string) => (method === 'GET' ? 'visma.net.erp.salesorder:read' : 'visma.net.erp.salesorder:write');

export function createFakeVismaNetState(): FakeVismaNetState {
  const connect = createConnectState();
  return {
    connect,
    data: Object.fromEntries(connect.companies.map((c) => [c.id, emptyData()])),
    requestCount: 0,
    requests: {},
    retiredCalls: [],
    retiredSalesOrders: 'throttled',
    maxPageSize: DEFAULT_MAX_PAGE_SIZE,
    salesOrderMaxPageSize: 1000,
    rateLimit: DEFAULT_RATE_LIMIT,
    rateWindowSeconds: 3600,
    rateWindows: {},
    salesOrderRateHeaders: false,
    salesOrderListExpands: true,
  };
}

export function noVismaFaults(): FakeVismaFaults {
  return { ...createFaults<FakeVismaFault, CommitTimeout>(), moreTimeoutsAfterCommit: [] };
}

export async function startFakeVismaNet(
  opts: { apiPort?: number; salesOrderPort?: number; connectPort?: number; maxPageSize?: number; seed?: VismaSeedOptions } = {},
): Promise<FakeVismaNet> {
  const state = createFakeVismaNetState();
  if (opts.maxPageSize !== undefined) state.maxPageSize = opts.maxPageSize;
  const defaultCompany = state.connect.companies[0].id;
  if (opts.seed) seedVismaNet(state.data[defaultCompany], opts.seed);
  const faults = noVismaFaults();

  // Requests arrive only once listen() has resolved, so the origins are set by the time a handler reads them.
  const api = await listen((req, res) => handle('erp', req, res, state, faults, api.origin), opts.apiPort, (res, err) =>
    send(res, 500, ipp(`Internal error in fake: ${(err as Error).message}`, '10000')),
  );
  const salesOrders = await listen((req, res) => handle('v3', req, res, state, faults, salesOrders.origin), opts.salesOrderPort, (res, err) =>
    send(res, 500, problem(500, (err as Error).message)),
  );
  const connect = await listen((req, res) => handleConnectRequest(req, res, state), opts.connectPort, (res, err) =>
    send(res, 500, { error: 'server_error', error_description: (err as Error).message }),
  );

  return {
    url: `${api.origin}/v1/`,
    salesOrderUrl: `${salesOrders.origin}${V3_PREFIX}`,
    connectUrl: `${connect.origin}${CONNECT_PREFIX}`,
    state,
    faults,
    data: state.data[defaultCompany],
    expireAccessTokens: (accessToken?: string) => expireAccessTokens(state.connect, accessToken),
    stop: async () => {
      await Promise.all([api.stop(), salesOrders.stop(), connect.stop()]);
    },
  };
}

// ---- Visma Connect ----

async function handleConnectRequest(req: http.IncomingMessage, res: http.ServerResponse, state: FakeVismaNetState) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = (await readBody(req)).toString('utf8');
  if (!url.pathname.startsWith(CONNECT_PREFIX)) return send(res, 404, { error: 'not_found' });
  const answer = handleConnect(method, url.pathname.slice(CONNECT_PREFIX.length), url, raw, req, state.connect);
  return send(res, answer.status, answer.body, { 'cache-control': 'no-store', ...answer.headers });
}

// ---- the two APIs ----

type Service = 'erp' | 'v3';

/** The error body the ERP API answers with (StackOverflow 53636772; Visma community knowledge base). */
function ipp(message: string, faultCode: string) {
  return { ExceptionType: 'IPPException', ExceptionMessage: message, ExceptionFaultCode: faultCode, ExceptionMessageID: `${faultCode}_${Math.random().toString(16).slice(2, 10)}`, ExceptionDetails: '' };
}

/** V3's RFC 7807 ProblemDetails; a 400 is a SalesOrderValidationProblemDetails with `errors` and `details`. */
function problem(status: number, detail: string, code = '', field = '') {
  const base = { type: `https://httpstatuses.io/${status}`, title: statusText(status), status, detail, instance: null };
  if (status !== 400) return base;
  return { ...base, errors: { [field || '$']: [detail] }, details: [{ code: code || '0003-InvalidValue', message: detail, parameters: field ? [field] : [] }] };
}

function errorBody(service: Service, status: number, message: string, code = '', field = ''): unknown {
  return service === 'erp' ? ipp(message, code || String(status)) : problem(status, message, code, field);
}

async function handle(service: Service, req: http.IncomingMessage, res: http.ServerResponse, state: FakeVismaNetState, faults: FakeVismaFaults, origin: string) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);

  const control = {
    faults, noFaults: noVismaFaults, extraFaults: ['moreTimeoutsAfterCommit'] as const, summary: () => summary(state),
    documents: (op: DocumentAdminOp) => adminDocuments(Object.values(state.data), op),
  };
  if (answerControl(res, url.pathname, method, raw.toString('utf8'), control)) return;
  const erp = service === 'erp' ? ERP_PREFIX.exec(url.pathname) : null;
  const inside = service === 'erp' ? erp !== null : url.pathname.startsWith(V3_PREFIX);
  // Nothing else lives on these hosts: the legacy `resources/v1/context` of the retired VNI host is a 404 as well.
  if (!inside) return send(res, 404, errorBody(service, 404, `No HTTP resource was found that matches the request URI '${url.pathname}'`, '10404'));

  const version = erp?.[1] ?? 'v3';
  const path = (service === 'erp' ? url.pathname.slice(4) : url.pathname.slice(V3_PREFIX.length)).replace(/\/+$/, '');
  // Faults and counters see `v2/…` for the v2 endpoints, the bare path for v1 and V3.
  const faultPath = version === 'v2' ? `v2/${path}` : path;
  countRequest(state, `${method} ${service === 'erp' ? erpPattern(version, path) : salesOrderPattern(path)}`);
  await applyLatency(faults);
  await holdLateCommit(faults, method, faultPath);
  const fault = takeFault(faults, method, faultPath);
  if (fault) return send(res, fault.status, fault.body ?? errorBody(service, fault.status, statusText(fault.status)), { ...retryAfterHeaders(fault), ...fault.headers });

  const token = lookUpAccessToken(state.connect, req.headers.authorization);
  if (typeof token === 'string') {
    const error = token === 'missing' ? '' : ` error="invalid_token", error_description="The access token is ${token}"`;
    return send(res, 401, { message: 'Authorization has been denied for this request.' }, { 'www-authenticate': `Bearer${error}` });
  }
  const scope = service === 'erp' ? ERP_SCOPE[method] ?? ERP_SCOPE.GET : V3_SCOPE(method);
  if (!hasScope(token, scope)) return send(res, 403, errorBody(service, 403, `The access token lacks the scope '${scope}'`, '10403'));

  const rate = rateWindow(state, service, token);
  const rateHeaders = service === 'erp' || state.salesOrderRateHeaders ? rate.headers : {};
  if (rate.exceeded) return send(res, 429, errorBody(service, 429, 'Rate limit is exceeded. Try again later.', '429'), { ...rate.headers, 'retry-after': rate.headers['x-ratelimit-reset'] });

  if (service === 'erp' && retiredSalesOrderPath(version, method, path)) {
    // End of life 2026-03-31, throttled since 2026-04-01 (D1, D4): nothing is written.
    state.retiredCalls.push(`${method} ${url.pathname}`);
    if (state.retiredSalesOrders === 'shut-down') return send(res, 404, ipp(`No HTTP resource was found that matches the request URI '${url.pathname}'`, '10404'));
    return send(res, 429, ipp('SalesOrder v1/v2 endpoints have reached end of life; use the SalesOrders API V3', '429'), {
      'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3600', 'x-ratelimit-policy': '8-fixed-window', 'retry-after': '3600',
    });
  }

  const data = (state.data[token.companyId] ??= emptyData());
  const company = state.connect.companies.find((c) => c.id === token.companyId);
  let answer: FakeAnswer;
  try {
    answer = service === 'erp'
      ? routeErp({
        method, version, path, query: url.searchParams, raw, contentType: req.headers['content-type'], data, origin, maxPageSize: state.maxPageSize,
        organization: { organizationCd: company?.organizationCd ?? token.companyId, name: company?.name ?? token.companyId },
      })
      : routeSalesOrders({
        method, path, query: url.searchParams, raw, data, origin, maxPageSize: state.salesOrderMaxPageSize, listExpands: state.salesOrderListExpands,
        ifMatch: typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined,
      });
  } catch (err) {
    if (!(err instanceof FakeApiError)) throw err;
    answer = { status: err.status, body: errorBody(service, err.status, err.message, err.code, err.field) };
  }
  const timedOut = shouldTimeoutAfterCommit(faults, answer.wrote, method, faultPath)
    || faults.moreTimeoutsAfterCommit.some((t) => shouldTimeoutAfterCommit({ timeoutAfterCommit: t }, answer.wrote, method, faultPath));
  if (timedOut) return send(res, 504, 'Gateway Time-out', rateHeaders);
  return send(res, answer.status, answer.body, { ...rateHeaders, ...answer.headers });
}

/** One more call in the company's and client's window of this service; `exceeded` when none are left. */
function rateWindow(state: FakeVismaNetState, service: Service, token: IssuedToken) {
  const key = `${service}:${token.companyId}:${token.clientId}`;
  const now = Date.now();
  let window = state.rateWindows[key];
  if (!window || now - window.start >= state.rateWindowSeconds * 1000) window = state.rateWindows[key] = { start: now, used: 0 };
  const reset = Math.max(1, Math.ceil((window.start + state.rateWindowSeconds * 1000 - now) / 1000));
  const exceeded = window.used >= state.rateLimit;
  if (!exceeded) window.used++;
  return {
    exceeded,
    headers: {
      'x-ratelimit-limit': String(state.rateLimit),
      'x-ratelimit-remaining': String(Math.max(0, state.rateLimit - window.used)),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-policy': '4-fixed-window',
    } as Record<string, string>,
  };
}

function summary(state: FakeVismaNetState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    retiredCalls: state.retiredCalls,
    companies: Object.fromEntries(
      Object.entries(state.data).map(([id, d]) => [id, { customers: d.customers.length, inventory: d.inventory.length, salesOrders: d.salesOrders.length, invoices: d.invoices.length }]),
    ),
  };
}
