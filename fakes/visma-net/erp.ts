import { randomUUID } from 'node:crypto';
import { scalarText, type FakeAnswer } from '../kit.js';
import {
  INVENTORY_TYPES, touch, vismaTimestamp,
  type FakeInventoryType, type FakeVismaAttachment, type FakeVismaCustomer, type FakeVismaData, type FakeVismaInventory, type FakeVismaInvoice,
  type FakeVismaInvoiceLine,
} from './data.js';
import { FakeApiError, bodyObject, checkQuery, parseErpDate, parseJsonBody, parseMultipart, queryValue, queryValues } from './wire.js';

/**
 * The ERP API half of the fake Visma.net (api.finance.visma.net/v1/…, docs/providers/visma-net.md §3.1–3.5,
 * §3.8–3.10): paged listings that refuse to answer without `pageNumber`/`pageSize` and carry
 * `metadata {totalCount, maxPageSize}` on every record, `lastModifiedDateTime` + condition filters, the organization
 * of the token's company, sales order types, customer invoices created through `POST /v2/customerinvoice` with
 * every field wrapped as `{ "value": … }` (unknown fields refused), and multipart attachments where the same file
 * name makes a new revision. The retired SalesOrder v1/v2 endpoints are answered by the dispatcher
 * (`retiredSalesOrderPath`), and the deprecated `POST /v1/customerinvoice` is refused here.
 */

export interface ErpRequest {
  method: string;
  /** `v1` or `v2`. */
  version: string;
  /** The path after `/v1/` or `/v2/`, without a trailing slash. */
  path: string;
  query: URLSearchParams;
  raw: Buffer;
  contentType: string | undefined;
  data: FakeVismaData;
  organization: { organizationCd: string; name: string };
  maxPageSize: number;
  origin: string;
}

/**
 * The SalesOrder v1/v2 endpoints that reached end of life (D1): all of `/v1/salesorder…`, `/v1/salesorderbasic…`,
 * `/v2/salesorder…` and `/v2/salesorderbasic…`, except the two attachment endpoints that stay (§3.10).
 */
export function retiredSalesOrderPath(version: string, method: string, path: string): boolean {
  if (!/^salesorder(basic)?(\/|$)/i.test(path)) return false;
  if (version === 'v1' && method === 'POST' && /^salesorder\/orderType\/[^/]+\/[^/]+\/attachment$/.test(path)) return false;
  if (version === 'v1' && method === 'DELETE' && /^salesorder\/[^/]+\/[^/]+\/attachment\/[^/]+$/.test(path)) return false;
  return true;
}

/** "salesorder/orderType/SO/000123/attachment" → "salesorder/orderType/:type/:nbr/attachment", for the request counters. */
export function erpPattern(version: string, path: string): string {
  const prefix = version === 'v1' ? '' : `${version}/`;
  const [head, ...rest] = path.split('/');
  if (head === 'inventory' && rest[0] === 'itemClass') return `${prefix}inventory/itemClass`;
  if (head === 'salesorder' && rest[0] === 'orderType') return `${prefix}salesorder/orderType/:type/:nbr/attachment`;
  if (rest.length === 0) return `${prefix}${head ?? ''}`;
  if (rest[rest.length - 1] === 'attachment') return `${prefix}${head}/:id/attachment`;
  return `${prefix}${head}/${rest.map(() => ':id').join('/')}`;
}

const CHANGE_FILTER = ['lastModifiedDateTime', 'lastModifiedDateTimeCondition'];
const PAGING = ['pageNumber', 'pageSize'];

