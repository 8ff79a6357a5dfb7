import type { z } from 'zod';
import { vismaNetTexts as texts } from '../../lib/messages.js';
import { ProviderError } from '../../lib/errors.js';
import { parseRecord, recordList, unexpectedAnswer } from '../kit.js';
import type { QueryValue } from '../http.js';
import type { ConnectorContext, CreatedDocument, DocumentLookup, ListedDocument, ListRequest, Page } from '../types.js';
import { asNumber, asText } from '../values.js';
import { salesOrderDocument, invoiceDocument } from './documents.js';
import { orderCarries, type ReferenceField } from './mappers.js';
import {
  inventorySchema, invoiceSchema, itemClassSchema, organizationSchema, salesOrderTypeSchema, v3LineSchema, v3ListItemSchema, v3OrderSchema, v3PageSchema,
  warehouseSchema, type VismaLine, type VismaListOrder, type VismaOrder,
} from './schemas.js';
import { VISMA_NET, type Transport } from './transport.js';

/**
 * The reads of the Visma.net connector (docs/providers/visma-net.md §3, §5–§7): ERP listings paged by
 * `pageNumber`/`pageSize` until a short page or `metadata.totalCount`, V3 listings paged by zero-based `pageIndex`
 * until `nextPage` is null, and the look-ups that find a document an earlier attempt created.
 */

export const DEFAULT_PAGE_SIZE = 500;
/** V3 caps any listing with `expand` at 100 (D6, release 10.92). */
export const V3_EXPAND_PAGE_SIZE = 100;
/** How far back a retry without a known start looks for a document it may have created. */
export const REFERENCE_LOOKBACK_DAYS = 31;
/** Items, as the article listings ask for them: Non-Stock only (manual §3.1), without the expansions (on by default). */
export const NON_STOCK_QUERY: Record<string, QueryValue> = {
  inventoryTypes: 'NonStockItem',
  expandCrossReference: false, expandAttachment: false, expandAttribute: false, expandWarehouseDetail: false, expandAccountInformation: false,
  expandInventoryUnits: false, expandSupplierDetails: false, expandSalesCategories: false, expandNote: false,
};

type Raw = Record<string, unknown>;

/** `2026-11-23 10:15:00` in UTC, the format of the ERP's `lastModifiedDateTime` filter. */
export function vismaDateTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The server's clock (`Date`) minus a minute when it sends one, so our clock's skew does not matter and a record
 * changed while the first page was built is listed next time; without `Date`, our clock minus five minutes (U7).
 */
function listingStart(dateHeader: string | null): Date {
  const server = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return new Date(Number.isNaN(server) ? Date.now() - 5 * 60_000 : server - 60_000);
}

interface Cursor {
  page: number;
  /** The listing's high-water mark, fixed by its first page. */
  mark: string | null;
}

function parseCursor(cursor: string | null, first: number): Cursor {
  if (cursor === null) return { page: first, mark: null };
  const m = /^(\d+)\|(.*)$/.exec(cursor);
  if (!m || Number(m[1]) < first) throw new Error(texts.badCursor(cursor));
  return { page: Number(m[1]), mark: m[2] || null };
}

