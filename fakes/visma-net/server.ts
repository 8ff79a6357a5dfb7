import { randomUUID } from 'node:crypto';
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
  seededRandom,
  send,
  shouldTimeoutAfterCommit,
  SMALL_TOWNS,
  statusText as commonStatusText,
  takeFault,
  type BaseFaults,
  type CommitTimeout,
  type FakeAnswer,
  scalarText,
} from '../kit.js';
import {
  CONNECT_PREFIX,
  createConnectState,
  expireAccessTokens,
  handleConnect,
  lookUpAccessToken,
  type FakeConnectState,
  type IssuedToken,
} from './connect.js';

/**
 * A fake Visma.net ERP API (api.finance.visma.net/v1/…) and Visma Connect (connect.visma.com/connect/…) over
 * real HTTP on 127.0.0.1, for tests and the demo (SPEC §10; research/accounting-apis.md §5). It speaks what the
 * connector speaks: Bearer tokens from the Connect half, data per company (the token's company), mandatory
 * `pageNumber`/`pageSize` with `metadata: { totalCount, maxPageSize }` on every listed record,
 * `lastModifiedDateTime` + `lastModifiedDateTimeCondition` filters, writes whose fields are all wrapped as
 * `{ "value": … }` with lines carrying `operation`, the new resource in the `Location` header, multipart
 * attachments (a file with the same name becomes a new revision), `X-RateLimit-*` headers and 429 with
 * `Retry-After`, and IPPException-shaped error bodies. Faults (latency, any status, "timeout after commit")
 * are injected through `faults` or `POST /__faults`.
 */

export type FakeInventoryType =
  | 'NonStockItem' | 'LaborItem' | 'ServiceItem' | 'ChargeItem' | 'ExpenseItem' | 'FinishedGoodItem' | 'ComponentPartItem' | 'SubassemblyItem';

export interface FakeVismaAddress {
  addressId?: number;
  addressLine1: string | null;
  addressLine2?: string | null;
  addressLine3?: string | null;
  postalCode: string | null;
  city: string | null;
  country?: { id: string; name: string } | null;
}

export interface FakeVismaContact {
  name?: string | null;
  email?: string | null;
  phone1?: string | null;
}

export interface FakeVismaCustomer {
  internalId: number;
  number: string;
  name: string;
  status: 'Active' | 'OnHold' | 'CreditHold' | 'Inactive' | 'OneTime';
  mainAddress: FakeVismaAddress | null;
  mainContact: FakeVismaContact | null;
  invoiceAddress: FakeVismaAddress | null;
  invoiceContact?: FakeVismaContact | null;
  deliveryAddress: FakeVismaAddress | null;
  deliveryContact?: FakeVismaContact | null;
  lastModifiedDateTime: string;
  createdDateTime: string;
}

export interface FakeVismaItemClass {
  id: string;
  description: string;
  type: FakeInventoryType;
}

export interface FakeVismaInventory {
  inventoryId: number;
  inventoryNumber: string;
  status: 'Active' | 'NoSales' | 'NoPurchases' | 'NoRequest' | 'Inactive' | 'MarkedForDeletion';
  type: FakeInventoryType;
  description: string;
  itemClass: { id: string; description: string } | null;
  defaultPrice: number;
  baseUnit: string;
  salesUnit: string;
  lastModifiedDateTime: string;
}

export interface FakeVismaWarehouse {
  warehouseID: string;
  description: string;
  active: boolean;
}

export interface FakeVismaAttachment {
  id: string;
  name: string;
  revision: number;
  contentType: string;
  content: Buffer;
}

export interface FakeVismaSalesOrderLine {
  lineNbr: number;
  inventory: { number: string; description: string };
  warehouse: { id: string; description: string } | null;
  uom: string | null;
  quantity: number;
  unitPrice: number;
  lineDescription: string | null;
}

export interface FakeVismaSalesOrder {
  orderType: string;
  orderNo: string;
  status: 'Open' | 'Hold' | 'CreditHold' | 'Completed' | 'Cancelled';
  hold: boolean;
  date: string;
  customer: { number: string; name: string };
  description: string | null;
  customerOrder: string | null;
  customerRefNo: string | null;
  note: string | null;
  lines: FakeVismaSalesOrderLine[];
  lastModifiedDateTime: string;
  attachments: FakeVismaAttachment[];
}