export function routeErp(req: ErpRequest): FakeAnswer {
  const { method, version, path, query, data } = req;
  const [resource, a, b, c, d] = path.split('/');
  const parts = path.split('/').length;

  if (version === 'v2') {
    if (resource === 'customerinvoice' && a === undefined) {
      if (method !== 'POST') throw notAllowed(method);
      checkQuery(query, [], 'POST v2/customerinvoice');
      return createInvoice(parseJsonBody(req.raw), req);
    }
    throw notFound(`v2/${path}`);
  }

  switch (resource) {
    case 'organization':
      if (method !== 'GET') break;
      checkQuery(query, ['expandBranches', 'expandBankSettings', ...CHANGE_FILTER], 'GET organization');
      // Not a paged endpoint: the organisation(s) of the token's company, as an array.
      if (a === undefined) return { status: 200, body: [organizationOut(req)] };
      if (a === req.organization.organizationCd && b === undefined) return { status: 200, body: organizationOut(req) };
      throw new FakeApiError(404, `Organization '${a}' not found`, '10404');
    case 'customer':
      if (method !== 'GET') break;
      if (a === undefined) {
        checkQuery(query, [...PAGING, ...CHANGE_FILTER, 'createdDateTime', 'createdDateTimeCondition', 'status', 'expandAccountInformation', 'expandPaymentMethods', 'expandDirectDebit'], 'GET customer');
        const status = queryValue(query, 'status');
        return paged(req, data.customers.filter((x) => status === null || x.status === status), { orderBy: (x) => x.internalId, created: (x) => x.createdDateTime });
      }
      checkQuery(query, [], 'GET customer/{customerCd}');
      return one(data.customers.find((x) => x.number === decodeURIComponent(a)), `Customer '${a}' not found`);
    case 'inventory':
      if (method !== 'GET') break;
      if (a === undefined) return inventoryList(req);
      if (a === 'itemClass' && b === undefined) {
        checkQuery(query, PAGING, 'GET inventory/itemClass');
        return paged(req, data.itemClasses.map((x) => ({ ...x, attributes: [], lastModifiedDateTime: '' })), { orderBy: (_, i) => i, changeTracking: false });
      }
      if (a === 'itemclass' && b !== undefined && c === undefined) return one(data.itemClasses.find((x) => x.id === decodeURIComponent(b)), `Item class '${b}' not found`);
      if (b !== undefined) break;
      checkQuery(query, [], 'GET inventory/{inventoryNumber}');
      return one(data.inventory.find((x) => x.inventoryNumber === decodeURIComponent(a)), `Inventory item '${a}' not found`);
    case 'warehouse':
      if (method !== 'GET') break;
      if (a === undefined) {
        checkQuery(query, [...PAGING, 'active', 'branch'], 'GET warehouse');
        const active = queryValue(query, 'active');
        if (active !== null && active !== 'true' && active !== 'false') throw new FakeApiError(400, `Invalid value '${active}' for 'active'`);
        const list = data.warehouses.filter((w) => active === null || String(w.active) === active);
        return paged(req, list.map((w) => ({ ...w, lastModifiedDateTime: '' })), { orderBy: (_, i) => i, changeTracking: false });
      }
      checkQuery(query, [], 'GET warehouse/{warehouseID}');
      return one(data.warehouses.find((x) => x.warehouseID === decodeURIComponent(a)), `Warehouse '${a}' not found`);
    case 'salesordertype':
      if (method !== 'GET') break;
      if (a === undefined) {
        checkQuery(query, [...PAGING, ...CHANGE_FILTER, 'orderBy'], 'GET salesordertype');
        return paged(req, data.salesOrderTypes.map((t) => ({ ...t, lastModifiedDateTime: '' })), { orderBy: (_, i) => i, changeTracking: false });
      }
      checkQuery(query, [], 'GET salesordertype/{orderType}');
      return one(data.salesOrderTypes.find((t) => t.orderType === decodeURIComponent(a)), `Sales order type '${a}' not found`);
    case 'salesorder':
      // Only the attachment endpoints are left on the ERP API (the dispatcher answers the retired ones).
      if (method === 'POST' && a === 'orderType' && d === 'attachment' && parts === 5) {
        const order = data.salesOrders.find((o) => o.type === b && o.orderId === c);
        if (!order) throw new FakeApiError(404, `Sales order ${b} ${c} not found`, '10404');
        const answer = attach(order, req);
        order.lastModified = new Date().toISOString();
        order.version++;
        return answer;
      }
      if (method === 'DELETE' && d !== undefined && c === 'attachment' && parts === 4) {
        const order = data.salesOrders.find((o) => o.type === a && o.orderId === b);
        if (!order) throw new FakeApiError(404, `Sales order ${a} ${b} not found`, '10404');
        const index = order.attachments.findIndex((x) => x.id === d);
        if (index < 0) throw new FakeApiError(404, `Attachment '${d}' not found`, '10404');
        order.attachments.splice(index, 1);
        order.version++;
        return { status: 204, body: '', wrote: true };
      }
      break;
    case 'customerinvoice':
      if (method === 'GET' && a === undefined) return invoiceList(req);
      if (method === 'GET' && a !== undefined && b === undefined) {
        checkQuery(query, [], 'GET customerinvoice/{invoiceNumber}');
        const invoice = data.invoices.find((x) => x.referenceNumber === a);
        if (!invoice) throw new FakeApiError(404, `Invoice ${a} not found`, '10404');
        return { status: 200, body: invoiceOut(invoice, true), headers: { etag: `"${invoice.timeStamp}"` } };
      }
      if (method === 'POST' && a === undefined) {
        // Deprecated since 2021 ("will be removed starting May 2021"): refused, so a fallback to it cannot pass unnoticed.
        throw new FakeApiError(410, 'POST v1/customerinvoice is deprecated and removed: use POST v2/customerinvoice', '10410');
      }
      if (method === 'POST' && a !== undefined && b === 'attachment' && c === undefined) {
        const invoice = data.invoices.find((x) => x.referenceNumber === a);
        if (!invoice) throw new FakeApiError(404, `Invoice ${a} not found`, '10404');
        const answer = attach(invoice, req);
        touch(invoice);
        invoice.timeStamp++;
        return answer;
      }
      break;
    default:
      throw notFound(path);
  }
  throw notAllowed(method);
}

