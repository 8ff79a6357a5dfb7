import { checkErrors } from '../../lib/messages.js';
import { accessTokenExpired } from '../../lib/oauth.js';
import type { FieldCheck, Settings, SettingsOf } from '../../lib/settings.js';
import { ProviderError, describeProviderError, type ProviderErrorKind } from '../../lib/errors.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../http.js';
import type {
  AttachmentFile,
  Connector,
  ConnectorContext,
  CreatedDocument,
  DocumentDraft,
  DocumentLine,
  ExternalAddress,
  ExternalArticle,
  ExternalArticleGroup,
  ExternalCustomer,
  ExternalQuote,
  ExternalWorkAddress,
  ListRequest,
  OptionItem,
  Page,
  ProviderCredentials,
} from '../types.js';
import { asDecimalString, asNumber, asText } from '../values.js';

/**
 * Visma.net ERP (research/accounting-apis.md §5): OAuth2 through Visma Connect, a token bound to the company
 * chosen at sign-on, paged listings (`pageNumber`/`pageSize` mandatory, `metadata.totalCount` on each record)
 * with `lastModifiedDateTime` change tracking, and DTO writes whose every field is wrapped as `{ value }`.
 * A work order becomes a sales order (type SO) or a customer invoice, always on hold so the office can check
 * it (SPEC §14.1). Visma.net has no idempotency key: our reference goes into `customerOrder` (sales order) or
 * `externalReference` (invoice), free-text header fields the other settings do not use and the API returns on
 * every read, and a retry looks it up before it creates anything.
 */

export const VISMA_NET = 'Visma.net ERP';
export const DEFAULT_PAGE_SIZE = 500;
/** A settings pick-list is searched by typing; thousands of rows help nobody. */
export const MAX_OPTIONS = 100;
/** How far back a retry looks for a document it may have created (the API cannot filter on our reference). */
export const REFERENCE_LOOKBACK_DAYS = 31;
/** The prefix of our references (lib/document.ts `documentReference`): orders carrying it are ours, never imported. */
export const OWN_REFERENCE_PREFIX = 'simon-';
/** Orders in these states are done with; the order import skips them. */
const CLOSED_ORDER_STATES = new Set(['Completed', 'Cancelled', 'Closed', 'Invoiced']);
/** Item states in which an item can still be sold. */
const SELLABLE_ITEM_STATES = new Set(['Active', 'NoPurchases', 'NoRequest']);

/**
 * UNCONFIRMED scope names for the interactive ERP API; `offline_access` gives the refresh token
 * (docs.vismasoftware.no/vismanetapi/developer-portal/interactive-integrations).
 */

const texts = {
  notConnected: 'Er is geen toegang tot Visma.net ERP opgeslagen; koppel de integratie opnieuw',
  expired: 'De koppeling met Visma.net ERP is verlopen of ingetrokken; koppel de integratie opnieuw',
  forbidden: "Visma.net ERP weigert de toegang: de gebruiker heeft voor dit bedrijf geen rol 'API User' of de koppeling mist rechten",
  conflict: 'Het document is in Visma.net ERP tegelijk door iemand anders gewijzigd',
  noCompany: 'Er is bij het inloggen geen bedrijf gekozen waarop de gebruiker de rol API User heeft',
  unexpectedAnswer: 'Visma.net ERP gaf een onverwacht antwoord',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor Visma.net ERP`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een Visma.net-lijst`,
  badDocumentId: (id: string) => `Onbekend Visma.net-document '${id}'`,
  wrongSettings: 'Instellingen horen niet bij Visma.net ERP',
};

type Raw = Record<string, unknown>;
export type VismaNetSettings = SettingsOf<'visma-net'>;

export interface VismaNetConnector extends Connector {
  readonly provider: 'visma-net';
  /** The last X-RateLimit-* the API sent (null before the first answer). */
  readonly rateLimit: { limit: number | null; remaining: number; resetAt: number } | null;
}

/**
 * `ctx.settings` (the settings in force, or an export's archive-time version) names the order type of the order
 * import and the document type when a draft does not; `ctx.refreshCredentials` renews a stale token.
 */
