import type { FakeAnswer } from '../kit.js';
import {
  CUSTOM_STRING_FIELDS, defaultShipping, emptyCustomFields,
  type FakeVismaCustomFields, type FakeVismaData, type FakeVismaSalesOrder, type FakeVismaSalesOrderLine,
} from './data.js';
import { FakeApiError, bodyObject, checkQuery, parseIsoDateTime, parseJsonBody, queryValue, queryValues } from './wire.js';

/**
 * The SalesOrders V3 half of the fake (salesorder.visma.net/api/v3/…, docs/providers/visma-net.md §3.6, §3.7), on an
 * origin of its own: plain JSON bodies checked like the swagger's `additionalProperties: false` (a wrapped
 * `{ "value": … }` or an unknown property at any level is a 400), required `type`/`customer`/line `inventoryId`, the
 * documented lengths, 201 + `Location` + `ETag` on create, lists `{value, nextPage, totalCount}` paged by zero-based
 * `pageIndex`/`pageSize` (capped at 100 with `expand`), `note`/`customer`/`attachments`/`customFields`/`shipping` only when
 * expanded, lines from `/lines`, and `If-Match` on PATCH/DELETE (428 without, 412 when stale).
 */

export interface SalesOrderRequest {
  method: string;
  /** The path after `/api/v3/`, without a trailing slash. */
  path: string;
  query: URLSearchParams;
  raw: Buffer;
  ifMatch: string | undefined;
  data: FakeVismaData;
  /** The V3 origin, for `Location` and `nextPage`. */
  origin: string;
  maxPageSize: number;
  /** Whether a list honours `expand` (U5: unconfirmed for every expansion); when not, the items come unexpanded. */
  listExpands: boolean;
}

/** V3 paths are matched case-insensitively (ASP.NET routing); "SalesOrders/SO/000001" → "SalesOrders/:type/:id". */
export function salesOrderPattern(path: string): string {
  const names = ['SalesOrders', ':type', ':orderId', 'lines'];
  return `v3/${path.split('/').map((p, i) => names[i] ?? p).join('/')}`;
}

const EXPANSIONS = ['None', 'Billing', 'Payment', 'FinancialInformation', 'Shipping', 'Customer', 'Owner', 'Origin', 'Note', 'Freight', 'Attachments', 'CustomFields', 'All'];
const LIST_PARAMS = ['customerId', 'status', 'modifiedSince', 'pageSize', 'pageIndex', 'orderBy', 'filter', 'expand'];
const ORDER_STATES = ['Open', 'Hold', 'BackOrder', 'Cancelled', 'Completed', 'Closed', 'Invoiced', 'Expired'];
export const EXPAND_PAGE_CAP = 100;

export function routeSalesOrders(req: SalesOrderRequest): FakeAnswer {
  const parts = req.path.split('/');
  if (parts[0].toLowerCase() !== 'salesorders' || parts.length > 4 || (parts.length === 4 && parts[3].toLowerCase() !== 'lines')) {
    throw new FakeApiError(404, `No endpoint matches '/api/v3/${req.path}'`);
  }
  const [, type, orderId] = parts.map(decodeURIComponent);
  const { method } = req;
  if (parts.length === 1) {
    if (method === 'POST') return create(req);
    if (method === 'GET') return list(req, null);
  } else if (parts.length === 2) {
    if (method === 'GET') return list(req, type);
  } else if (parts.length === 3) {
    const order = find(req.data, type, orderId);
    if (method === 'GET') {
      checkQuery(req.query, ['expand'], 'GET SalesOrders/{type}/{orderId}');
      return { status: 200, body: orderOut(order, expansions(req.query)), headers: { etag: etag(order) } };
    }
    if (method === 'PATCH') return patch(req, order);
    if (method === 'DELETE') {
      checkIfMatch(req, order);
      req.data.salesOrders.splice(req.data.salesOrders.indexOf(order), 1);
      return { status: 202, body: '', wrote: true };
    }
  } else if (method === 'GET') {
    return lines(req, find(req.data, type, orderId));
  }
  throw new FakeApiError(405, `The method ${method} is not allowed on '/api/v3/${req.path}'`);
}

