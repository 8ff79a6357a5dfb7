import * as messages from '../../lib/messages.js';
import { ROMPSLOMP_SCOPE, accessTokenExpired } from '../../lib/oauth.js';
import type { FieldCheck, Settings } from '../../lib/settings.js';
import { ProviderError, describeProviderError } from '../../lib/errors.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../http.js';
import type {
  Connector,
  ConnectorContext,
  CreatedDocument,
  DocumentDraft,
  DocumentLine,
  ExternalArticle,
  ExternalArticleGroup,
  ExternalCustomer,
  ListRequest,
  OptionItem,
  Page,
} from '../types.js';
import { asBool, asDecimalString, asText, compareIds } from '../values.js';

/**
 * Rompslomp API v1 (research/accounting-apis.md §4, Swagger 2.0 in lmolema/rompslomp-mcp): OAuth2 Bearer tokens
 * that live two hours (refreshed here, transparently, before expiry and on a 401), everything under
 * `/companies/{company_id}/…` of the company chosen in the settings, `page`/`per_page` paging (≤ 100), no change
 * tracking (every sync lists everything; the upsert guard makes unchanged records no-ops) and a concept
 * sales invoice per work order, found again by its `api_reference`.
 *
 * Decisions where the API is silent:
 * - Contacts have no active flag: every customer counts as active; one deleted in Rompslomp is removed by the cleanup.
 * - Rompslomp has no product groups: no article groups are imported (the listing is empty, without a call).
 * - Paging headers are not in the swagger: `X-Total` is used when present (as rompslomp-mcp does); without it a
 *   page shorter than `per_page` is the last.
 * - Articles are keyed by product id (SPEC §14.11); code = `invoice_line.product_code`, name = `invoice_line.description`.
 */

export const ROMPSLOMP = 'Rompslomp';
/** SPEC §14.11: companies, contacts, products and sales invoices; nothing more. */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PAGE_SIZE = 100;
/** `invoice_lines[].description` limit of the swagger. */
export const LINE_DESCRIPTION_LIMIT = 255;
const MAX_OPTIONS = 100;

type RawRecord = Record<string, unknown>;

export interface RompslompCompany {
  id: string;
  name: string;
  apiAccessible: boolean;
  allowedScopes: string[] | null;
  ownerName: string | null;
}

export interface RompslompConnector extends Connector {
  readonly provider: 'rompslomp';
  listCompanies(): Promise<RompslompCompany[]>;
}


const texts = {
  notConnected: 'Simon is niet (meer) gekoppeld met Rompslomp',
  accessDenied: 'Rompslomp weigert de toegang',
  noCompany: 'Er is nog geen bedrijf uit Rompslomp gekozen in de instellingen',
  chooseCompany: 'Kies eerst een bedrijf uit Rompslomp: er zijn er meerdere',
  unexpectedAnswer: 'Rompslomp gaf een onverwacht antwoord',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor Rompslomp`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een Rompslomp-lijst`,
  articleGone: (code: string) => `Artikel ${code} is niet (meer) bekend in Rompslomp`,
};