export function createVismaNetConnector(ctx: ConnectorContext): VismaNetConnector {
  let credentials: ProviderCredentials = { ...ctx.credentials };
  const settings: VismaNetSettings | null = ctx.settings?.provider === 'visma-net' ? ctx.settings : null;
  let rate: { limit: number | null; remaining: number; resetAt: number } | null = null;
  let refreshing: Promise<void> | null = null;

  const http = new HttpClient({
    provider: VISMA_NET,
    baseUrl: ctx.baseUrl,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}),
    headers: () => ({ authorization: `Bearer ${credentials.accessToken ?? ''}` }),
    errorMessage: vismaErrorMessage,
  });

  function authError(lead: string, providerMessage = ''): ProviderError {
    return new ProviderError({ kind: 'auth', provider: VISMA_NET, providerMessage: providerMessage || lead, message: describeProviderError('auth', { provider: VISMA_NET, lead, providerMessage }) });
  }

  /** One refresh at a time per connector; the caller (activities/oauth.ts) serialises across workers and stores the tokens. */
  async function refresh(): Promise<void> {
    const renew = ctx.refreshCredentials;
    if (!renew) throw authError(texts.expired);
    const stale = credentials;
    refreshing ??= renew(stale)
      .then((fresh) => {
        credentials = { ...fresh };
      })
      .finally(() => {
        refreshing = null;
      });
    await refreshing;
  }

  function noteRateLimit(headers: Headers): void {
    const remaining = Number.parseInt(headers.get('x-ratelimit-remaining') ?? '', 10);
    if (!Number.isFinite(remaining)) return;
    const limit = Number.parseInt(headers.get('x-ratelimit-limit') ?? '', 10);
    const reset = Number.parseInt(headers.get('x-ratelimit-reset') ?? '', 10);
    rate = { limit: Number.isFinite(limit) ? limit : null, remaining, resetAt: Date.now() + (Number.isFinite(reset) ? reset : 60) * 1000 };
  }

  /** The quota of this company and client is used up: wait for the window, do not spend a call on a 429. */
  function guardRateLimit(operation: string): void {
    if (!rate || rate.remaining > 0) return;
    const wait = rate.resetAt - Date.now();
    if (wait <= 0) return;
    throw new ProviderError({
      kind: 'rate-limited', provider: VISMA_NET, operation, retryAfterMs: wait, providerMessage: `X-RateLimit-Remaining: 0, opnieuw over ${Math.ceil(wait / 1000)} s`,
      message: describeProviderError('rate-limited', { provider: VISMA_NET, providerMessage: `quotum op, opnieuw over ${Math.ceil(wait / 1000)} s` }),
    });
  }

  /** One API call: fresh token, quota, one refresh-and-retry on 401, clear Dutch messages per status. */
  async function call<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (!credentials.accessToken && !credentials.refreshToken) throw authError(texts.notConnected);
    if (accessTokenExpired(credentials) && ctx.refreshCredentials) await refresh();
    for (let attempt = 0; ; attempt++) {
      guardRateLimit(`${req.method ?? 'GET'} ${req.path}`);
      try {
        const res = await http.request<T>(req);
        noteRateLimit(res.headers);
        return res;
      } catch (err) {
        // A 401 means the request was not processed, so repeating it (even a POST) cannot create anything twice.
        if (err instanceof ProviderError && err.status === 401 && attempt === 0 && ctx.refreshCredentials) {
          await refresh();
          continue;
        }
        throw clarify(err);
      }
    }
  }

  // ---- listings ----

  interface Cursor {
    page: number;
    /** The listing's high-water mark, fixed by its first page. */
    mark: string | null;
  }

  function parseCursor(cursor: string | null): Cursor {
    if (cursor === null) return { page: 1, mark: null };
    const m = /^(\d+)\|(.*)$/.exec(cursor);
    if (!m || Number(m[1]) < 1) throw new Error(texts.badCursor(cursor));
    return { page: Number(m[1]), mark: m[2] || null };
  }

  /**
   * One page of a Visma.net listing. The high-water mark is taken at the first page (`listingMark`): anything changed
   * while the listing ran is listed again next time (anchors.md §1.1, Nango #752); listing a record twice is harmless.
   */
  async function listPage(path: string, req: ListRequest, query: Record<string, string> = {}): Promise<Page<Raw>> {
    const cur = parseCursor(req.cursor);
    const pageSize = Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE);
    const res = await call({
      path,
      query: {
        ...query,
        pageNumber: cur.page,
        pageSize,
        ...(req.since ? { lastModifiedDateTime: req.since, lastModifiedDateTimeCondition: '>' } : {}),
      },
    });
    const mark = cur.mark ?? listingMark(res.headers.get('date'));
    const records = asRecordList(res.body, `GET ${path}`);
    const meta = metadataOf(records[0]);
    const effective = meta.maxPageSize ? Math.min(pageSize, meta.maxPageSize) : pageSize;
    const last = records.length === 0 || records.length < effective || (meta.totalCount !== null && cur.page * effective >= meta.totalCount);
    return {
      records,
      nextCursor: last ? null : `${cur.page + 1}|${mark}`,
      ...(meta.totalCount !== null ? { total: meta.totalCount } : {}),
      ...(last ? { highWaterMark: mark } : {}),
    };
  }

  async function contexts(): Promise<{ id: string; name: string }[]> {
    // Beside /v1 (legacy `resources/v1/context`, "the companies available for this token"); UNCONFIRMED on api.finance.
    const { body } = await call({ path: new URL('../resources/v1/context', ctx.baseUrl.replace(/\/?$/, '/')).toString() });
    return asRecordList(body, 'GET context')
      .map((c) => ({ id: asText(c.id) ?? '', name: asText(c.name) ?? '' }))
      .filter((c) => c.id);
  }

  async function item(code: string): Promise<Raw | null> {
    try {
      const { body } = await call({ path: `inventory/${encodeURIComponent(code)}` });
      return body && typeof body === 'object' ? (body as Raw) : null;
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  async function itemClasses(): Promise<Raw[]> {
    // A short list without paging or change tracking: read whole every time.
    const { body } = await call({ path: 'inventory/itemClass' });
    return asRecordList(body, 'GET inventory/itemClass').filter((c) => asText(c.type) === 'NonStockItem');
  }

  async function warehouses(): Promise<Raw[]> {
    const { body } = await call({ path: 'warehouse' });
    return asRecordList(body, 'GET warehouse');
  }

  /** Our document among those changed in the last weeks (a retry comes soon after the attempt that may have created it). */
  async function findDocumentByReference(reference: string): Promise<CreatedDocument | null> {
    const since = vismaDateTime(new Date(Date.now() - REFERENCE_LOOKBACK_DAYS * 86_400_000));
    const kinds: ('salesOrder' | 'invoice')[] = settings?.documentType === 'invoice' ? ['invoice', 'salesOrder'] : ['salesOrder', 'invoice'];
    for (const kind of kinds) {
      const path = kind === 'salesOrder' ? 'salesorder' : 'customerinvoice';
      const field = kind === 'salesOrder' ? 'customerOrder' : 'externalReference';
      let cursor: string | null = null;
      do {
        const cur = parseCursor(cursor);
        const res = await call({
          path,
          query: { ...(kind === 'salesOrder' ? { orderType: 'SO' } : {}), lastModifiedDateTime: since, lastModifiedDateTimeCondition: '>=', pageNumber: cur.page, pageSize: DEFAULT_PAGE_SIZE },
        });
        const records = asRecordList(res.body, `GET ${path}`);
        const hit = records.find((r) => asText(r[field]) === reference);
        if (hit) return kind === 'salesOrder' ? salesOrderRef(hit) : invoiceRef(hit);
        const meta = metadataOf(records[0]);
        const effective = meta.maxPageSize ? Math.min(DEFAULT_PAGE_SIZE, meta.maxPageSize) : DEFAULT_PAGE_SIZE;
        const last = records.length < effective || (meta.totalCount !== null && cur.page * effective >= meta.totalCount);
        cursor = last ? null : `${cur.page + 1}|`;
      } while (cursor !== null);
    }
    return null;
  }

  return {
    provider: 'visma-net',
    changeTracking: 'modified-since',

    get rateLimit() {
      return rate;
    },

    async verifyConnection() {
      const companies = await contexts();
      const company = companies[0];
      if (!company) throw authError(texts.noCompany);
      return { label: `${company.name} (${company.id})` };
    },

    async listArticleGroups(req) {
      const offset = req.cursor === null ? 0 : Number(req.cursor);
      if (!Number.isInteger(offset) || offset < 0) throw new Error(texts.badCursor(String(req.cursor)));
      const pageSize = Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE);
      const all = (await itemClasses()).map(mapItemClass);
      const end = Math.min(offset + pageSize, all.length);
      const last = end >= all.length;
      return { records: all.slice(offset, end), nextCursor: last ? null : String(end), total: all.length, ...(last ? { highWaterMark: null } : {}) };
    },

    async listArticles(req) {
      const page = await listPage('inventory', req);
      // Only Non-Stock items are Simon articles (manual §3.1); labour, service and stock items are left out.
      return { ...page, records: page.records.filter((r) => asText(r.type) === 'NonStockItem').map(mapInventory) };
    },

    async listCustomers(req) {
      const page = await listPage('customer', req);
      return { ...page, records: page.records.map(mapCustomer) };
    },

    async listQuotes(req) {
      const orderType = settings?.orders.import === 'quote' ? 'QT' : 'SO';
      const page = await listPage('salesorder', req, { orderType });
      const open = page.records.filter((o) => !CLOSED_ORDER_STATES.has(asText(o.status) ?? '') && !isOwnOrder(o));
      return { ...page, records: open.map(mapOrder) };
    },

    async checkSettings(input: Settings): Promise<FieldCheck[]> {
      if (input.provider !== 'visma-net') throw new Error(texts.wrongSettings);
      const checks: FieldCheck[] = [];
      const terms: FieldCheck = input.termsAccepted === true ? { field: 'termsAccepted', ok: true } : { field: 'termsAccepted', ok: false, error: checkErrors.termsNotAccepted() };

      // The company first (manual §5.2, SPEC §14.3): the other fields are only checked once it is the connected one.
      const company = (await contexts()).find((c) => c.id === input.companyId.trim());
      if (!company) return [{ field: 'companyId', ok: false, error: checkErrors.companyUnknown('visma-net') }, terms];
      checks.push({ field: 'companyId', ok: true, found: { id: company.id, name: company.name } });

      for (const field of ['workTimeArticle', 'travelTimeArticle', 'defaultArticle'] as const) {
        const code = input[field];
        if (code === null || code === undefined) continue;
        const found = await item(code.trim());
        if (!found) checks.push({ field, ok: false, error: checkErrors.articleUnknown('visma-net') });
        else if (asText(found.type) !== 'NonStockItem') checks.push({ field, ok: false, error: checkErrors.articleNotNonStock(), found: articleFound(found) });
        else if (!SELLABLE_ITEM_STATES.has(asText(found.status) ?? 'Active')) checks.push({ field, ok: false, error: checkErrors.articleInactive('visma-net'), found: articleFound(found) });
        else checks.push({ field, ok: true, found: articleFound(found) });
      }

      // Warehouses matter for sales orders only (SPEC §14.13).
      if (input.documentType === 'salesOrder') checks.push(...(await warehouseChecks(input.warehouse)));
      checks.push(terms);
      return checks;
    },

    async options(list: string, q: string | null): Promise<OptionItem[]> {
      const term = (q ?? '').trim().toLowerCase();
      const matches = (...values: unknown[]) => !term || values.some((v) => (asText(v) ?? '').toLowerCase().includes(term));
      switch (list) {
        case 'companies':
          return (await contexts()).filter((c) => matches(c.id, c.name)).map((c) => ({ id: c.id, name: c.name }));
        case 'warehouses':
          return (await warehouses())
            .filter((w) => asText(w.active) !== 'false' && matches(w.warehouseID, w.description))
            .slice(0, MAX_OPTIONS)
            .map((w) => ({ id: asText(w.warehouseID) ?? '', name: asText(w.description) ?? '' }));
        case 'articleGroups':
          return (await itemClasses()).map(mapItemClass).filter((g) => matches(g.code, g.description)).map((g) => ({ id: g.externalId, name: g.description }));
        case 'articles': {
          // Non-Stock items only (SPEC §14.2); the API cannot filter on type or search codes, so page and filter here.
          const out: OptionItem[] = [];
          let cursor: string | null = null;
          for (let pages = 0; pages < 20 && out.length < MAX_OPTIONS; pages++) {
            const page: Page<Raw> = await listPage('inventory', { cursor, since: null, pageSize: 1000 });
            for (const r of page.records) {
              if (asText(r.type) !== 'NonStockItem' || !matches(r.inventoryNumber, r.description)) continue;
              const a = mapInventory(r);
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
      const kind = draft.documentType ?? settings?.documentType ?? 'salesOrder';
      const path = kind === 'salesOrder' ? 'salesorder' : 'customerinvoice';
      const res = await call({ method: 'POST', path, body: kind === 'salesOrder' ? salesOrderBody(draft) : customerInvoiceBody(draft) });
      const created = documentFromLocation(res.headers.get('location'), ctx.baseUrl);
      if (created) return created;
      // Created, but without a Location we cannot name it: look it up rather than guess.
      const found = await findDocumentByReference(draft.reference);
      if (found) return found;
      throw new ProviderError({
        kind: 'unavailable', provider: VISMA_NET, operation: `POST ${path}`,
        message: describeProviderError('unavailable', { provider: VISMA_NET, lead: texts.unexpectedAnswer }),
      });
    },

    // docs/providers/visma-net.md, "Exactly once".
    documentIdentity: { uniqueReference: false },
    findDocument: (lookup) => findDocumentByReference(lookup.reference),

    async attachFile(document: CreatedDocument, file: AttachmentFile): Promise<void> {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(file.content)], { type: file.contentType }), file.fileName);
      await call({ method: 'POST', path: attachmentPath(document.documentId), body: form });
    },
  };

  async function warehouseChecks(w: VismaNetSettings['warehouse']): Promise<FieldCheck[]> {
    const wanted: { field: string; code: string }[] = [];
    if (w === null || (w.perUser && Object.keys(w.byUser).length === 0 && w.default === null)) {
      return [{ field: 'warehouse.default', ok: false, error: checkErrors.warehouseDefaultRequired() }];
    }
    if (w.perUser) for (const [user, code] of Object.entries(w.byUser)) wanted.push({ field: `warehouse.byUser.${user}`, code });
    if (w.default !== null) wanted.push({ field: 'warehouse.default', code: w.default });
    const all = await warehouses();
    return wanted.map(({ field, code }): FieldCheck => {
      const found = all.find((x) => asText(x.warehouseID) === code.trim());
      if (!found) return { field, ok: false, error: checkErrors.warehouseUnknown('visma-net') };
      const echo = { id: asText(found.warehouseID), name: asText(found.description) };
      if (asText(found.active) === 'false') return { field, ok: false, error: checkErrors.warehouseInactive('visma-net'), found: echo };
      return { field, ok: true, found: echo };
    });
  }
}

// ---- errors ----

/** Dutch leads for the statuses a user can act on; the provider's own text is kept. */
function clarify(err: unknown): unknown {
  if (!(err instanceof ProviderError) || err.status === undefined) return err;
  const lead: Partial<Record<number, [ProviderErrorKind, string]>> = {
    401: ['auth', texts.expired],
    403: ['auth', texts.forbidden],
    412: ['conflict', texts.conflict],
  };
  const hit = lead[err.status];
  if (!hit) return err;
  return new ProviderError({
    kind: hit[0], status: err.status, provider: VISMA_NET, providerMessage: err.providerMessage,
    ...(err.operation !== undefined ? { operation: err.operation } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    message: describeProviderError(hit[0], { provider: VISMA_NET, status: err.status, providerMessage: err.providerMessage, lead: hit[1] }),
  });
}

/** IPPException bodies (`ExceptionMessage`), OAuth errors (`error_description`) or a plain `message`. */
export function vismaErrorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body || null;
  if (!body || typeof body !== 'object') return null;
  const o = body as Raw;
  const ipp = asText(o.ExceptionMessage);
  if (ipp) {
    const details = asText(o.ExceptionDetails);
    const code = asText(o.ExceptionFaultCode);
    return `${ipp}${details ? ` (${details})` : ''}${code ? ` [${code}]` : ''}`;
  }
  return asText(o.error_description) ?? asText(o.message) ?? asText(o.Message) ?? asText(o.error) ?? null;
}

// ---- mapping: Visma.net records → Simon's vocabulary ----

export function mapAddress(a: unknown): ExternalAddress | null {
  if (!a || typeof a !== 'object') return null;
  const o = a as Raw;
  const lines = [asText(o.addressLine1), asText(o.addressLine2), asText(o.addressLine3)].filter((l): l is string => l !== null);
  const country = o.country && typeof o.country === 'object' ? asText((o.country as Raw).name) ?? asText((o.country as Raw).id) : asText(o.country);
  const address: ExternalAddress = { street: lines.length > 0 ? lines.join(', ') : null, postalCode: asText(o.postalCode), city: asText(o.city), country };
  return address.street || address.postalCode || address.city ? address : null;
}

/** Two addresses are the same place when street, postal code and city match, ignoring case, spaces and punctuation. */
export function sameAddress(a: ExternalAddress, b: ExternalAddress): boolean {
  const norm = (v: string | null | undefined) => (v ?? '').toLowerCase().replace(/[\s.,-]+/g, '');
  return norm(a.street) === norm(b.street) && norm(a.postalCode) === norm(b.postalCode) && norm(a.city) === norm(b.city);
}

/**
 * The main address is the customer address and the first work address; a filled invoice address and delivery
 * address each become a work address too (manual §3.3), unless the customer already has that address (§14.16).
 */
export function mapCustomer(c: Raw): ExternalCustomer {
  const number = asText(c.number) ?? asText(c.internalId) ?? '';
  const contact = (c.mainContact && typeof c.mainContact === 'object' ? c.mainContact : {}) as Raw;
  const main = mapAddress(c.mainAddress);
  const workAddresses: ExternalWorkAddress[] = [];
  const candidates: [ExternalWorkAddress['origin'], unknown, unknown][] = [
    ['customer-address', c.mainAddress, null],
    ['invoice-address', c.invoiceAddress, c.invoiceContact],
    ['delivery-address', c.deliveryAddress, c.deliveryContact],
  ];
  for (const [origin, raw, rawContact] of candidates) {
    const address = mapAddress(raw);
    if (!address || workAddresses.some((w) => sameAddress(w.address, address))) continue;
    const name = rawContact && typeof rawContact === 'object' ? asText((rawContact as Raw).name) : null;
    workAddresses.push({ origin, address: name ? { ...address, name } : address });
  }
  return {
    externalId: number,
    number: number || null,
    name: asText(c.name) ?? `Klant ${number}`,
    address: main,
    email: asText(contact.email),
    phone: asText(contact.phone1) ?? asText(contact.phone2),
    active: asText(c.status) !== 'Inactive',
    workAddresses,
  };
}

export function mapInventory(i: Raw): ExternalArticle {
  const itemClass = i.itemClass && typeof i.itemClass === 'object' ? asText((i.itemClass as Raw).id) : null;
  const code = asText(i.inventoryNumber) ?? '';
  return {
    // The internal id survives a renumbering of the item; the number is what documents and quotes use.
    externalId: asText(i.inventoryId) ?? code,
    code,
    description: asText(i.description) ?? '',
    salesPrice: asDecimalString(i.defaultPrice),
    unit: asText(i.salesUnit) ?? asText(i.baseUnit),
    groupExternalId: itemClass,
    active: SELLABLE_ITEM_STATES.has(asText(i.status) ?? 'Active'),
  };
}

export function mapItemClass(c: Raw): ExternalArticleGroup {
  const id = asText(c.id) ?? '';
  return { externalId: id, code: id, description: asText(c.description) ?? id, active: true };
}

/**
 * A sales order or quote as a quote to import (SPEC §5.4, §14.13, §14.18): the order's description is the work
 * description and the filter's text, `customerRefNo` the customer reference, `note` the memo. The external id
 * carries the order type (`SO/000123`), so an export can tell a work order that came from a sales order.
 */
export function mapOrder(o: Raw): ExternalQuote {
  const orderType = asText(o.orderType) ?? 'SO';
  const orderNo = asText(o.orderNo) ?? asText(o.orderNumber) ?? '';
  const customer = o.customer && typeof o.customer === 'object' ? asText((o.customer as Raw).number) : asText(o.customer);
  const lines = Array.isArray(o.lines) ? o.lines.filter((l): l is Raw => !!l && typeof l === 'object') : [];
  return {
    kind: orderType === 'SO' ? 'salesOrder' : 'quote',
    externalId: `${orderType}/${orderNo}`,
    number: orderNo,
    name: asText(o.description) ?? '',
    reference: null,
    memo: asText(o.note),
    customerExternalId: customer,
    customerReference: asText(o.customerRefNo),
    lines: lines.map((l) => {
      const inventory = l.inventory && typeof l.inventory === 'object' ? (l.inventory as Raw) : {};
      return {
        articleExternalId: null,
        articleCode: asText(inventory.number) ?? asText(l.inventoryNumber),
        description: asText(l.lineDescription) ?? asText(inventory.description) ?? '',
        quantity: asNumber(l.quantity) ?? 0,
        unitPrice: asDecimalString(l.unitPrice),
      };
    }),
  };
}

/** `SO/000123` (the external id of an imported sales order) → `000123`; null for quotes and other sources. */
export function originalSalesOrderNumber(sourceQuoteId: string | null | undefined): string | null {
  const m = /^SO\/(.+)$/.exec(sourceQuoteId ?? '');
  return m ? m[1] : null;
}

function isOwnOrder(o: Raw): boolean {
  return (asText(o.customerOrder) ?? '').startsWith(OWN_REFERENCE_PREFIX);
}

function articleFound(i: Raw): Record<string, unknown> {
  const itemClass = i.itemClass && typeof i.itemClass === 'object' ? (i.itemClass as Raw) : null;
  return { code: asText(i.inventoryNumber), name: asText(i.description), group: itemClass ? asText(itemClass.description) ?? asText(itemClass.id) : null, type: asText(i.type) };
}

// ---- documents ----

const v = (value: unknown) => ({ value });

function articleLines(draft: DocumentDraft): Extract<DocumentLine, { kind: 'article' }>[] {
  // Visma.net lines need an item; Visma.net settings never ask for a text line (no descriptionAsFirstLine).
  return draft.lines.filter((l): l is Extract<DocumentLine, { kind: 'article' }> => l.kind === 'article');
}

/** `POST salesorder`: type SO, on hold, our reference in `customerOrder`, the warehouse on every line. */
export function salesOrderBody(draft: DocumentDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    orderType: v('SO'),
    customer: v(draft.customer.externalId),
    date: v(draft.date),
    hold: v(true),
    description: v(`Werkbon ${draft.workOrderNumber}`),
    customerOrder: v(draft.reference),
    lines: articleLines(draft).map((line) => ({
      operation: 'Insert',
      inventoryNumber: v(line.articleCode),
      quantity: v(line.quantity),
      lineDescription: v(line.description),
      ...(line.unitPrice !== null ? { unitPrice: v(Number(line.unitPrice)) } : {}),
      ...(draft.warehouse ? { warehouse: v(draft.warehouse) } : {}),
    })),
  };
  if (draft.customerReference) body.customerRefNo = v(draft.customerReference);
  if (draft.memo) body.note = v(draft.memo);
  return body;
}