const notFound = (path: string) => new FakeApiError(404, `No HTTP resource was found that matches the request URI '${path}'`, '10404');
const notAllowed = (method: string) => new FakeApiError(405, `The requested resource does not support http method '${method}'`, '10405');

function one<T>(record: T | undefined, notFoundText: string): FakeAnswer {
  if (!record) throw new FakeApiError(404, notFoundText, '10404');
  return { status: 200, body: record };
}

function organizationOut(req: ErpRequest) {
  return {
    organizationCd: req.organization.organizationCd, name: req.organization.name, organizationType: 'WithoutBranches', baseCurrency: 'EUR',
    mainAddress: { addressLine1: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Hoofddorp', country: { id: 'NL', name: 'Nederland' } },
    corporateId: '12345678', vatRegistrationId: 'NL001234567B01', lastModifiedDateTime: vismaTimestamp(new Date(Date.UTC(2025, 0, 1))), timeStamp: 'AAAAAAAB',
  };
}

function inventoryList(req: ErpRequest): FakeAnswer {
  const { query } = req;
  const expandFlags = ['expandCrossReference', 'expandAttachment', 'expandAttribute', 'expandWarehouseDetail', 'expandAccountInformation', 'expandInventoryUnits', 'expandSupplierDetails', 'expandSalesCategories', 'expandNote'];
  checkQuery(query, [...PAGING, ...CHANGE_FILTER, 'inventoryTypes', 'status', 'inventoryNumber', 'description', ...expandFlags], 'GET inventory');
  for (const flag of expandFlags) {
    const v = queryValue(query, flag);
    if (v !== null && v !== 'true' && v !== 'false') throw new FakeApiError(400, `Invalid value '${v}' for '${flag}'`);
  }
  const types = queryValues(query, 'inventoryTypes').flatMap((v) => v.split(','));
  for (const t of types) if (!INVENTORY_TYPES.includes(t as FakeInventoryType)) throw new FakeApiError(400, `Invalid value '${t}' for 'inventoryTypes'`);
  const status = queryValue(query, 'status');
  const number = queryValue(query, 'inventoryNumber');
  const list = req.data.inventory.filter((x: FakeVismaInventory) =>
    (types.length === 0 || types.includes(x.type)) && (status === null || x.status === status) && (number === null || x.inventoryNumber === number));
  return paged(req, list, { orderBy: (x) => x.inventoryId });
}

function invoiceList(req: ErpRequest): FakeAnswer {
  const { query } = req;
  checkQuery(query, [
    ...PAGING, ...CHANGE_FILTER, 'externalReference', 'customerRefNumber', 'customer', 'status', 'documentDate', 'documentDateCondition',
    'createdDateTime', 'createdDateTimeCondition', 'expandAttachments',
  ], 'GET customerinvoice');
  const eq = (name: string) => queryValue(query, name);
  const [ext, ref, customer, status] = [eq('externalReference'), eq('customerRefNumber'), eq('customer'), eq('status')];
  const expand = eq('expandAttachments');
  if (expand !== null && expand !== 'true' && expand !== 'false') throw new FakeApiError(400, `Invalid value '${expand}' for 'expandAttachments'`);
  const documentDate = dateCondition(query, 'documentDate');
  const list = req.data.invoices.filter((i) =>
    (ext === null || i.externalReference === ext) && (ref === null || i.customerRefNumber === ref) && (customer === null || i.customer.number === customer)
    && (status === null || i.status === status) && documentDate(i.documentDate));
  return paged(req, list.map((i) => invoiceOut(i, expand === 'true')), { orderBy: (_, i) => i, created: (x) => x.createdDateTime });
}

/** `{name}` + `{name}Condition` (">", "<", ">=", "<="): mutually inclusive, as the swagger says. */
function dateCondition(query: URLSearchParams, name: string): (value: string) => boolean {
  const value = queryValue(query, name);
  const condition = queryValue(query, `${name}Condition`);
  if (value === null && condition === null) return () => true;
  if (value === null || condition === null) throw new FakeApiError(400, `${name} and ${name}Condition are mutually inclusive`);
  const at = parseErpDate(value);
  if (at === null) throw new FakeApiError(400, `Invalid ${name} '${value}'`);
  const compare: Record<string, (x: number) => boolean> = { '>': (x) => x > at, '<': (x) => x < at, '>=': (x) => x >= at, '<=': (x) => x <= at };
  const test = compare[condition];
  if (!test) throw new FakeApiError(400, `${name}Condition must be one of >, <, >=, <=`);
  return (v) => test(parseErpDate(v) ?? 0);
}

/**
 * A paged listing: `pageNumber`/`pageSize` are mandatory (D10), `pageSize` is capped at `maxPageSize`, and every
 * record carries `metadata: { totalCount, maxPageSize }` as the ERP API does.
 */
function paged<T extends { lastModifiedDateTime: string }>(
  req: ErpRequest, records: T[],
  opts: { orderBy: (r: T, index: number) => number; created?: (r: T) => string; changeTracking?: boolean },
): FakeAnswer {
  const { query } = req;
  const pageNumber = Number(queryValue(query, 'pageNumber'));
  const requested = Number(queryValue(query, 'pageSize'));
  if (queryValue(query, 'pageNumber') === null || queryValue(query, 'pageSize') === null || !Number.isInteger(pageNumber) || !Number.isInteger(requested) || pageNumber < 1 || requested < 1) {
    throw new FakeApiError(400, 'Paging is mandatory: provide pageNumber (>= 1) and pageSize (>= 1)');
  }
  const modified = opts.changeTracking === false ? () => true : dateCondition(query, 'lastModifiedDateTime');
  const created = opts.created ? dateCondition(query, 'createdDateTime') : () => true;
  const filtered = records
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => modified(r.lastModifiedDateTime) && (!opts.created || created(opts.created(r))))
    .sort((x, y) => opts.orderBy(x.r, x.i) - opts.orderBy(y.r, y.i));
  const pageSize = Math.min(requested, req.maxPageSize);
  const slice = filtered.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const metadata = { totalCount: filtered.length, maxPageSize: req.maxPageSize };
  // Item classes carry no change date on the wire (ItemClassDto: docs/providers/visma-net.md §3.3); it is only the paging key here.
  const wire = (r: T) => (opts.changeTracking === false ? omitChangeDate(r) : r);
  return { status: 200, body: slice.map(({ r }) => ({ ...wire(r), metadata })) };
}