function find(data: FakeVismaData, type: string, orderId: string): FakeVismaSalesOrder {
  const order = data.salesOrders.find((o) => o.type === type && o.orderId === orderId);
  if (!order) throw new FakeApiError(404, `Sales order ${type} ${orderId} was not found or is not accessible`);
  return order;
}

const etag = (o: FakeVismaSalesOrder) => `"${o.version}"`;

function checkIfMatch(req: SalesOrderRequest, order: FakeVismaSalesOrder): void {
  if (req.ifMatch === undefined) throw new FakeApiError(428, 'The If-Match header is required to change a sales order');
  if (req.ifMatch.trim() !== '*' && req.ifMatch.trim().replace(/^W\//, '') !== etag(order)) {
    throw new FakeApiError(412, 'The If-Match header does not match the current version of the sales order');
  }
}

// ---- reading ----

function expansions(query: URLSearchParams): Set<string> {
  const wanted = new Set<string>();
  for (const value of queryValues(query, 'expand').flatMap((v) => v.split(','))) {
    const name = EXPANSIONS.find((e) => e.toLowerCase() === value.trim().toLowerCase());
    if (!name) throw new FakeApiError(400, `The value '${value}' is not valid for expand`, '0003-InvalidValue', 'expand');
    wanted.add(name);
  }
  if (wanted.has('All')) for (const e of EXPANSIONS) wanted.add(e);
  return wanted;
}

const attachmentsOut = (o: FakeVismaSalesOrder) => o.attachments.map((a) => ({ id: a.id, revision: a.revision, name: a.name }));

/** The parts only an `expand` fills (absent otherwise). */
function expanded(o: FakeVismaSalesOrder, expand: Set<string>): Record<string, unknown> {
  return {
    ...(expand.has('Note') ? { note: o.note } : {}),
    ...(expand.has('Customer') ? { customer: { id: o.customer.id, name: o.customer.name, order: o.customer.order, refNo: o.customer.refNo } } : {}),
    ...(expand.has('Attachments') ? { attachments: attachmentsOut(o) } : {}),
    ...(expand.has('CustomFields') ? { customFields: { ...o.customFields } } : {}),
    ...(expand.has('Shipping') ? { shipping: shippingOut(o) } : {}),
  };
}

/** `SalesOrderShippingDto` (C1): address `AddressDto` and contact `ContactDto`, plus the shipping terms the fake does not keep. */
function shippingOut(o: FakeVismaSalesOrder) {
  const a = o.shipping?.address;
  return {
    address: a
      ? { id: 1, overridesDefault: false, line1: a.line1, line2: a.line2 ?? null, line3: a.line3 ?? null, postalCode: a.postalCode, city: a.city, country: a.country ?? null, county: null }
      : null,
    contact: o.shipping?.contact ? { id: 1, overridesDefault: false, name: o.shipping.contact.name, attention: null, email: null, phone1: null, phone2: null, fax: null } : null,
    scheduledDate: o.date, shipSeparately: false, rule: 'CancelRemainder', preferredWarehouse: null,
  };
}

const orderQty = (o: FakeVismaSalesOrder) => o.lines.reduce((s, l) => s + l.quantity, 0);
const orderTotal = (o: FakeVismaSalesOrder) => Math.round(o.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0) * 100) / 100;

/** `SalesOrderDto`: status is an object here. */
function orderOut(o: FakeVismaSalesOrder, expand: Set<string>) {
  return {
    type: o.type, orderId: o.orderId, description: o.description, date: o.date, lastModified: o.lastModified, orderQty: orderQty(o), currencyId: 'EUR',
    status: { description: o.status, cancelled: o.status === 'Cancelled', hold: o.status === 'Hold' },
    version: Buffer.from(String(o.version)).toString('base64'),
    ...expanded(o, expand),
  };
}

