import { activityLogger } from '../../lib/logger.js';
import { vismaNetTexts as texts } from '../../lib/messages.js';
import { quoteMatchesFilter } from '../../lib/quote.js';
import { MAX_OPTIONS, downloadedListings, matchesTerm, offsetCursor, providerFailure, unexpectedAnswer } from '../kit.js';
import type { AttachmentFile, Connector, ConnectorContext, CreatedDocument, DocumentDraft, DocumentPreview, OptionItem, Page, UpstreamProblem } from '../types.js';
import { asText } from '../values.js';
import { attachmentPath, customerInvoiceBody, documentFromLocation, parseDocumentId, salesOrderBody } from './documents.js';
import {
  CLOSED_ORDER_STATES, SELLABLE_ITEM_STATES, isOwnOrder, mapCustomer, mapInventory, mapItemClass, mapOrder, orderStatus,
  type ReferenceField,
} from './mappers.js';
import { createChecks, type Company, type VismaNetSettings } from './checks.js';
import { NON_STOCK_QUERY, V3_EXPAND_PAGE_SIZE, createReads, listingStart } from './reads.js';
import { customerSchema, inventorySchema, v3ListItemSchema, type VismaLine } from './schemas.js';
import { VISMA_NET, createTransport, type Host, type RateState } from './transport.js';

export { VISMA_NET } from './transport.js';
export { vismaErrorMessage } from './transport.js';
export { mapAddress, mapCustomer, mapInventory, mapItemClass, mapOrder, originalSalesOrderNumber, sameAddress } from './mappers.js';
export { attachmentPath, customerInvoiceBody, documentFromLocation, parseDocumentId, salesOrderBody } from './documents.js';

/**
 * Visma.net ERP (docs/providers/visma-net.md): OAuth2 through Visma Connect, a token bound to the company chosen at
 * sign-on, two services. The ERP API (customers, Non-Stock items, item classes, warehouses, order types, customer
 * invoices, every attachment) pages by `pageNumber`/`pageSize` and tracks changes by `lastModifiedDateTime`; its
 * writes wrap every field as `{ value }`. SalesOrders V3 (a separate base URL) creates and lists sales orders and
 * quotes with plain JSON. A work order becomes a sales order or a customer invoice, always on hold (docs/export.md).
 * Neither service has an idempotency key: our reference goes into a custom field of the order (not printed) or the
 * invoice's `externalReference`, and a retry looks it up before it creates anything (docs/exactly-once.md).
 */

export const DEFAULT_SALESORDER_BASE_URL = 'https://salesorder.visma.net/api/v3/';
const REFERENCE_FIELDS: readonly ReferenceField[] = ['customStr1', 'customStr2', 'customStr3', 'customStr4', 'customStr5'];
/** A document cannot be older than this before its create request (our clock against theirs). */
const CLOCK_MARGIN_MS = 10 * 60_000;

export type { VismaNetSettings } from './checks.js';

export interface VismaNetConnector extends Connector {
  readonly provider: 'visma-net';
  /** The last X-RateLimit-* each service sent (null before the first answer, and for V3 when it sends none). */
  readonly rateLimits: Readonly<Record<Host, RateState | null>>;
}

/**
 * `ctx.settings` (the settings in force, or an export's archive-time version) names the order type of the order
 * import and the document type when a draft does not; `ctx.config` the V3 base URL and the reference field
 * (connectors/index.ts `providerConfig`); `ctx.refreshCredentials` renews a stale token.
 */