export function createReads(ctx: ConnectorContext, api: Transport, referenceField: ReferenceField) {
  const parse = <S extends z.ZodObject>(operation: string, schema: S, raw: unknown) => parseRecord(ctx, VISMA_NET, operation, schema, raw);
  /** The ERP base with `v2/` for the endpoints that have moved there (POST customerinvoice). */
  const erpV2 = (path: string) => new URL(`../v2/${path}`, ctx.baseUrl.replace(/\/?$/, '/')).toString();

  /**
   * One page of an ERP listing. The high-water mark is taken at the first page: anything changed while the listing
   * ran is listed again next time (`>=`, with a minute of overlap); listing a record twice is harmless.
   */
  async function erpPage(path: string, req: ListRequest, query: Record<string, QueryValue> = {}): Promise<Page<Raw>> {
    const cur = parseCursor(req.cursor, 1);
    const pageSize = Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE);
    const res = await api.call('erp', {
      path,
      query: { ...query, pageNumber: cur.page, pageSize, ...(req.since ? { lastModifiedDateTime: req.since, lastModifiedDateTimeCondition: '>=' } : {}) },
    });
    const mark = cur.mark ?? vismaDateTime(listingStart(res.headers.get('date')));
    const records = recordList(VISMA_NET, `GET ${path}`, res.body);
    const meta = records[0]?.metadata && typeof records[0].metadata === 'object' ? (records[0].metadata as Raw) : {};
    const total = asNumber(meta.totalCount);
    const maxPageSize = asNumber(meta.maxPageSize);
    const effective = maxPageSize ? Math.min(pageSize, maxPageSize) : pageSize;
    const last = records.length === 0 || records.length < effective || (total !== null && cur.page * effective >= total);
    return {
      records,
      nextCursor: last ? null : `${cur.page + 1}|${mark}`,
      ...(total !== null ? { total } : {}),
      ...(last ? { highWaterMark: mark } : {}),
    };
  }

  /** Every page of a short ERP listing (item classes, warehouses, order types). */
  async function erpAll(path: string, query: Record<string, QueryValue> = {}): Promise<Raw[]> {
    const all: Raw[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Raw> = await erpPage(path, { cursor, since: null }, query);
      all.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return all;
  }

  /** One page of a V3 listing: `{value, nextPage, totalCount}`; anything else is an unexpected answer, never "none". */
  async function v3Page(path: string, query: Record<string, QueryValue>): Promise<{ value: Raw[]; nextPage: string | null; totalCount: number | null; date: string | null }> {
    const res = await api.call('salesOrders', { path, query });
    const parsed = v3PageSchema.safeParse(res.body);
    if (!parsed.success) throw unexpectedAnswer(VISMA_NET, `GET ${path}`, res.body);
    return { value: parsed.data.value, nextPage: parsed.data.nextPage ?? null, totalCount: parsed.data.totalCount ?? null, date: res.headers.get('date') };
  }

  async function order(type: string, orderId: string, expand: string): Promise<VismaOrder> {
    const path = `SalesOrders/${encodeURIComponent(type)}/${encodeURIComponent(orderId)}`;
    const { body } = await api.call('salesOrders', { path, query: { expand } });
    return parse(`GET ${path}`, v3OrderSchema, body);
  }

  async function orderLines(type: string, orderId: string): Promise<VismaLine[]> {
    const path = `SalesOrders/${encodeURIComponent(type)}/${encodeURIComponent(orderId)}/lines`;
    const lines: VismaLine[] = [];
    for (let pageIndex = 0; ; pageIndex++) {
      const page = await v3Page(path, { pageSize: 1000, pageIndex });
      lines.push(...page.value.map((l) => parse(`GET ${path}`, v3LineSchema, l)));
      if (page.nextPage === null || page.value.length === 0) return lines;
    }
  }

  /**
   * The order's custom fields (and note, and with `shipping` its shipping address) when the list left them out (U5:
   * whether list `expand` fills them is unconfirmed): one GET of the order with those expansions.
   */
  async function withExpansions(o: VismaListOrder, opts: { shipping?: boolean } = {}): Promise<VismaListOrder> {
    const needShipping = opts.shipping === true && o.shipping === undefined;
    if (o.customFields && !needShipping) return o;
    const full = await order(asText(o.type) ?? 'SO', asText(o.orderId) ?? '', opts.shipping ? 'CustomFields,Note,Shipping' : 'CustomFields,Note');
    return {
      ...o,
      customFields: o.customFields ?? full.customFields ?? { customStr1: null, customStr2: null, customStr3: null, customStr4: null, customStr5: null },
      note: full.note ?? o.note,
      ...(opts.shipping ? { shipping: o.shipping ?? full.shipping ?? null } : {}),
    };
  }

  /**
   * Our sales order among the customer's orders changed since the first attempt began (a change is never before the
   * creation, so `modifiedSince` only widens the search): the custom field, or `customerOrder` on orders the code
   * before V3 made, must carry our reference.
   */
  async function findSalesOrder(lookup: DocumentLookup): Promise<CreatedDocument | null> {
    const since = lookup.createdAfter ?? new Date(Date.now() - REFERENCE_LOOKBACK_DAYS * 86_400_000);
    for (let pageIndex = 0; ; pageIndex++) {
      const page = await v3Page('SalesOrders/SO', {
        ...(lookup.customerExternalId ? { customerId: lookup.customerExternalId } : {}),
        modifiedSince: since.toISOString(), orderBy: 'orderId asc', expand: 'CustomFields', pageSize: V3_EXPAND_PAGE_SIZE, pageIndex,
      });
      for (const raw of page.value) {
        const listed = parse('GET SalesOrders/SO', v3ListItemSchema, raw);
        const o = await withExpansions(listed);
        if (orderCarries(o, referenceField, lookup.reference)) return salesOrderDocument(asText(o.type) ?? 'SO', asText(o.orderId) ?? '');
      }
      if (page.nextPage === null || page.value.length === 0) return null;
    }
  }

  /** Our invoice by its `externalReference` (a documented exact filter), for the same customer when we know it. */
  async function findInvoice(lookup: DocumentLookup): Promise<CreatedDocument | null> {
    const { body } = await api.call('erp', { path: 'customerinvoice', query: { externalReference: lookup.reference, pageNumber: 1, pageSize: 10 } });
    for (const raw of recordList(VISMA_NET, 'GET customerinvoice', body)) {
      const invoice = parse('GET customerinvoice', invoiceSchema, raw);
      const customer = invoice.customer ? asText(invoice.customer.number) : null;
      if (asText(invoice.externalReference) !== lookup.reference) continue;
      if (lookup.customerExternalId && customer !== null && customer !== lookup.customerExternalId) continue;
      const number = asText(invoice.referenceNumber);
      if (number) return invoiceDocument(number);
    }
    return null;
  }

  /**
   * The sales orders (type SO) changed since `since`, dated from its day on (docs/providers/visma-net.md §8): V3 has no
   * created-since filter, so `modifiedSince` gives a superset and the date is filtered here. Ordered by `orderId` (a
   * key that does not move while the listing runs, unlike `lastModified`), every page; our reference from the custom
   * field, else the legacy `customerOrder`.
   */
  async function salesOrdersSince(since: Date): Promise<ListedDocument[]> {
    const from = since.toISOString().slice(0, 10);
    const out: ListedDocument[] = [];
    for (let pageIndex = 0; ; pageIndex++) {
      const page = await v3Page('SalesOrders/SO', { modifiedSince: since.toISOString(), orderBy: 'orderId asc', expand: 'CustomFields', pageSize: V3_EXPAND_PAGE_SIZE, pageIndex });
      for (const raw of page.value) {
        const o = await withExpansions(parse('GET SalesOrders/SO', v3ListItemSchema, raw));
        const date = (asText(o.date) ?? '').slice(0, 10);
        if (/^\d{4}-\d{2}-\d{2}$/.test(date) && date < from) continue;
        const doc = salesOrderDocument(asText(o.type) ?? 'SO', asText(o.orderId) ?? '');
        out.push({ ...doc, reference: asText(o.customFields?.[referenceField]) ?? asText(o.customerOrder), customerExternalId: asText(o.customerId), date });
      }
      if (page.nextPage === null || page.value.length === 0) return out;
    }
  }

  /** The customer invoices created since `since` (`createdDateTime` with `>=`, §3.9, §8), every page; our reference in `externalReference`. */
  async function invoicesSince(since: Date): Promise<ListedDocument[]> {
    const out: ListedDocument[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Raw> = await erpPage('customerinvoice', { cursor, since: null }, { createdDateTime: vismaDateTime(since), createdDateTimeCondition: '>=' });
      for (const raw of page.records) {
        const i = parse('GET customerinvoice', invoiceSchema, raw);
        const number = asText(i.referenceNumber);
        if (!number) continue;
        out.push({ ...invoiceDocument(number), reference: asText(i.externalReference), customerExternalId: i.customer ? asText(i.customer.number) : null, date: (asText(i.documentDate) ?? '').slice(0, 10) });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  async function invoice(number: string) {
    const path = `customerinvoice/${encodeURIComponent(number)}`;
    const { body } = await api.call('erp', { path });
    return parse(`GET ${path}`, invoiceSchema, body);
  }

  async function organizations() {
    const { body } = await api.call('erp', { path: 'organization' });
    return recordList(VISMA_NET, 'GET organization', body).map((o) => parse('GET organization', organizationSchema, o));
  }

  async function item(code: string) {
    try {
      const { body } = await api.call('erp', { path: `inventory/${encodeURIComponent(code)}` });
      return parse('GET inventory/{inventoryNumber}', inventorySchema, body);
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  const itemClasses = async () =>
    (await erpAll('inventory/itemClass')).map((c) => parse('GET inventory/itemClass', itemClassSchema, c)).filter((c) => asText(c.type) === 'NonStockItem');
  const warehouses = async (activeOnly: boolean) =>
    (await erpAll('warehouse', activeOnly ? { active: true } : {})).map((w) => parse('GET warehouse', warehouseSchema, w));
  const orderTypes = async () => (await erpAll('salesordertype')).map((t) => parse('GET salesordertype', salesOrderTypeSchema, t));

  return { parse, erpV2, erpPage, erpAll, v3Page, order, orderLines, withExpansions, findSalesOrder, findInvoice, salesOrdersSince, invoicesSince, invoice, organizations, item, itemClasses, warehouses, orderTypes };
}

export type Reads = ReturnType<typeof createReads>;
export { listingStart };