/** `POST customerinvoice`: on hold, our reference in `externalReference`. */
export function customerInvoiceBody(draft: DocumentDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    customerNumber: v(draft.customer.externalId),
    documentDate: v(draft.date),
    hold: v(true),
    invoiceText: v(`Werkbon ${draft.workOrderNumber}`),
    externalReference: v(draft.reference),
    invoiceLines: articleLines(draft).map((line) => ({
      operation: 'Insert',
      inventoryNumber: v(line.articleCode),
      quantity: v(line.quantity),
      description: v(line.description),
      ...(line.unitPrice !== null ? { unitPriceInCurrency: v(Number(line.unitPrice)) } : {}),
    })),
  };
  if (draft.customerReference) body.customerRefNumber = v(draft.customerReference);
  if (draft.memo) body.note = v(draft.memo);
  return body;
}

/** Document ids are the resource path: `salesorder/SO/000123` or `customerinvoice/000456`. */
export function documentFromLocation(location: string | null, baseUrl: string): CreatedDocument | null {
  if (!location) return null;
  const path = new URL(location, baseUrl).pathname;
  const m = /\/(salesorder\/[^/]+\/[^/]+|customerinvoice\/[^/]+)\/?$/.exec(path);
  if (!m) return null;
  const documentId = decodeURIComponent(m[1]);
  return { documentId, documentNumber: documentId.split('/').pop()! };
}