export interface FakeVismaInvoiceLine {
  lineNumber: number;
  inventoryNumber: string;
  description: string | null;
  quantity: number;
  unitPriceInCurrency: number;
  amountInCurrency: number;
}

export interface FakeVismaInvoice {
  referenceNumber: string;
  documentType: 'Invoice';
  status: 'Hold' | 'Balanced' | 'Open';
  hold: boolean;
  documentDate: string;
  customer: { number: string; name: string };
  externalReference: string | null;
  customerRefNumber: string | null;
  invoiceText: string | null;
  note: string | null;
  invoiceLines: FakeVismaInvoiceLine[];
  amount: number;
  lastModifiedDateTime: string;
  createdDateTime: string;
  attachments: FakeVismaAttachment[];
}

/** The data of one company. */
export interface FakeVismaData {
  customers: FakeVismaCustomer[];
  itemClasses: FakeVismaItemClass[];
  inventory: FakeVismaInventory[];
  warehouses: FakeVismaWarehouse[];
  salesOrders: FakeVismaSalesOrder[];
  invoices: FakeVismaInvoice[];
  nextOrderNo: Record<string, number>;
  nextInvoiceNo: number;
}

export interface FakeVismaNetState {
  connect: FakeConnectState;
  /** Per company id (the company a token was issued for). */
  data: Record<string, FakeVismaData>;
  /** Every request that reached the API paths (control paths not included). */
  requestCount: number;
  /** Per "METHOD path-pattern", e.g. `requests['POST salesorder']`, `requests['GET customer']`. */
  requests: Record<string, number>;
  /** Largest page served; a larger `pageSize` is capped and `metadata.maxPageSize` says so. */
  maxPageSize: number;
  /** Calls per company and client per window ("4-fixed-window" policy). */
  rateLimit: number;
  rateWindowSeconds: number;
  rateWindows: Record<string, { start: number; used: number }>;
}

export interface FakeVismaFault {
  status: number;
  /** Substring of the path after /v1/; absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  body?: unknown;
}

/** `timeoutAfterCommit`: perform and store the write, then answer 504, `count` times. */
export type FakeVismaFaults = BaseFaults<FakeVismaFault, CommitTimeout>;

export interface FakeVismaNet {
  /** API base URL including /v1/ (the connector's baseUrl, env VISMA_NET_BASE_URL). */
  url: string;
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

const API_PREFIX = '/v1/';
const CONTEXT_PATH = '/resources/v1/context';
export const DEFAULT_MAX_PAGE_SIZE = 1000;
export const DEFAULT_RATE_LIMIT = 100_000;

export function emptyData(): FakeVismaData {
  return { customers: [], itemClasses: [], inventory: [], warehouses: [], salesOrders: [], invoices: [], nextOrderNo: {}, nextInvoiceNo: 1 };
}

export function createFakeVismaNetState(): FakeVismaNetState {
  const connect = createConnectState();
  return {
    connect,
    data: Object.fromEntries(connect.companies.map((c) => [c.id, emptyData()])),
    requestCount: 0,
    requests: {},
    maxPageSize: DEFAULT_MAX_PAGE_SIZE,
    rateLimit: DEFAULT_RATE_LIMIT,
    rateWindowSeconds: 3600,
    rateWindows: {},
  };
}

export function noVismaFaults(): FakeVismaFaults {
  return createFaults();
}

/** `LocalDateTime` as Visma.net prints it; the fake keeps UTC. */
export function vismaTimestamp(at: Date = new Date()): string {
  return at.toISOString().slice(0, 23);
}

/** Marks a record as changed now, as an edit in Visma.net does (the incremental sync then lists it). */
export function touch<T extends { lastModifiedDateTime: string }>(record: T): T {
  record.lastModifiedDateTime = vismaTimestamp();
  return record;
}

export async function startFakeVismaNet(opts: { apiPort?: number; connectPort?: number; maxPageSize?: number; seed?: VismaSeedOptions } = {}): Promise<FakeVismaNet> {
  const state = createFakeVismaNetState();
  if (opts.maxPageSize !== undefined) state.maxPageSize = opts.maxPageSize;
  const defaultCompany = state.connect.companies[0].id;
  if (opts.seed) seedVismaNet(state.data[defaultCompany], opts.seed);
  const faults = noVismaFaults();

  // Requests arrive only once listen() has resolved, so `api` is set by the time the handler reads it.
  const api = await listen((req, res) => handleApi(req, res, state, faults, api.origin), opts.apiPort, (res, err) =>
    send(res, 500, ipp(`Internal error in fake: ${(err as Error).message}`, '10000')),
  );
  const connect = await listen((req, res) => handleConnectRequest(req, res, state), opts.connectPort, (res, err) =>
    send(res, 500, { error: 'server_error', error_description: (err as Error).message }),
  );

  return {
    url: `${api.origin}${API_PREFIX}`,
    connectUrl: `${connect.origin}${CONNECT_PREFIX}`,
    state,
    faults,
    data: state.data[defaultCompany],
    expireAccessTokens: (accessToken?: string) => expireAccessTokens(state.connect, accessToken),
    stop: async () => {
      await Promise.all([api.stop(), connect.stop()]);
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

// ---- the API ----

type Answer = FakeAnswer;

class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly faultCode = '12001') {
    super(message);
  }
}

/** The error body Visma.net answers with (StackOverflow 53636772; Visma community knowledge base). */
function ipp(message: string, faultCode: string, details = '') {
  return { ExceptionType: 'IPPException', ExceptionMessage: message, ExceptionFaultCode: faultCode, ExceptionMessageID: `${faultCode}_${Math.random().toString(16).slice(2, 10)}`, ExceptionDetails: details };
}

async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, state: FakeVismaNetState, faults: FakeVismaFaults, origin: string) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);