export function createRompslompConnector(ctx: ConnectorContext): RompslompConnector {
  let credentials = { ...ctx.credentials };
  let refreshing: Promise<void> | null = null;

  const http = new HttpClient({
    provider: ROMPSLOMP,
    baseUrl: ctx.baseUrl,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}),
    headers: () => ({ authorization: `Bearer ${credentials.accessToken ?? ''}` }),
    authErrorMessage: texts.accessDenied,
    errorMessage: rompslompErrorMessage,
  });

  function authError(lead: string): ProviderError {
    return new ProviderError({ kind: 'auth', provider: ROMPSLOMP, message: describeProviderError('auth', { provider: ROMPSLOMP, lead }) });
  }

  /** One refresh at a time per connector; the caller (activities) serialises across workers and stores the tokens. */
  async function refreshTokens(): Promise<void> {
    const refresh = ctx.refreshCredentials;
    if (!refresh) throw authError(texts.notConnected);
    const stale = credentials;
    refreshing ??= refresh(stale)
      .then((fresh) => {
        credentials = { ...fresh };
      })
      .finally(() => {
        refreshing = null;
      });
    await refreshing;
  }

  /** Every API call: a token about to lapse is refreshed first; a 401 (revoked or lapsed early) once more, then retried. */
  async function call<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (!credentials.accessToken && !credentials.refreshToken) throw authError(texts.notConnected);
    if (accessTokenExpired(credentials) && ctx.refreshCredentials) await refreshTokens();
    const used = credentials.accessToken;
    try {
      return await http.request<T>(req);
    } catch (err) {
      // A 401 means the request was not processed, so repeating it (even a POST) cannot create anything twice.
      if (err instanceof ProviderError && err.status === 401 && ctx.refreshCredentials) {
        // A parallel call may have refreshed while this one was under way: then its token is the one to use.
        if (credentials.accessToken === used) await refreshTokens();
        return http.request<T>(req);
      }
      throw err;
    }
  }

  function chosenCompany(): string {
    const s = ctx.settings;
    if (s && s.provider === 'rompslomp') return s.companyId.trim();
    throw new ProviderError({ kind: 'validation', provider: ROMPSLOMP, message: describeProviderError('validation', { provider: ROMPSLOMP, lead: texts.noCompany }) });
  }

  const companyPath = (companyId: string, resource: string) => `companies/${encodeURIComponent(companyId)}/${resource}`;

  async function page<T>(path: string, key: string, req: ListRequest, query: Record<string, string>, map: (r: RawRecord) => T): Promise<Page<T>> {
    const { pageNo, perPage } = parseCursor(req.cursor, req.pageSize);
    const res = await call({ path, query: { ...query, page: pageNo, per_page: perPage } });
    const records = recordList(res.body, key, `GET ${path}`);
    const total = headerInt(res.headers, 'x-total');
    const last = total !== null ? pageNo * perPage >= total : records.length < perPage;
    return {
      records: records.map(map),
      nextCursor: last ? null : `${pageNo + 1}@${perPage}`,
      ...(total !== null ? { total } : {}),
      ...(last ? { highWaterMark: null } : {}),
    };
  }

  let companies: Promise<RompslompCompany[]> | null = null;
  async function listCompanies(): Promise<RompslompCompany[]> {
    companies ??= (async () => {
      const out: RompslompCompany[] = [];
      let cursor: string | null = null;
      do {
        const p: Page<RompslompCompany> = await page('companies', 'companies', { cursor, since: null, pageSize: MAX_PER_PAGE }, {}, mapCompany);
        out.push(...p.records);
        cursor = p.nextCursor;
      } while (cursor !== null);
      return out;
    })();
    companies.catch(() => {
      companies = null;
    });
    return companies;
  }

  /** The products a document needs, in one call by product code; ids whose code changed since the sync are read one by one. */
  async function productsById(companyId: string, lines: Extract<DocumentLine, { kind: 'article' }>[]): Promise<Map<string, RawRecord>> {
    const out = new Map<string, RawRecord>();
    if (lines.length === 0) return out;
    const params = new URLSearchParams();
    for (const code of new Set(lines.map((l) => l.articleCode))) params.append('search[product_codes][]', code);
    params.set('per_page', String(MAX_PER_PAGE));
    const { body } = await call({ path: `${companyPath(companyId, 'products')}?${params.toString()}` });
    for (const p of recordList(body, 'products', 'GET products')) out.set(asText(p.id) ?? '', p);
    for (const id of new Set(lines.map((l) => l.articleExternalId))) {
      if (out.has(id)) continue;
      try {
        const { body: one } = await call<RawRecord>({ path: companyPath(companyId, `products/${encodeURIComponent(id)}`) });
        const product = one && typeof one === 'object' ? (one.product as RawRecord | undefined) : undefined;
        if (product) out.set(id, product);
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'not-found')) throw err;
      }
    }
    return out;
  }

  async function findDocumentByReference(reference: string): Promise<CreatedDocument | null> {
    const companyId = chosenCompany();
    const { body } = await call({
      path: companyPath(companyId, 'sales_invoices'),
      query: { selection: 'all', 'search[api_reference]': reference, per_page: MAX_PER_PAGE },
    });
    // The filter is the API's; the exact comparison is ours, in case it ever matches loosely.
    const match = recordList(body, 'sales_invoices', 'GET sales_invoices')
      .filter((inv) => asText(inv.api_reference) === reference)
      .sort((a, b) => compareIds(asText(a.id) ?? '', asText(b.id) ?? ''))[0];
    return match ? documentOf(match) : null;
  }

  return {
    provider: 'rompslomp',
    changeTracking: 'full-listing',
    listCompanies,

    async verifyConnection() {
      const list = await listCompanies();
      return { label: list.find((c) => c.apiAccessible)?.ownerName ?? list[0]?.ownerName ?? null };
    },

    listArticleGroups(): Promise<Page<ExternalArticleGroup>> {
      return Promise.resolve({ records: [], nextCursor: null, total: 0, highWaterMark: null });
    },

    async listArticles(req) {
      return page(companyPath(chosenCompany(), 'products'), 'products', req, {}, mapProduct);
    },

    async listCustomers(req) {
      // Suppliers are contacts too; only customers belong in Simon.
      return page(companyPath(chosenCompany(), 'contacts'), 'contacts', req, { selection: 'customers' }, mapContact);
    },

    async checkSettings(settings: Settings): Promise<FieldCheck[]> {
      if (settings.provider !== 'rompslomp') throw new Error(`Settings for ${settings.provider} given to the Rompslomp connector`);
      const checks: FieldCheck[] = [];
      const companyId = settings.companyId.trim();
      const company = (await listCompanies()).find((c) => c.id === companyId);
      const missingScopes = company?.allowedScopes ? ROMPSLOMP_SCOPE.split(' ').filter((s) => !company.allowedScopes!.includes(s)) : [];
      let companyOk = false;
      if (!company) checks.push({ field: 'companyId', ok: false, error: messages.checkErrors.companyUnknown('rompslomp') });
      else if (!company.apiAccessible) checks.push({ field: 'companyId', ok: false, found: { id: company.id, name: company.name }, error: messages.checkErrors.companyWithoutApiAccess(company.name) });
      else if (missingScopes.length > 0) checks.push({ field: 'companyId', ok: false, found: { id: company.id, name: company.name }, error: messages.checkErrors.companyMissingScopes(company.name, missingScopes) });
      else {
        companyOk = true;
        checks.push({ field: 'companyId', ok: true, found: { id: company.id, name: company.name } });
      }

      // Products belong to a company: the article checks run only once the company is valid (as Visma.net, SPEC §14.3).
      const articleFields = (['workTimeArticle', 'travelTimeArticle', 'defaultArticle'] as const).filter((f) => settings[f] !== null && settings[f] !== undefined);
      if (articleFields.length > 0) {
        if (!companyOk) {
          for (const field of articleFields) checks.push({ field, ok: false, error: messages.checkErrors.companyFirst() });
        } else {
          const params = new URLSearchParams();
          for (const field of articleFields) params.append('search[product_codes][]', settings[field]!.trim());
          params.set('per_page', String(MAX_PER_PAGE));
          const { body } = await call({ path: `${companyPath(companyId, 'products')}?${params.toString()}` });
          const products = recordList(body, 'products', 'GET products').map(mapProduct);
          for (const field of articleFields) {
            const code = settings[field]!.trim();
            const a = products.find((p) => p.code === code);
            checks.push(a
              ? { field, ok: true, found: { id: a.externalId, code: a.code, name: a.description, price: a.salesPrice } }
              : { field, ok: false, error: messages.checkErrors.articleUnknown('rompslomp') });
          }
        }
      }
      checks.push(settings.termsAccepted === true ? { field: 'termsAccepted', ok: true } : { field: 'termsAccepted', ok: false, error: messages.checkErrors.termsNotAccepted() });
      return checks;
    },

    async options(list: string, q: string | null, scope?: { administration?: string | null }): Promise<OptionItem[]> {
      const term = (q ?? '').trim();
      if (list === 'companies') {
        return (await listCompanies())
          .filter((c) => !term || c.name.toLowerCase().includes(term.toLowerCase()))
          .slice(0, MAX_OPTIONS)
          .map((c) => ({
            id: c.id, name: c.name, apiAccessible: c.apiAccessible,
            ...(c.apiAccessible ? {} : { reason: messages.checkErrors.companyWithoutApiAccess(c.name) }),
          }));
      }
      if (list === 'articles') {
        // While settings are being chosen the screen names the company; before that, one usable company leaves no doubt.
        let companyId: string;
        if (scope?.administration) companyId = scope.administration;
        else if (ctx.settings?.provider === 'rompslomp') companyId = ctx.settings.companyId;
        else {
          const usable = (await listCompanies()).filter((c) => c.apiAccessible);
          if (usable.length !== 1) throw new Error(usable.length === 0 ? texts.noCompany : texts.chooseCompany);
          companyId = usable[0].id;
        }
        const { body } = await call({ path: companyPath(companyId, 'products'), query: { ...(term ? { 'search[q]': term } : {}), per_page: MAX_OPTIONS } });
        return recordList(body, 'products', 'GET products').map(mapProduct).map((a) => ({
          id: a.code, name: a.description, code: a.code, externalId: a.externalId, group: null, price: a.salesPrice,
        }));
      }
      throw new Error(texts.unknownList(list));
    },

    async createDocument(draft: DocumentDraft): Promise<CreatedDocument> {
      const companyId = chosenCompany();
      const articleLines = draft.lines.filter((l): l is Extract<DocumentLine, { kind: 'article' }> => l.kind === 'article');
      const products = await productsById(companyId, articleLines);
      const body = salesInvoiceBody(draft, products);
      try {
        const { body: answer } = await call<RawRecord>({ method: 'POST', path: companyPath(companyId, 'sales_invoices'), body });
        const invoice = answer && typeof answer === 'object' ? (answer.sales_invoice as RawRecord | undefined) : undefined;
        if (invoice && asText(invoice.id)) return documentOf(invoice);
      } catch (err) {
        // `api_reference` is unique per company: a 422 may mean an earlier attempt committed it (timeout after commit).
        if (err instanceof ProviderError && err.kind === 'validation') {
          const existing = await findDocumentByReference(draft.reference).catch(() => null);
          if (existing) return existing;
        }
        throw err;
      }
      // A 2xx without the invoice: it was created, so look it up rather than guess.
      const saved = await findDocumentByReference(draft.reference);
      if (saved) return saved;
      throw new ProviderError({
        kind: 'unavailable', provider: ROMPSLOMP, operation: 'POST sales_invoices',
        message: describeProviderError('unavailable', { provider: ROMPSLOMP, lead: texts.unexpectedAnswer }),
      });
    },

    // docs/providers/rompslomp.md, "Exactly once".
    documentIdentity: { uniqueReference: true },
    findDocument: (lookup) => findDocumentByReference(lookup.reference),
  };
}