/** `SalesOrderListDto`: status is a string, and the customer's order number and reference come without expand. */
function listItemOut(o: FakeVismaSalesOrder, expand: Set<string>, origin: string) {
  return {
    type: o.type, orderId: o.orderId, status: o.status, date: o.date, customerId: o.customer.id, customerName: o.customer.name, orderQty: orderQty(o),
    orderTotal: orderTotal(o), taxTotal: 0, currency: 'EUR', customerOrder: o.customer.order, customerRefNo: o.customer.refNo, description: o.description,
    lastModified: o.lastModified, _links: { self: `${origin}/api/v3/SalesOrders/${o.type}/${o.orderId}` },
    ...expanded(o, expand),
  };
}

function paging(req: SalesOrderRequest, defaultSize: number, cap: number): { pageIndex: number; pageSize: number } {
  const rawSize = queryValue(req.query, 'pageSize');
  const rawIndex = queryValue(req.query, 'pageIndex');
  const pageSize = rawSize === null ? defaultSize : Number(rawSize);
  const pageIndex = rawIndex === null ? 0 : Number(rawIndex);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > req.maxPageSize) {
    throw new FakeApiError(400, `pageSize must be between 1 and ${req.maxPageSize}`, '0003-InvalidValue', 'pageSize');
  }
  if (!Number.isInteger(pageIndex) || pageIndex < 0) throw new FakeApiError(400, 'pageIndex must be 0 or more (it is zero-based)', '0003-InvalidValue', 'pageIndex');
  return { pageIndex, pageSize: Math.min(pageSize, cap) };
}

function pagedResult<T>(req: SalesOrderRequest, all: T[], pageIndex: number, pageSize: number) {
  const value = all.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
  let nextPage: string | null = null;
  if ((pageIndex + 1) * pageSize < all.length) {
    const next = new URL(`${req.origin}/api/v3/${req.path}`);
    for (const [k, v] of req.query) if (k.toLowerCase() !== 'pageindex') next.searchParams.append(k, v);
    next.searchParams.set('pageIndex', String(pageIndex + 1));
    nextPage = next.toString();
  }
  return { value, nextPage, totalCount: all.length };
}

function list(req: SalesOrderRequest, type: string | null): FakeAnswer {
  const { query } = req;
  checkQuery(query, LIST_PARAMS, 'GET SalesOrders');
  const expand = expansions(query);
  const { pageIndex, pageSize } = paging(req, 100, expand.size > 0 ? EXPAND_PAGE_CAP : Number.MAX_SAFE_INTEGER);
  const customerId = queryValue(query, 'customerId');
  const status = queryValue(query, 'status');
  if (status !== null && !ORDER_STATES.includes(status)) throw new FakeApiError(400, `The value '${status}' is not valid for status`, '0003-InvalidValue', 'status');
  const since = queryValue(query, 'modifiedSince');
  const sinceMs = since === null ? null : parseIsoDateTime(since);
  if (since !== null && sinceMs === null) throw new FakeApiError(400, `The value '${since}' is not a valid date-time for modifiedSince`, '0003-InvalidValue', 'modifiedSince');
  const filter = queryValue(query, 'filter')?.toLowerCase() ?? null;
  const orderBy = queryValue(query, 'orderBy') ?? 'orderId asc';
  const m = /^(created|lastModified|orderId)(?:\s+(asc|desc))?$/i.exec(orderBy.trim());
  if (!m) throw new FakeApiError(400, `The value '${orderBy}' is not valid for orderBy`, '0003-InvalidValue', 'orderBy');
  const key = m[1].toLowerCase();
  const sign = (m[2] ?? 'asc').toLowerCase() === 'desc' ? -1 : 1;
  const sortKey = (o: FakeVismaSalesOrder) => (key === 'created' ? o.created : key === 'lastmodified' ? o.lastModified : o.orderId.padStart(15, '0'));
  const all = req.data.salesOrders
    .filter((o) => (type === null || o.type === type) && (customerId === null || o.customer.id === customerId) && (status === null || o.status === status)
      && (sinceMs === null || Date.parse(o.lastModified) >= sinceMs)
      && (filter === null || [o.orderId, o.customer.order ?? '', o.customer.name].some((v) => v.toLowerCase().includes(filter))))
    .sort((x, y) => (sortKey(x) < sortKey(y) ? -sign : sortKey(x) > sortKey(y) ? sign : x.orderId < y.orderId ? -1 : 1));
  const page = pagedResult(req, all, pageIndex, pageSize);
  const shown = req.listExpands ? expand : new Set<string>();
  return { status: 200, body: { ...page, value: page.value.map((o) => listItemOut(o, shown, req.origin)) } };
}