  if (answerControl(res, url.pathname, method, raw.toString('utf8'), { faults, noFaults: noVismaFaults, summary: () => summary(state) })) return;
  const isContext = url.pathname.replace(/\/+$/, '') === CONTEXT_PATH;
  if (!isContext && !url.pathname.startsWith(API_PREFIX)) return send(res, 404, ipp('Not found', '10404'));

  const path = isContext ? 'context' : url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  countRequest(state, `${method} ${pattern(path)}`);
  await applyLatency(faults);
  await holdLateCommit(faults, method, path);
  const fault = takeFault(faults, method, path);
  if (fault) return send(res, fault.status, fault.body ?? ipp(statusText(fault.status), String(fault.status)), retryAfterHeaders(fault));

  const token = lookUpAccessToken(state.connect, req.headers.authorization);
  if (typeof token === 'string') {
    const error = token === 'missing' ? '' : ` error="invalid_token", error_description="The access token is ${token}"`;
    return send(res, 401, { message: 'Authorization has been denied for this request.' }, { 'www-authenticate': `Bearer${error}` });
  }

  const windowKey = `${token.companyId}:${token.clientId}`;
  const now = Date.now();
  let window = state.rateWindows[windowKey];
  if (!window || now - window.start >= state.rateWindowSeconds * 1000) window = state.rateWindows[windowKey] = { start: now, used: 0 };
  const reset = Math.max(1, Math.ceil((window.start + state.rateWindowSeconds * 1000 - now) / 1000));
  const rateHeaders = (remaining: number) => ({
    'x-ratelimit-limit': String(state.rateLimit),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-policy': '4-fixed-window',
  });
  if (window.used >= state.rateLimit) {
    return send(res, 429, ipp('Rate limit is exceeded. Try again later.', '429'), { ...rateHeaders(0), 'retry-after': String(reset) });
  }
  window.used++;

  let answer: Answer;
  try {
    answer = route(method, path, url.searchParams, raw, req.headers['content-type'], state, token, origin);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    answer = { status: err.status, body: ipp(err.message, err.faultCode) };
  }
  if (shouldTimeoutAfterCommit(faults, answer.wrote, method, path)) return send(res, 504, 'Gateway Time-out', rateHeaders(state.rateLimit - window.used));
  return send(res, answer.status, answer.body, { ...rateHeaders(state.rateLimit - window.used), ...answer.headers });
}

/** "salesorder/SO/000123" → "salesorder/:type/:nbr", for the request counters. */
function pattern(path: string): string {
  const parts = path.split('/');
  const [head, ...rest] = parts;
  if (head === 'inventory' && rest[0] === 'itemClass') return 'inventory/itemClass';
  if (head === 'salesorder' && rest[0] === 'orderType') return 'salesorder/orderType/:type/:nbr/attachment';
  if (rest.length === 0) return head ?? '';
  if (rest[rest.length - 1] === 'attachment') return `${head}/:id/attachment`;
  return `${head}/${rest.map(() => ':id').join('/')}`;
}