// ---- mapping: Rompslomp records → Simon's vocabulary ----

export function mapCompany(c: RawRecord): RompslompCompany {
  const access = (c.access_control && typeof c.access_control === 'object' ? c.access_control : {}) as RawRecord;
  const scopes = Array.isArray(access.allowed_scopes) ? access.allowed_scopes.filter((s): s is string => typeof s === 'string') : null;
  return {
    id: asText(c.id) ?? '',
    name: asText(c.name) ?? `Bedrijf ${asText(c.id) ?? ''}`,
    // `x-nullable`: unknown counts as accessible; the API itself refuses if it is not.
    apiAccessible: asBool(access.api_accessible, true),
    allowedScopes: scopes,
    ownerName: asText(c.owner_name),
  };
}

export function mapContact(c: RawRecord): ExternalCustomer {
  const id = asText(c.id) ?? '';
  const street = asText(c.address);
  const postalCode = asText(c.zipcode);
  const city = asText(c.city);
  const hasAddress = [street, postalCode, city].some((v) => v !== null);
  const individual = asBool(c.is_individual, false);
  const name = asText(c.name)
    ?? (individual ? asText(c.contact_person_name) ?? asText(c.company_name) : asText(c.company_name) ?? asText(c.contact_person_name))
    ?? `Klant ${asText(c.contact_number) ?? id}`;
  return {
    externalId: id,
    number: asText(c.contact_number),
    name,
    address: hasAddress ? { street, postalCode, city, country: asText(c.country_code) } : null,
    email: asText(c.contact_person_email_address),
    phone: asText(c.phone),
    // Rompslomp has no active flag on contacts.
    active: true,
    workAddresses: [],
  };
}