function lines(req: SalesOrderRequest, order: FakeVismaSalesOrder): FakeAnswer {
  checkQuery(req.query, ['pageSize', 'pageIndex'], 'GET SalesOrders/{type}/{orderId}/lines');
  const { pageIndex, pageSize } = paging(req, 1000, Number.MAX_SAFE_INTEGER);
  const page = pagedResult(req, order.lines, pageIndex, pageSize);
  return {
    status: 200,
    body: {
      ...page,
      value: page.value.map((l, i) => ({
        lineId: l.lineId, sortOrder: pageIndex * pageSize + i + 1, lineType: 'NonStockItem', operation: l.operation,
        inventory: l.inventory, unitOfMeasure: l.unitOfMeasure, quantity: l.quantity, unitPrice: l.unitPrice, description: l.description,
        warehouseId: l.warehouseId, note: l.note, openQuantity: l.quantity, billedQuantity: 0, completed: false,
        extendedPrice: Math.round(l.quantity * l.unitPrice * 100) / 100, discountAmount: 0, discountPercent: 0, attachments: [],
      })),
    },
  };
}

// ---- writing: NewSalesOrderCommand (additionalProperties: false) ----

type Json = Record<string, unknown>;

/** The documented properties of each object of the command; the ones Simon never sends are accepted and kept out. */
const COMMAND = new Set([
  'type', 'customer', 'date', 'description', 'status', 'note', 'orderLines', 'shipping', 'customFields', 'orderId', 'overrideNumberSeries', 'requestOn',
  'cancelBy', 'currencyId', 'branchId', 'projectId', 'salesPersonId', 'ownerId', 'taxZoneId', 'print', 'billing', 'financialInformation',
  'paymentSettings', 'freight', 'originalOrderType', 'originalOrderId',
]);
const CUSTOMER = new Set(['id', 'order', 'refNo', 'contactId', 'locationId', 'termsId', 'gln']);
const LINE = new Set([
  'inventoryId', 'quantity', 'unitPrice', 'hasManualPrice', 'description', 'unitOfMeasure', 'warehouseId', 'note', 'operation', 'customFields',
  'discountPercent', 'discountAmount', 'hasManualDiscount', 'unitCost', 'shipDate', 'requestDate', 'salesAccountId', 'taxCategoryId', 'sortOrder',
]);
const CUSTOM_FIELDS = new Set(Object.keys(emptyCustomFields()));
const SHIPPING = new Set(['preferredWarehouseId', 'address', 'contact', 'scheduledDate', 'terms', 'via', 'fob', 'shipComplete']);
const PATCH = new Set(['description', 'note', 'status', 'customFields', 'customer', 'date', 'requestOn']);

const SHIPPING_ADDRESS = new Set(['line1', 'line2', 'line3', 'postalCode', 'city', 'countryId', 'stateId']);