function route(
  method: string, path: string, query: URLSearchParams, raw: Buffer, contentType: string | undefined,
  state: FakeVismaNetState, token: IssuedToken, origin: string,
): Answer {
  if (path === 'context' && method === 'GET') {
    // A Visma Connect token reaches the one company chosen at sign-on.
    const company = state.connect.companies.find((c) => c.id === token.companyId)!;
    return { status: 200, body: [{ id: Number(company.id), name: company.name, type: 'Company' }] };
  }
  const data = (state.data[token.companyId] ??= emptyData());
  const parts = path.split('/');
  const [resource, a, b, c, d] = parts;
  const json = () => parseJson(raw);

  switch (resource) {
    case 'customer':
      if (method !== 'GET') break;
      if (a === undefined) return list(data.customers, query, state, { orderBy: (x) => x.internalId });
      return one(data.customers.find((x) => x.number === decodeURIComponent(a)), `Customer '${a}' not found`);
    case 'inventory':
      if (method !== 'GET') break;
      if (a === undefined) return list(data.inventory, query, state, { orderBy: (x) => x.inventoryId });
      if (a === 'itemClass' && b === undefined) return { status: 200, body: data.itemClasses.map((x) => ({ ...x, attributes: [] })) };
      if (a === 'itemclass' && b !== undefined) return one(data.itemClasses.find((x) => x.id === decodeURIComponent(b)), `Item class '${b}' not found`);
      return one(data.inventory.find((x) => x.inventoryNumber === decodeURIComponent(a)), `Inventory item '${a}' not found`);
    case 'warehouse':
      if (method !== 'GET') break;
      if (a === undefined) return { status: 200, body: data.warehouses };
      return one(data.warehouses.find((x) => x.warehouseID === decodeURIComponent(a)), `Warehouse '${a}' not found`);
    case 'salesorder':
      if (method === 'GET' && a === undefined) {
        const type = query.get('orderType');
        const orders = type ? data.salesOrders.filter((o) => o.orderType === type) : data.salesOrders;
        return list(orders, query, state, { orderBy: (_, i) => i, shape: orderOut });
      }
      if (method === 'GET' && a !== undefined && b !== undefined && c === undefined) {
        return one(data.salesOrders.find((o) => o.orderType === a && o.orderNo === b), `Sales order ${a} ${b} not found`, orderOut);
      }
      if (method === 'POST' && a === undefined) return createSalesOrder(json(), data, origin);
      if (method === 'POST' && a === 'orderType' && b && c && d === 'attachment' && parts.length === 5) {
        const order = data.salesOrders.find((o) => o.orderType === b && o.orderNo === c);
        if (!order) throw new ApiError(404, `Sales order ${b} ${c} not found`);
        return attach(order, raw, contentType);
      }
      break;
    case 'customerinvoice':
      if (method === 'GET' && a === undefined) return list(data.invoices, query, state, { orderBy: (_, i) => i, shape: invoiceOut });
      if (method === 'GET' && a !== undefined && b === undefined) return one(data.invoices.find((x) => x.referenceNumber === a), `Invoice ${a} not found`, invoiceOut);
      if (method === 'POST' && a === undefined) return createInvoice(json(), data, origin);
      if (method === 'POST' && a !== undefined && b === 'attachment' && c === undefined) {
        const invoice = data.invoices.find((x) => x.referenceNumber === a);
        if (!invoice) throw new ApiError(404, `Invoice ${a} not found`);
        return attach(invoice, raw, contentType);
      }
      break;
    default:
      throw new ApiError(404, `No HTTP resource was found that matches the request URI '${path}'`, '10404');
  }
  throw new ApiError(405, `The requested resource does not support http method '${method}'`, '10405');
}

function one<T>(record: T | undefined, notFound: string, shape: (r: T) => unknown = (r) => r): Answer {
  if (!record) throw new ApiError(404, notFound, '10404');
  return { status: 200, body: shape(record) };
}

/**
 * A paged listing: `pageNumber`/`pageSize` are mandatory, `pageSize` is capped at `maxPageSize`, and every
 * record carries `metadata: { totalCount, maxPageSize }` as the Visma.net API does.
 */