function omitChangeDate<T extends { lastModifiedDateTime: string }>(r: T): Omit<T, 'lastModifiedDateTime'> {
  const { lastModifiedDateTime: _unused, ...rest } = r;
  return rest;
}

// ---- customer invoices ----

/** CustomerInvoiceUpdateDto's documented header fields (C4); anything else is refused (U14: stricter than proven). */
const INVOICE_FIELDS = new Set([
  'customerNumber', 'documentDate', 'hold', 'invoiceText', 'externalReference', 'customerRefNumber', 'note', 'invoiceLines', 'referenceNumber',
  'overrideNumberSeries', 'creditTermsId', 'currencyId', 'documentDueDate', 'cashDiscountDate', 'paymentMethodId', 'paymentReference', 'locationId',
  'contact', 'project', 'sendToAutoInvoice', 'dontPrint', 'dontEmail', 'accountingCostRef', 'originatorDocRef', 'contractDocRef', 'postPeriod',
  'financialPeriod', 'salesPersonID', 'branchNumber', 'cashAccount', 'startDate', 'endDate', 'customerVatZoneId', 'exchangeRate',
]);
const INVOICE_LINE_FIELDS = new Set([
  'operation', 'inventoryNumber', 'quantity', 'description', 'unitPriceInCurrency', 'uom', 'discountPercent', 'discountAmountInCurrency', 'vatCodeId',
  'note', 'branchNumber', 'accountNumber', 'subaccount', 'projectTaskId', 'lineNumber', 'manualAmountInCurrency', 'termStartDate', 'termEndDate',
]);

/** Every written field must be `{ "value": … }`; a bare value fails as the real DTO binder does. */
function field(body: Record<string, unknown>, name: string): unknown {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || !('value' in v)) {
    throw new FakeApiError(400, `Error converting value for '${name}': expected an object { "value": ... }`);
  }
  return v.value;
}