/** `NewSalesOrderShippingDto.address` (C1: `line1..3` ≤ 50, `postalCode` ≤ 20, `city` ≤ 50, `countryId` ≤ 2); null when none is sent. */
function shippingIn(shipping: Json | undefined): FakeVismaSalesOrder['shipping'] {
  const address = object(shipping?.address, 'shipping.address');
  if (!address) return null;
  refuseUnknown(address, SHIPPING_ADDRESS, 'shipping.address.');
  const where = 'shipping.address.';
  const countryId = str(address, 'countryId', where, 2);
  str(address, 'stateId', where, 50);
  const contact = object(shipping?.contact, 'shipping.contact');
  return {
    address: {
      line1: str(address, 'line1', where, 50), line2: str(address, 'line2', where, 50), line3: str(address, 'line3', where, 50),
      postalCode: str(address, 'postalCode', where, 20), city: str(address, 'city', where, 50), country: countryId ? { id: countryId, name: countryId } : null,
    },
    contact: contact ? { name: typeof contact.name === 'string' ? contact.name : null } : null,
  };
}

function wrapped(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'value' in v;
}

function refuseUnknown(o: Json, known: Set<string>, where: string): void {
  for (const key of Object.keys(o)) {
    if (!known.has(key)) throw new FakeApiError(400, `The property '${where}${key}' is not allowed (additionalProperties: false)`, '0003-InvalidValue', `${where}${key}`);
  }
}

function object(v: unknown, where: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new FakeApiError(400, `'${where}' must be an object`, '0003-InvalidValue', where);
  return v as Json;
}

function str(o: Json, key: string, where: string, max?: number): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (wrapped(v)) throw new FakeApiError(400, `'${where}${key}' must be a plain value: V3 takes no { "value": … } wrappers`, '0003-InvalidValue', `${where}${key}`);
  if (typeof v !== 'string') throw new FakeApiError(400, `'${where}${key}' must be a string`, '0003-InvalidValue', `${where}${key}`);
  if (max !== undefined && v.length > max) throw new FakeApiError(400, `'${where}${key}' is longer than ${max} characters`, '0002-InvalidLength', `${where}${key}`);
  return v;
}

function num(o: Json, key: string, where: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (wrapped(v)) throw new FakeApiError(400, `'${where}${key}' must be a plain value: V3 takes no { "value": … } wrappers`, '0003-InvalidValue', `${where}${key}`);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FakeApiError(400, `'${where}${key}' must be a number`, '0003-InvalidValue', `${where}${key}`);
  return v;
}

function bool(o: Json, key: string, where: string): boolean | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (wrapped(v)) throw new FakeApiError(400, `'${where}${key}' must be a plain value: V3 takes no { "value": … } wrappers`, '0003-InvalidValue', `${where}${key}`);
  if (typeof v !== 'boolean') throw new FakeApiError(400, `'${where}${key}' must be true or false`, '0003-InvalidValue', `${where}${key}`);
  return v;
}

function dateTime(o: Json, key: string, where: string): string | null {
  const v = str(o, key, where);
  if (v === null) return null;
  const at = parseIsoDateTime(v);
  if (at === null) throw new FakeApiError(400, `'${where}${key}' is not a valid date-time`, '0003-InvalidValue', `${where}${key}`);
  return new Date(at).toISOString();
}

function customFieldsOf(v: unknown, where: string, into: FakeVismaCustomFields): FakeVismaCustomFields {
  const o = object(v, where);
  if (!o) return into;
  refuseUnknown(o, CUSTOM_FIELDS, `${where}.`);
  const out = { ...into };
  for (const key of CUSTOM_STRING_FIELDS) if (key in o) out[key] = str(o, key, `${where}.`, 100);
  for (const key of ['customDec1', 'customDec2', 'customInt1', 'customInt2'] as const) if (key in o) out[key] = num(o, key, `${where}.`);
  if ('customDateTimeUtc1' in o) out.customDateTimeUtc1 = dateTime(o, 'customDateTimeUtc1', `${where}.`);
  return out;
}