function list<T extends { lastModifiedDateTime: string }>(
  records: T[], query: URLSearchParams, state: FakeVismaNetState,
  opts: { orderBy: (r: T, index: number) => number; shape?: (r: T) => unknown },
): Answer {
  const pageNumber = Number(query.get('pageNumber'));
  const requested = Number(query.get('pageSize'));
  if (!query.has('pageNumber') || !query.has('pageSize') || !Number.isInteger(pageNumber) || !Number.isInteger(requested) || pageNumber < 1 || requested < 1) {
    throw new ApiError(400, 'Paging is mandatory: provide pageNumber (>= 1) and pageSize (>= 1)');
  }
  let filtered = records.map((r, i) => ({ r, i }));
  const since = query.get('lastModifiedDateTime');
  if (since !== null) {
    const at = parseVismaDate(since);
    const condition = query.get('lastModifiedDateTimeCondition');
    if (at === null) throw new ApiError(400, `Invalid lastModifiedDateTime '${since}'`);
    const compare: Record<string, (x: number) => boolean> = { '>': (x) => x > at, '<': (x) => x < at, '>=': (x) => x >= at, '<=': (x) => x <= at };
    const test = compare[condition ?? ''];
    if (!test) throw new ApiError(400, 'lastModifiedDateTimeCondition must be one of >, <, >=, <=');
    filtered = filtered.filter(({ r }) => test(parseVismaDate(r.lastModifiedDateTime) ?? 0));
  }
  filtered.sort((x, y) => opts.orderBy(x.r, x.i) - opts.orderBy(y.r, y.i));
  const pageSize = Math.min(requested, state.maxPageSize);
  const slice = filtered.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const metadata = { totalCount: filtered.length, maxPageSize: state.maxPageSize };
  const shape = opts.shape ?? ((r: T) => r);
  return { status: 200, body: slice.map(({ r }) => ({ ...(shape(r) as object), metadata })) };
}