function salesOrderRef(o: Raw): CreatedDocument {
  const orderNo = asText(o.orderNo) ?? '';
  return { documentId: `salesorder/${asText(o.orderType) ?? 'SO'}/${orderNo}`, documentNumber: orderNo };
}

function invoiceRef(i: Raw): CreatedDocument {
  const nr = asText(i.referenceNumber) ?? '';
  return { documentId: `customerinvoice/${nr}`, documentNumber: nr };
}

/** Where a document's attachments go: the order-type endpoint for sales orders (the plain one is deprecated). */
export function attachmentPath(documentId: string): string {
  const order = /^salesorder\/([^/]+)\/([^/]+)$/.exec(documentId);
  if (order) return `salesorder/orderType/${encodeURIComponent(order[1])}/${encodeURIComponent(order[2])}/attachment`;
  const invoice = /^customerinvoice\/([^/]+)$/.exec(documentId);
  if (invoice) return `customerinvoice/${encodeURIComponent(invoice[1])}/attachment`;
  throw new Error(texts.badDocumentId(documentId));
}

// ---- response shapes ----

/** `2026-11-23 10:15:00` in UTC, the format of the `lastModifiedDateTime` filter. */
export function vismaDateTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The server's clock (`Date`) when it sends one, so our clock's skew does not matter, minus a minute: a first page can
 * take seconds to build, and a record changed meanwhile must be listed next time. Without `Date`, our clock minus five
 * minutes. Written in UTC; should Visma.net read it as company-local (CET) time, that only widens the look-back.
 */
function listingMark(dateHeader: string | null): string {
  const server = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return vismaDateTime(new Date(Number.isNaN(server) ? Date.now() - 5 * 60_000 : server - 60_000));
}

function metadataOf(record: Raw | undefined): { totalCount: number | null; maxPageSize: number | null } {
  const meta = record?.metadata && typeof record.metadata === 'object' ? (record.metadata as Raw) : {};
  return { totalCount: asNumber(meta.totalCount), maxPageSize: asNumber(meta.maxPageSize) };
}

/** Lists are JSON arrays; anything else is never read as "no records" (the cleanup would delete everything). */
function asRecordList(body: unknown, operation: string): Raw[] {
  if (Array.isArray(body)) return body.filter((r): r is Raw => !!r && typeof r === 'object');
  throw new ProviderError({
    kind: 'unavailable', provider: VISMA_NET, operation,
    providerMessage: typeof body === 'string' ? body.slice(0, 200) : '',
    message: describeProviderError('unavailable', { provider: VISMA_NET, lead: texts.unexpectedAnswer }),
  });
}