function create(req: SalesOrderRequest): FakeAnswer {
  const { data } = req;
  checkQuery(req.query, [], 'POST SalesOrders');
  const body = bodyObject(parseJsonBody(req.raw));
  refuseUnknown(body, COMMAND, '');
  const type = str(body, 'type', '');
  if (!type) throw new FakeApiError(400, "The property 'type' is required", '0001-Required', 'type');
  const orderType = data.salesOrderTypes.find((t) => t.orderType === type);
  if (!orderType || !orderType.active) throw new FakeApiError(400, `Order type '${type}' does not exist or is not active`, '0003-InvalidValue', 'type');
  const customerIn = object(body.customer, 'customer');
  if (!customerIn || wrapped(body.customer)) {
    throw new FakeApiError(400, wrapped(body.customer) ? "'customer' must be the customer object, not { value }" : "The property 'customer' is required", '0001-Required', 'customer');
  }
  refuseUnknown(customerIn, CUSTOMER, 'customer.');
  const customerId = str(customerIn, 'id', 'customer.');
  const order = str(customerIn, 'order', 'customer.', 40);
  const refNo = str(customerIn, 'refNo', 'customer.', 40);
  const customer = data.customers.find((c) => c.number === customerId);
  if (!customer) throw new FakeApiError(400, `Customer '${customerId ?? ''}' was not found`, '0003-InvalidValue', 'customer.id');
  if (customer.status === 'Inactive') throw new FakeApiError(400, `Customer '${customer.number}' is not active`, '1407-InvalidCustomerStatus', 'customer.id');
  const status = str(body, 'status', '');
  if (status !== null && !['', 'Open', 'Hold'].includes(status)) throw new FakeApiError(400, "'status' must be null, empty, 'Open' or 'Hold' when creating", '0003-InvalidValue', 'status');
  const description = str(body, 'description', '', 255);
  const note = str(body, 'note', '', 2048);
  const date = dateTime(body, 'date', '') ?? new Date().toISOString();
  const customFields = customFieldsOf(body.customFields, 'customFields', emptyCustomFields());
  const shipping = object(body.shipping, 'shipping');
  if (shipping) {
    refuseUnknown(shipping, SHIPPING, 'shipping.');
    str(shipping, 'preferredWarehouseId', 'shipping.', 30);
  }
  str(body, 'currencyId', '', 5);
  str(body, 'branchId', '', 30);
  const wantedId = str(body, 'orderId', '', 15);
  const override = bool(body, 'overrideNumberSeries', '') === true;

  const rawLines = body.orderLines ?? [];
  if (!Array.isArray(rawLines)) throw new FakeApiError(400, "'orderLines' must be an array", '0003-InvalidValue', 'orderLines');
  const orderLines = rawLines.map((raw: unknown, i): FakeVismaSalesOrderLine => {
    const where = `orderLines[${i}].`;
    const line = object(raw, `orderLines[${i}]`);
    if (!line) throw new FakeApiError(400, `orderLines[${i}] is not an object`, '0003-InvalidValue', `orderLines[${i}]`);
    refuseUnknown(line, LINE, where);
    const inventoryId = str(line, 'inventoryId', where);
    if (!inventoryId) throw new FakeApiError(400, `The property '${where}inventoryId' is required`, '0001-Required', `${where}inventoryId`);
    const item = data.inventory.find((x) => x.inventoryNumber === inventoryId);
    if (!item) throw new FakeApiError(400, `${where}inventoryId: item '${inventoryId}' was not found`, '1804-InventoryIdNotFound', `${where}inventoryId`);
    const warehouseId = str(line, 'warehouseId', where);
    const warehouse = warehouseId === null ? null : data.warehouses.find((w) => w.warehouseID === warehouseId);
    if (warehouse === undefined || (warehouse && !warehouse.active)) {
      throw new FakeApiError(400, `${where}warehouseId: warehouse '${warehouseId}' does not exist or is not active`, '1802-InvalidWarehouseId', `${where}warehouseId`);
    }
    const uom = str(line, 'unitOfMeasure', where, 6);
    if (uom !== null && uom !== item.baseUnit && uom !== item.salesUnit) {
      throw new FakeApiError(400, `${where}unitOfMeasure: '${uom}' is not a unit of item '${item.inventoryNumber}'`, '1808-InvalidUnitOfMeasure', `${where}unitOfMeasure`);
    }
    const operation = str(line, 'operation', where);
    if (operation !== null && operation !== 'Issue' && operation !== 'Receipt') {
      throw new FakeApiError(400, `${where}operation must be 'Issue' or 'Receipt' (the stock direction)`, '0003-InvalidValue', `${where}operation`);
    }
    customFieldsOf(line.customFields, `${where}customFields`, emptyCustomFields());
    const manual = bool(line, 'hasManualPrice', where) === true;
    const price = num(line, 'unitPrice', where);
    return {
      lineId: i + 1,
      inventory: { id: item.inventoryNumber, description: item.description, baseUnit: item.baseUnit },
      warehouseId: warehouse ? warehouse.warehouseID : null,
      unitOfMeasure: uom ?? item.salesUnit,
      quantity: num(line, 'quantity', where) ?? 1,
      // Without hasManualPrice the ERP recalculates the price from its rules (docs §3.6): a sent price is then lost.
      unitPrice: manual && price !== null ? price : item.defaultPrice,
      hasManualPrice: manual && price !== null,
      description: str(line, 'description', where, 256) ?? item.description,
      operation: operation === 'Receipt' ? 'Receipt' : 'Issue',
      note: str(line, 'note', where, 2048),
    };
  });

  let orderId: string;
  if (wantedId !== null && override) {
    if (data.salesOrders.some((o) => o.type === type && o.orderId === wantedId)) throw new FakeApiError(409, `Sales order ${type} ${wantedId} already exists`);
    orderId = wantedId;
  } else {
    const next = (data.nextOrderNo[type] ??= 1);
    data.nextOrderNo[type] = next + 1;
    orderId = String(next).padStart(6, '0');
  }
  const now = new Date().toISOString();
  const created: FakeVismaSalesOrder = {
    type, orderId, status: status === 'Hold' ? 'Hold' : 'Open', date,
    customer: { id: customer.number, name: customer.name, order, refNo },
    // The ERP fills the shipping address from the customer's location (delivery address) unless one is sent (inferred).
    description, note, customFields, shipping: shippingIn(shipping) ?? defaultShipping(customer), lines: orderLines, created: now, lastModified: now, version: 1, attachments: [],
  };
  data.salesOrders.push(created);
  (data.receivedCreates ??= []).push(body);
  return { status: 201, body: '', headers: { location: `${req.origin}/api/v3/SalesOrders/${type}/${orderId}`, etag: etag(created) }, wrote: true };
}