export function mapProduct(p: RawRecord): ExternalArticle {
  const id = asText(p.id) ?? '';
  const line = (p.invoice_line && typeof p.invoice_line === 'object' ? p.invoice_line : {}) as RawRecord;
  return {
    externalId: id,
    code: asText(line.product_code) ?? id,
    description: asText(line.description) ?? '',
    salesPrice: asDecimalString(line.price_per_unit),
    unit: null,
    groupExternalId: null,
    active: true,
  };
}

function documentOf(invoice: RawRecord): CreatedDocument {
  // A concept has no invoice number until it is published in Rompslomp.
  return { documentId: asText(invoice.id) ?? '', documentNumber: asText(invoice.invoice_number) };
}

// ---- the concept sales invoice ----

/** The `POST …/sales_invoices` body for a draft (exported for tests and for reading). */
export function salesInvoiceBody(draft: DocumentDraft, products: Map<string, RawRecord>): { sales_invoice: RawRecord } {
  return {
    sales_invoice: {
      contact_id: Number(draft.customer.externalId),
      date: draft.date,
      description: `Werkbon ${draft.workOrderNumber}`,
      api_reference: draft.reference,
      invoice_lines: draft.lines.map((line) => invoiceLine(line, products)),
    },
  };
}

function invoiceLine(line: DocumentLine, products: Map<string, RawRecord>): RawRecord {
  if (line.kind === 'text') return { description: cut(line.description), quantity: '1', price_per_unit: '0' };
  const product = products.get(line.articleExternalId);
  const productLine = (product?.invoice_line && typeof product.invoice_line === 'object' ? product.invoice_line : {}) as RawRecord;
  const price = line.unitPrice ?? asDecimalString(productLine.price_per_unit);
  if (!product || price === null) {
    throw new ProviderError({
      kind: 'validation', provider: ROMPSLOMP,
      message: describeProviderError('validation', { provider: ROMPSLOMP, lead: texts.articleGone(line.articleCode) }),
    });
  }
  const out: RawRecord = {
    description: cut(line.description.trim() || asText(productLine.description) || line.articleCode),
    quantity: decimal(line.quantity),
    price_per_unit: price,
    product_id: Number(line.articleExternalId),
  };
  // Without it Rompslomp books the default 21 %, whatever the product says (research §4).
  const vatTypeId = asText(productLine.vat_type_id);
  if (vatTypeId !== null) out.vat_type_id = Number(vatTypeId);
  return out;
}