export function createVismaNetConnector(ctx: ConnectorContext): VismaNetConnector {
  const settings: VismaNetSettings | null = ctx.settings?.provider === 'visma-net' ? ctx.settings : null;
  const referenceField = REFERENCE_FIELDS.find((f) => f === ctx.config?.referenceField) ?? 'customStr5';
  const api = createTransport(ctx, ctx.config?.salesOrderBaseUrl || DEFAULT_SALESORDER_BASE_URL);
  const reads = createReads(ctx, api, referenceField);
  const groups = downloadedListings(async (_: 'itemClasses') => (await reads.itemClasses()) as Record<string, unknown>[]);

  /** The connected company: the token's tenant (U2), else the organisation code; `GET organization` proves the access. */
  async function company(): Promise<Company> {
    const org = (await reads.organizations())[0];
    if (!org) throw providerFailure(VISMA_NET, 'auth', texts.noCompany);
    const organizationCd = asText(org.organizationCd);
    return { id: api.tenant() ?? organizationCd ?? '', name: asText(org.name) ?? organizationCd ?? '', organizationCd };
  }

  const checks = createChecks(reads, company);

  async function findDocument(lookup: Parameters<Connector['findDocument']>[0]): Promise<CreatedDocument | null> {
    const first = settings?.documentType === 'invoice' ? 'invoice' : 'salesOrder';
    for (const kind of first === 'invoice' ? (['invoice', 'salesOrder'] as const) : (['salesOrder', 'invoice'] as const)) {
      const found = kind === 'salesOrder' ? await reads.findSalesOrder(lookup) : await reads.findInvoice(lookup);
      if (found) return found;
    }
    return null;
  }

  /** U15: the document should be on hold; a type or AR setting may force it open, which the office must know. */
  function warnWhenNotOnHold(documentId: string, status: string | null): void {
    if (status !== null && status !== 'Hold') activityLogger({ provider: 'visma-net' }).warn({ documentId, status }, 'Visma.net document is not on hold');
  }

  return {
    provider: 'visma-net',
    changeTracking: 'modified-since',

    get rateLimits() {
      return api.rates;
    },

    async verifyConnection() {
      const c = await company();
      return { label: `${c.name} (${c.organizationCd ?? c.id})`, administrationIds: [c.id, ...(c.organizationCd ? [c.organizationCd] : [])] };
    },

    listArticleGroups: (req) => groups.page('itemClasses', req, (c) => mapItemClass(c), 500),

    async listArticles(req) {
      const page = await reads.erpPage('inventory', req, NON_STOCK_QUERY);
      const items = page.records.map((r) => reads.parse('GET inventory', inventorySchema, r));
      // The filter asks for Non-Stock items only (manual §3.1); the check here guards against a filter ignored.
      return { ...page, records: items.filter((i) => asText(i.type) === 'NonStockItem').map(mapInventory) };
    },

    async listCustomers(req) {
      const page = await reads.erpPage('customer', req);
      return { ...page, records: page.records.map((r) => mapCustomer(reads.parse('GET customer', customerSchema, r))) };
    },

    /**
     * The `SO` or `QT` orders (manual §5.10) through V3, paged by `pageIndex` in order-number order (stable while
     * orders change), open ones only and never our own. Lines (`/lines`) are read only when the settings import them,
     * and only for orders the include filter word lets through.
     */
    async listQuotes(req) {
      const type = settings?.orders.import === 'quote' ? 'QT' : 'SO';
      const cursor = req.cursor === null ? { page: 0, mark: null } : { page: offsetCursor(req.cursor.split('|')[0]), mark: req.cursor.split('|')[1] || null };
      const pageSize = Math.min(V3_EXPAND_PAGE_SIZE, Math.max(1, req.pageSize ?? V3_EXPAND_PAGE_SIZE));
      const page = await reads.v3Page(`SalesOrders/${type}`, {
        pageIndex: cursor.page, pageSize, orderBy: 'orderId asc', expand: 'Note,CustomFields,Shipping',
        ...(req.since ? { modifiedSince: req.since } : {}),
      });
      const mark = cursor.mark ?? listingStart(page.date).toISOString();
      const records = [];
      for (const raw of page.value) {
        const listed = reads.parse(`GET SalesOrders/${type}`, v3ListItemSchema, raw);
        if (CLOSED_ORDER_STATES.has(orderStatus(listed) ?? '')) continue;
        // The shipping address becomes the work order's work address (docs/quotes.md).
        const o = await reads.withExpansions(listed, { shipping: true });
        if (isOwnOrder(o, referenceField)) continue;
        const wanted = settings?.orders.includeLines === true && quoteMatchesFilter({ name: asText(o.description) ?? '', reference: null }, settings.orders.includeFilterWord);
        const lines: VismaLine[] = wanted ? await reads.orderLines(asText(o.type) ?? type, asText(o.orderId) ?? '') : [];
        records.push(mapOrder(o, lines));
      }
      const last = page.nextPage === null || page.value.length === 0;
      return {
        records,
        nextCursor: last ? null : `${cursor.page + 1}|${mark}`,
        ...(page.totalCount !== null ? { total: page.totalCount } : {}),
        ...(last ? { highWaterMark: mark } : {}),
      };
    },

    checkSettings: (input) => checks.check(input),

    async options(list: string, q: string | null): Promise<OptionItem[]> {
      switch (list) {
        case 'companies': {
          // One: a Visma Connect token reaches the company chosen at sign-on; another company means connecting again.
          const c = await company();
          return matchesTerm(q, c.id, c.name, c.organizationCd) ? [{ id: c.id, name: c.name }] : [];
        }
        case 'warehouses':
          return (await reads.warehouses(true))
            .filter((w) => asText(w.active) !== 'false' && matchesTerm(q, asText(w.warehouseID), asText(w.description)))
            .slice(0, MAX_OPTIONS)
            .map((w) => ({ id: asText(w.warehouseID) ?? '', name: asText(w.description) ?? '' }));
        case 'articleGroups':
          return (await reads.itemClasses()).map(mapItemClass).filter((g) => matchesTerm(q, g.code, g.description)).map((g) => ({ id: g.externalId, name: g.description }));
        case 'articles': {
          // The API cannot search codes or descriptions: page the Non-Stock items and match here.
          const out: OptionItem[] = [];
          let cursor: string | null = null;
          for (let pages = 0; pages < 20 && out.length < MAX_OPTIONS; pages++) {
            const page: Page<Record<string, unknown>> = await reads.erpPage('inventory', { cursor, since: null, pageSize: 1000 }, NON_STOCK_QUERY);
            for (const raw of page.records) {
              const a = mapInventory(reads.parse('GET inventory', inventorySchema, raw));
              if (asText(raw.type) !== 'NonStockItem' || !matchesTerm(q, a.code, a.description)) continue;
              out.push({ id: a.code, name: a.description, code: a.code, externalId: a.externalId, group: a.groupExternalId, price: a.salesPrice });
            }
            cursor = page.nextCursor;
            if (cursor === null) break;
          }
          return out.slice(0, MAX_OPTIONS);
        }
        default:
          throw new Error(texts.unknownList(list));
      }
    },

    async createDocument(draft: DocumentDraft): Promise<CreatedDocument> {
      const { kind, host, path, body } = documentRequest(draft);
      const startedAt = new Date(Date.now() - CLOCK_MARGIN_MS);
      const res = await api.call(host, { method: 'POST', path, body });
      const created = documentFromLocation(res.headers.get('location'));
      if (created) return created;
      // Created, but without a Location (U13) we cannot name it: look it up rather than guess.
      const lookup = { reference: draft.reference, customerExternalId: draft.customer.externalId, createdAfter: startedAt, plan: null };
      const found = kind === 'salesOrder' ? await reads.findSalesOrder(lookup) : await reads.findInvoice(lookup);
      if (found) return found;
      throw unexpectedAnswer(VISMA_NET, `POST ${kind === 'salesOrder' ? 'SalesOrders' : 'v2/customerinvoice'}`, '');
    },

    /**
     * The create's body, and what Visma.net would refuse in it (docs/preview.md): an item it does not know or sell, a
     * sales order line's warehouse it does not have (or not active). Reads only; the create itself leaves these checks
     * to Visma.net, which answers them with a validation error.
     */
    async previewDocument(draft: DocumentDraft): Promise<DocumentPreview> {
      const { kind, body } = documentRequest(draft);
      const problems: UpstreamProblem[] = [];
      const codes = [...new Set(draft.lines.flatMap((l) => (l.kind === 'article' ? [l.articleCode] : [])))];
      for (const code of codes) {
        const found = await reads.item(code);
        if (!found || !SELLABLE_ITEM_STATES.has(asText(found.status) ?? 'Active')) problems.push({ code: 'article-not-found-upstream', reason: texts.articleGone(code), detail: code });
      }
      if (kind === 'salesOrder' && draft.warehouse) {
        const w = (await reads.warehouses(false)).find((x) => asText(x.warehouseID) === draft.warehouse);
        if (!w || asText(w.active) === 'false') problems.push({ code: 'warehouse-missing', reason: texts.warehouseGone(draft.warehouse), detail: draft.warehouse });
      }
      return { body: problems.length > 0 ? null : body, problems };
    },

    // docs/providers/visma-net.md, "Exactly once": nothing refuses a second document with our reference.
    documentIdentity: { uniqueReference: false },
    findDocument,

    /**
     * Both kinds of document Simon makes, whichever the settings ask for now (the setting may have changed within the
     * window): sales orders and customer invoices of the last days (docs/providers/visma-net.md §8).
     */
    async listDocuments(since) {
      return [...(await reads.salesOrdersSince(since)), ...(await reads.invoicesSince(since))];
    },

    /** The names already attached: posting one of them again would make a new revision (§3.10). */
    async listAttachments(document: CreatedDocument): Promise<string[]> {
      const key = parseDocumentId(document.documentId);
      if (!key) throw new Error(texts.badDocumentId(document.documentId));
      if (key.kind === 'salesOrder') {
        const o = await reads.order(key.type, key.orderId, 'Attachments');
        warnWhenNotOnHold(document.documentId, orderStatus(o));
        return (o.attachments ?? []).map((a) => asText(a.name)).filter((n): n is string => n !== null);
      }
      const invoice = await reads.invoice(key.number);
      warnWhenNotOnHold(document.documentId, asText(invoice.status));
      return (invoice.attachments ?? []).map((a) => asText(a.name)).filter((n): n is string => n !== null);
    },

    async attachFile(document: CreatedDocument, file: AttachmentFile): Promise<void> {
      const key = parseDocumentId(document.documentId);
      if (!key) throw new Error(texts.badDocumentId(document.documentId));
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(file.content)], { type: file.contentType }), file.fileName);
      await api.call('erp', { method: 'POST', path: attachmentPath(key), body: form });
    },
  };

  /** Where the create goes and what it sends: the preview's and the create's one way (docs/preview.md). */
  function documentRequest(draft: DocumentDraft) {
    const kind = draft.documentType ?? settings?.documentType ?? 'salesOrder';
    return kind === 'salesOrder'
      ? { kind, host: 'salesOrders' as const, path: 'SalesOrders', body: salesOrderBody(draft, referenceField) }
      : { kind, host: 'erp' as const, path: reads.erpV2('customerinvoice'), body: customerInvoiceBody(draft) };
  }
}