function patch(req: SalesOrderRequest, order: FakeVismaSalesOrder): FakeAnswer {
  checkQuery(req.query, [], 'PATCH SalesOrders/{type}/{orderId}');
  checkIfMatch(req, order);
  const body = bodyObject(parseJsonBody(req.raw));
  refuseUnknown(body, PATCH, '');
  if ('status' in body) {
    if (Object.keys(body).length > 1) throw new FakeApiError(400, 'A status change may carry no other property', '0003-InvalidValue', 'status');
    const status = str(body, 'status', '');
    if (!status || !['Open', 'Hold', 'BackOrder', 'Cancelled', 'Completed'].includes(status)) throw new FakeApiError(400, `The value '${status ?? ''}' is not valid for status`, '0003-InvalidValue', 'status');
    order.status = status as FakeVismaSalesOrder['status'];
  }
  if ('description' in body) order.description = str(body, 'description', '', 255);
  if ('note' in body) order.note = str(body, 'note', '', 2048);
  if ('date' in body) order.date = dateTime(body, 'date', '') ?? order.date;
  if ('customFields' in body) order.customFields = customFieldsOf(body.customFields, 'customFields', order.customFields);
  const customer = object(body.customer, 'customer');
  if (customer) {
    refuseUnknown(customer, new Set(['order', 'refNo']), 'customer.');
    if ('order' in customer) order.customer.order = str(customer, 'order', 'customer.', 40);
    if ('refNo' in customer) order.customer.refNo = str(customer, 'refNo', 'customer.', 40);
  }
  order.lastModified = new Date().toISOString();
  order.version++;
  return { status: 202, body: '', headers: { etag: etag(order) }, wrote: true };
}