function decimal(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function cut(text: string): string {
  return text.length > LINE_DESCRIPTION_LIMIT ? text.slice(0, LINE_DESCRIPTION_LIMIT) : text;
}

// ---- response shapes ----

function parseCursor(cursor: string | null, pageSize: number | undefined): { pageNo: number; perPage: number } {
  if (cursor === null) return { pageNo: 1, perPage: Math.min(MAX_PER_PAGE, Math.max(1, pageSize ?? DEFAULT_PAGE_SIZE)) };
  // The page size travels in the cursor, so a retry with another default cannot skip or repeat records.
  const m = /^(\d+)@(\d+)$/.exec(cursor);
  if (!m) throw new Error(texts.badCursor(cursor));
  return { pageNo: Number(m[1]), perPage: Math.min(MAX_PER_PAGE, Math.max(1, Number(m[2]))) };
}

function headerInt(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/** Lists come wrapped (`{ contacts: [...] }`); anything else is never read as "no records" (the cleanup would delete everything). */
function recordList(body: unknown, key: string, operation: string): RawRecord[] {
  const list = body && typeof body === 'object' && !Array.isArray(body) ? (body as RawRecord)[key] : undefined;
  if (Array.isArray(list)) return list.filter((r): r is RawRecord => !!r && typeof r === 'object');
  throw new ProviderError({
    kind: 'unavailable', provider: ROMPSLOMP, operation,
    providerMessage: typeof body === 'string' ? body.slice(0, 200) : '',
    message: describeProviderError('unavailable', { provider: ROMPSLOMP, lead: texts.unexpectedAnswer }),
  });
}

/** `{ error: { type, message } }`: the message, with a Dutch lead for the types a person must act on. */
export function rompslompErrorMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? body : null;
  const error = (body as RawRecord).error;
  if (!error || typeof error !== 'object') return asText((body as RawRecord).message);
  const type = asText((error as RawRecord).type) ?? '';
  const message = asText((error as RawRecord).message) ?? '';
  const lead: Record<string, string> = {
    'client.authorization.invalid_scope': 'Simon heeft in Rompslomp niet de benodigde rechten',
    'client.authorization.access_denied': 'Geen toegang tot dit bedrijf in Rompslomp',
    'client.quota_reached': 'Het maximum aantal API-verzoeken aan Rompslomp is bereikt',
    'client.rate_limit': 'Te veel verzoeken aan Rompslomp in korte tijd',
    'client.subscription_limit_reached': 'Het abonnement van dit bedrijf in Rompslomp staat dit niet toe',
    'client.authentication.invalid_token': 'Het toegangstoken van Rompslomp is ongeldig of verlopen',
  };
  const l = lead[type];
  return l ? (message ? `${l} (${message})` : l) : message || type || null;
}