/** "2026-01-14", "2026-01-14 13:13:13", "2026-01-14 13:13:13.133" or ISO; read as UTC. */
export function parseVismaDate(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?)?Z?$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? ''}Z`);
  return Number.isNaN(ms) ? null : ms;
}

// ---- writes ----

/** Every written field must be `{ "value": … }`; a bare value fails as the real DTO binder does. */
function field(body: Record<string, unknown>, name: string): unknown {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || !('value' in (v))) {
    throw new ApiError(400, `Error converting value for '${name}': expected an object { "value": ... }`);
  }
  return (v).value;
}

const text = (v: unknown): string | null => (v === undefined || v === null ? null : scalarText(v));

function bodyObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'The request body is empty or not a JSON object');
  return body as Record<string, unknown>;
}

function linesOf(body: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const lines = body[name];
  if (lines === undefined) return [];
  if (!Array.isArray(lines)) throw new ApiError(400, `'${name}' must be an array`);
  return lines.map((l, i) => {
    if (!l || typeof l !== 'object') throw new ApiError(400, `${name}[${i}] is not an object`);
    const line = l as Record<string, unknown>;
    if (line.operation !== 'Insert') throw new ApiError(400, `${name}[${i}].operation must be 'Insert' when creating a document`);
    return line;
  });
}

function customerFor(data: FakeVismaData, number: unknown): FakeVismaCustomer {
  if (number === undefined) throw new ApiError(400, "The field 'customer' is mandatory");
  const customer = data.customers.find((c) => c.number === scalarText(number));
  if (!customer) throw new ApiError(400, `Customer '${scalarText(number)}' was not found`, '12010');
  if (customer.status === 'Inactive') throw new ApiError(400, `Customer '${customer.number}' is inactive`, '12011');
  return customer;
}

function itemFor(data: FakeVismaData, number: unknown, where: string): FakeVismaInventory {
  const item = data.inventory.find((x) => x.inventoryNumber === scalarText(number));
  if (!item) throw new ApiError(400, `${where}: inventory item '${scalarText(number)}' was not found`, '12012');
  return item;
}

function dateOf(v: unknown, name: string): string {
  if (v === undefined) return vismaTimestamp().slice(0, 10);
  const at = parseVismaDate(scalarText(v));
  if (at === null) throw new ApiError(400, `Invalid date in '${name}'`);
  return vismaTimestamp(new Date(at)).slice(0, 10);
}

function createSalesOrder(raw: unknown, data: FakeVismaData, origin: string): Answer {
  const body = bodyObject(raw);
  const orderType = text(field(body, 'orderType'));
  if (!orderType) throw new ApiError(400, "The field 'orderType' is mandatory");
  const customer = customerFor(data, field(body, 'customer'));
  const lines = linesOf(body, 'lines').map((line, i): FakeVismaSalesOrderLine => {
    const item = itemFor(data, field(line, 'inventoryNumber'), `lines[${i}]`);
    const warehouseId = text(field(line, 'warehouse'));
    const warehouse = warehouseId === null ? null : data.warehouses.find((w) => w.warehouseID === warehouseId);
    if (warehouse === undefined) throw new ApiError(400, `lines[${i}]: warehouse '${warehouseId}' was not found`, '12013');
    if (warehouse && !warehouse.active) throw new ApiError(400, `lines[${i}]: warehouse '${warehouseId}' is not active`, '12013');
    const quantity = Number(field(line, 'quantity') ?? 1);
    const price = field(line, 'unitPrice');
    return {
      lineNbr: i + 1,
      inventory: { number: item.inventoryNumber, description: item.description },
      warehouse: warehouse ? { id: warehouse.warehouseID, description: warehouse.description } : null,
      uom: text(field(line, 'uom')) ?? item.salesUnit,
      quantity,
      unitPrice: price === undefined ? item.defaultPrice : Number(price),
      lineDescription: text(field(line, 'lineDescription')) ?? item.description,
    };
  });
  const next = (data.nextOrderNo[orderType] ??= 1);
  data.nextOrderNo[orderType] = next + 1;
  const hold = field(body, 'hold') === true;
  const order: FakeVismaSalesOrder = {
    orderType,
    orderNo: String(next).padStart(6, '0'),
    status: hold ? 'Hold' : 'Open',
    hold,
    date: dateOf(field(body, 'date'), 'date'),
    customer: { number: customer.number, name: customer.name },
    description: text(field(body, 'description')),
    customerOrder: text(field(body, 'customerOrder')),
    customerRefNo: text(field(body, 'customerRefNo')),
    note: text(field(body, 'note')),
    lines,
    lastModifiedDateTime: vismaTimestamp(),
    attachments: [],
  };
  data.salesOrders.push(order);
  return { status: 201, body: '', headers: { location: `${origin}${API_PREFIX}salesorder/${order.orderType}/${order.orderNo}` }, wrote: true };
}

function createInvoice(raw: unknown, data: FakeVismaData, origin: string): Answer {
  const body = bodyObject(raw);
  const customer = customerFor(data, field(body, 'customerNumber'));
  const lines = linesOf(body, 'invoiceLines').map((line, i): FakeVismaInvoiceLine => {
    const item = itemFor(data, field(line, 'inventoryNumber'), `invoiceLines[${i}]`);
    const quantity = Number(field(line, 'quantity') ?? 1);
    const price = field(line, 'unitPriceInCurrency');
    const unitPrice = price === undefined ? item.defaultPrice : Number(price);
    return {
      lineNumber: i + 1,
      inventoryNumber: item.inventoryNumber,
      description: text(field(line, 'description')) ?? item.description,
      quantity,
      unitPriceInCurrency: unitPrice,
      amountInCurrency: Math.round(quantity * unitPrice * 100) / 100,
    };
  });
  const hold = field(body, 'hold') === true;
  const now = vismaTimestamp();
  const invoice: FakeVismaInvoice = {
    referenceNumber: String(data.nextInvoiceNo++).padStart(6, '0'),
    documentType: 'Invoice',
    status: hold ? 'Hold' : 'Balanced',
    hold,
    documentDate: dateOf(field(body, 'documentDate'), 'documentDate'),
    customer: { number: customer.number, name: customer.name },
    externalReference: text(field(body, 'externalReference')),
    customerRefNumber: text(field(body, 'customerRefNumber')),
    invoiceText: text(field(body, 'invoiceText')),
    note: text(field(body, 'note')),
    invoiceLines: lines,
    amount: Math.round(lines.reduce((s, l) => s + l.amountInCurrency, 0) * 100) / 100,
    lastModifiedDateTime: now,
    createdDateTime: now,
    attachments: [],
  };
  data.invoices.push(invoice);
  return { status: 201, body: '', headers: { location: `${origin}${API_PREFIX}customerinvoice/${invoice.referenceNumber}` }, wrote: true };
}

/** A multipart upload; the same file name again makes a new revision, not a second file (Visma.net's rule). */
function attach(document: { attachments: FakeVismaAttachment[]; lastModifiedDateTime: string }, raw: Buffer, contentType: string | undefined): Answer {
  const files = parseMultipart(raw, contentType ?? '').filter((p) => p.filename);
  if (files.length === 0) throw new ApiError(400, 'The request must be multipart/form-data with one file');
  let last: FakeVismaAttachment | undefined;
  for (const file of files) {
    const existing = document.attachments.find((x) => x.name === file.filename);
    if (existing) {
      existing.revision++;
      existing.content = file.data;
      existing.contentType = file.contentType;
      last = existing;
    } else {
      last = { id: randomUUID(), name: file.filename!, revision: 1, contentType: file.contentType, content: file.data };
      document.attachments.push(last);
    }
  }
  touch(document);
  return { status: 201, body: { attachmentId: last!.id, revision: last!.revision }, wrote: true };
}

interface MultipartPart {
  name: string | null;
  filename: string | null;
  contentType: string;
  data: Buffer;
}

export function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !m) return [];
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: MultipartPart[] = [];
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const chunk = raw.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = chunk.subarray(0, headerEnd).toString('utf8');
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      parts.push({
        name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? null,
        filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null,
        contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
        data: Buffer.from(chunk.subarray(headerEnd + 4)),
      });
    }
    start = next;
  }
  return parts;
}

// ---- read shapes ----

const attachmentsOut = (list: FakeVismaAttachment[]) => list.map((a) => ({ name: a.name, id: a.id, revision: a.revision }));

function orderOut(o: FakeVismaSalesOrder) {
  return { ...o, attachments: attachmentsOut(o.attachments) };
}

function invoiceOut(i: FakeVismaInvoice) {
  return { ...i, attachments: attachmentsOut(i.attachments) };
}

// ---- control and wire helpers ----

function summary(state: FakeVismaNetState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    companies: Object.fromEntries(
      Object.entries(state.data).map(([id, d]) => [id, { customers: d.customers.length, inventory: d.inventory.length, salesOrders: d.salesOrders.length, invoices: d.invoices.length }]),
    ),
  };
}

function parseJson(raw: Buffer): unknown {
  const textBody = raw.toString('utf8');
  if (!textBody.trim()) return null;
  try {
    return JSON.parse(textBody);
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON');
  }
}

function statusText(status: number): string {
  return ({ 400: 'Bad Request', 403: 'Forbidden', 412: 'Precondition Failed' } as Record<number, string>)[status] ?? commonStatusText(status);
}

// ---- deterministic Dutch demo data ----

export interface VismaSeedOptions {
  /** Non-Stock items besides the three of the manual (SIMONWERK, SIMONREIS, SIMONVOORR). */
  nonStockItems?: number;
  /** Labour, service and stock items, which Simon does not import. */
  otherItems?: number;
  customers?: number;
  seed?: number;
}

const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Sanne', 'Eva', 'Lotte', 'Daan', 'Bram', 'Femke', 'Thijs', 'Noor'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'Bos', 'Dekker', 'den Butter'];
const trades = ['Installatiebedrijf', 'Bakkerij', 'Garage', 'Restaurant', 'Zorgcentrum', 'Hotel', 'Woningstichting', 'Sportschool'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Stationsweg', 'Dunantstraat', 'Julianalaan', 'Industrieweg', 'Marktplein'];
const materials = ['Koperen bocht', 'Knelkoppeling', 'Kogelkraan', 'Radiatorkraan', 'Expansievat', 'Sifon', 'Rookmelder', 'Luchtfilter', 'Pakking'];

/**
 * Fills one company with realistic data: item classes (two Non-Stock classes, a labour and a stock class), the
 * manual's Non-Stock items SIMONWERK (Werktijd), SIMONREIS (Reistijd) and SIMONVOORR (Voorrijkosten), more
 * Non-Stock items, labour/stock items Simon must skip, warehouses HOOFD, BUS1, BUS2 and the inactive OUD, and
 * customers: every 3rd has a different invoice address, every 4th a delivery address, every 5th an invoice
 * address equal to its main address, every 20th is Inactive. Timestamps lie in the past, oldest first.
 */
export function seedVismaNet(data: FakeVismaData, opts: VismaSeedOptions = {}): { nonStockItems: number; customers: number } {
  const { rnd, pick } = seededRandom(opts.seed ?? 7);
  const base = Date.UTC(2025, 0, 1);
  const stamp = (i: number) => vismaTimestamp(new Date(base + i * 60_000));

  data.itemClasses = [
    { id: 'TIJD', description: 'Tijden', type: 'NonStockItem' },
    { id: 'MAT', description: 'Materialen', type: 'NonStockItem' },
    { id: 'ARBEID', description: 'Arbeid', type: 'LaborItem' },
    { id: 'VOORRAAD', description: 'Voorraadartikelen', type: 'FinishedGoodItem' },
  ];
  const cls = (id: string) => {
    const c = data.itemClasses.find((x) => x.id === id)!;
    return { id: c.id, description: c.description };
  };
  let inventoryId = 100;
  const item = (inventoryNumber: string, description: string, type: FakeInventoryType, itemClass: string | null, price: number): FakeVismaInventory => ({
    inventoryId: inventoryId++, inventoryNumber, status: 'Active', type, description, itemClass: itemClass ? cls(itemClass) : null, defaultPrice: price,
    baseUnit: type === 'NonStockItem' && itemClass === 'TIJD' ? 'UUR' : 'STK', salesUnit: type === 'NonStockItem' && itemClass === 'TIJD' ? 'UUR' : 'STK',
    lastModifiedDateTime: stamp(inventoryId),
  });
  data.inventory = [
    item('SIMONWERK', 'Werktijd', 'NonStockItem', 'TIJD', 62.5),
    item('SIMONREIS', 'Reistijd', 'NonStockItem', 'TIJD', 45),
    item('SIMONVOORR', 'Voorrijkosten', 'NonStockItem', null, 35),
  ];
  const nonStock = opts.nonStockItems ?? 20;
  for (let i = 0; i < nonStock; i++) {
    data.inventory.push(item(`M${String(1001 + i)}`, `${pick(materials)} ${15 + (i % 4) * 7} mm`, 'NonStockItem', 'MAT', Math.round((1 + rnd() * 90) * 100) / 100));
  }
  const others = opts.otherItems ?? 4;
  const otherTypes: [FakeInventoryType, string | null, string][] = [['LaborItem', 'ARBEID', 'Arbeid monteur'], ['FinishedGoodItem', 'VOORRAAD', 'CV-ketel'], ['ServiceItem', null, 'Onderhoudscontract'], ['ChargeItem', null, 'Administratiekosten']];
  for (let i = 0; i < others; i++) {
    const [type, klass, name] = otherTypes[i % otherTypes.length];
    data.inventory.push(item(`X${String(501 + i)}`, name, type, klass, 50 + i));
  }
  data.warehouses = [
    { warehouseID: 'HOOFD', description: 'Hoofdmagazijn', active: true },
    { warehouseID: 'BUS1', description: 'Bus Jan', active: true },
    { warehouseID: 'BUS2', description: 'Bus Piet', active: true },
    { warehouseID: 'OUD', description: 'Oud magazijn', active: false },
  ];

  const address = (): FakeVismaAddress => {
    const [city, zip] = pick(SMALL_TOWNS);
    return {
      addressLine1: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`, addressLine2: null, addressLine3: null,
      postalCode: `${zip}${10 + Math.floor(rnd() * 89)} ${String.fromCharCode(65 + Math.floor(rnd() * 26))}${String.fromCharCode(65 + Math.floor(rnd() * 26))}`,
      city, country: { id: 'NL', name: 'Nederland' },
    };
  };
  const count = opts.customers ?? 30;
  data.customers = Array.from({ length: count }, (_, i): FakeVismaCustomer => {
    const contact = `${pick(firstNames)} ${pick(lastNames)}`;
    const name = `${pick(trades)} ${pick(lastNames).split(' ').pop()!.replace(/^./, (c) => c.toUpperCase())}`;
    const main = address();
    const n = i + 1;
    return {
      internalId: 5000 + n,
      number: String(10000 + n),
      name,
      status: n % 20 === 0 ? 'Inactive' : 'Active',
      mainAddress: main,
      mainContact: { name: contact, email: `info@${name.toLowerCase().replace(/[^a-z]+/g, '')}.nl`, phone1: `0${30 + (n % 60)}-${String(1_000_000 + n * 7919).slice(0, 7)}` },
      invoiceAddress: n % 3 === 0 ? address() : n % 5 === 0 ? { ...main } : null,
      deliveryAddress: n % 4 === 0 ? address() : null,
      lastModifiedDateTime: stamp(1000 + n),
      createdDateTime: stamp(1000 + n),
    };
  });
  return { nonStockItems: nonStock + 3, customers: count };
}