const text = (v: unknown): string | null => (v === undefined || v === null ? null : scalarText(v));

function refuseUnknown(body: Record<string, unknown>, known: Set<string>, where: string): void {
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new FakeApiError(400, `${where}: unknown field(s) ${unknown.map((k) => `'${k}'`).join(', ')}`);
}

function customerFor(data: FakeVismaData, number: unknown): FakeVismaCustomer {
  if (number === undefined) throw new FakeApiError(400, "The field 'customerNumber' is mandatory");
  const customer = data.customers.find((c) => c.number === scalarText(number));
  if (!customer) throw new FakeApiError(400, `Customer '${scalarText(number)}' was not found`, '12010');
  if (customer.status === 'Inactive') throw new FakeApiError(400, `Customer '${customer.number}' is inactive`, '12011');
  return customer;
}

function dateOf(v: unknown, name: string): string {
  if (v === undefined) return vismaTimestamp().slice(0, 10);
  const at = parseErpDate(scalarText(v));
  if (at === null) throw new FakeApiError(400, `Invalid date in '${name}'`);
  return vismaTimestamp(new Date(at)).slice(0, 10);
}

function createInvoice(raw: unknown, req: ErpRequest): FakeAnswer {
  const { data } = req;
  const body = bodyObject(raw);
  refuseUnknown(body, INVOICE_FIELDS, 'CustomerInvoiceUpdateDto');
  const customer = customerFor(data, field(body, 'customerNumber'));
  const rawLines = body.invoiceLines ?? [];
  if (!Array.isArray(rawLines)) throw new FakeApiError(400, "'invoiceLines' must be an array");
  const lines = rawLines.map((l: unknown, i): FakeVismaInvoiceLine => {
    if (!l || typeof l !== 'object' || Array.isArray(l)) throw new FakeApiError(400, `invoiceLines[${i}] is not an object`);
    const line = l as Record<string, unknown>;
    refuseUnknown(line, INVOICE_LINE_FIELDS, `invoiceLines[${i}]`);
    if (line.operation !== 'Insert') throw new FakeApiError(400, `invoiceLines[${i}].operation must be 'Insert' when creating a document`);
    const item = data.inventory.find((x) => x.inventoryNumber === text(field(line, 'inventoryNumber')));
    if (!item) throw new FakeApiError(400, `invoiceLines[${i}]: inventory item '${text(field(line, 'inventoryNumber'))}' was not found`, '12012');
    const quantity = Number(field(line, 'quantity') ?? 1);
    const price = field(line, 'unitPriceInCurrency');
    const unitPrice = price === undefined ? item.defaultPrice : Number(price);
    return {
      lineNumber: i + 1, inventoryNumber: item.inventoryNumber, description: text(field(line, 'description')) ?? item.description, quantity,
      unitPriceInCurrency: unitPrice, amountInCurrency: Math.round(quantity * unitPrice * 100) / 100, uom: text(field(line, 'uom')) ?? item.salesUnit,
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
    sendToAutoInvoice: field(body, 'sendToAutoInvoice') === true,
    lastModifiedDateTime: now,
    createdDateTime: now,
    timeStamp: 1,
    attachments: [],
  };
  data.invoices.push(invoice);
  (data.receivedCreates ??= []).push(raw);
  return {
    status: 201, body: '',
    headers: { location: `${req.origin}/v1/customerinvoice/${invoice.referenceNumber}`, etag: `"${invoice.timeStamp}"` },
    wrote: true,
  };
}

const attachmentsOut = (list: FakeVismaAttachment[]) => list.map((a) => ({ name: a.name, id: a.id, revision: a.revision }));

function invoiceOut(i: FakeVismaInvoice, withAttachments: boolean) {
  const { attachments, timeStamp, ...rest } = i;
  return { ...rest, timeStamp: String(timeStamp), ...(withAttachments ? { attachments: attachmentsOut(attachments) } : {}) };
}

/** A multipart upload; the same file name again makes a new revision, not a second file (Visma.net's rule). */
function attach(document: { attachments: FakeVismaAttachment[] }, req: ErpRequest): FakeAnswer {
  const files = parseMultipart(req.raw, req.contentType ?? '').filter((p) => p.filename);
  if (files.length === 0) throw new FakeApiError(400, 'The request must be multipart/form-data with one file');
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
  return { status: 201, body: '', headers: { location: `${req.origin}/v1/attachment/${last!.id}` }, wrote: true };
}
