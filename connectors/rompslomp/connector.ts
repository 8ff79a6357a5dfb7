import type { z } from 'zod';
import * as messages from '../../lib/messages.js';
import { ProviderError } from '../../lib/errors.js';
import { ROMPSLOMP_SCOPE } from '../../lib/oauth.js';
import { oauthTokens } from '../credentials.js';
import type { FieldCheck, Settings } from '../../lib/settings.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import {
  MAX_OPTIONS, checkArticleSettings, filledArticleFields, hasStatus, matchesTerm, parseRecord, providerFailure, providerHttp, recordList,
  termsCheck, unexpectedAnswer, withRenewal,
} from '../kit.js';
import type { Connector, ConnectorContext, CreatedDocument, DocumentDraft, DocumentLine, DocumentPreview, ListRequest, OptionItem, Page, UpstreamProblem } from '../types.js';
import { ROMPSLOMP, documentOf, listedDocumentOf, mapCompany, mapContact, mapProduct, salesInvoiceBody, unbookableLines, type RompslompCompany } from './mappers.js';
import { MAX_PER_PAGE, calendarDates, headerInt, parseCursor, rompslompErrorMessage, wrapped } from './wire.js';
import { companySchema, contactSchema, productSchema, salesInvoiceSchema, type RompslompProductRecord, type RompslompSalesInvoiceRecord } from './schemas.js';

/**
 * Rompslomp API v1 (docs/providers/rompslomp.md): OAuth2 Bearer tokens that live two hours (refreshed before expiry
 * and once on a 401), everything under `/companies/{company_id}/…` of the company chosen in the settings,
 * `page`/`per_page` paging (at most 100, `X-Page`/`X-Per-Page`/`X-Total`), no change tracking (every sync lists
 * everything), no product groups, and one concept sales invoice per work order whose `api_reference` (unique per
 * company, shown only through the API) is our reference.
 */

export { ROMPSLOMP, LINE_DESCRIPTION_LIMIT, mapCompany, mapContact, mapProduct, salesInvoiceBody, type RompslompCompany } from './mappers.js';

export { MAX_PER_PAGE, DEFAULT_PAGE_SIZE, rompslompErrorMessage } from './wire.js';
/** A look-up by reference reads at most this many pages: our reference names one invoice, even a loose filter few. */
const MAX_SEARCH_PAGES = 10;

export interface RompslompConnector extends Connector {
  readonly provider: 'rompslomp';
  listCompanies(): Promise<RompslompCompany[]>;
}

type Params = [string, string][];
type Invoice = RompslompSalesInvoiceRecord;
const texts = messages.rompslompTexts;

export function createRompslompConnector(ctx: ConnectorContext): RompslompConnector {
  const notConnected = () => providerFailure(ROMPSLOMP, 'auth', texts.notConnected);
  const tokens = oauthTokens(ctx, 'rompslomp', { notConnected, cannotRefresh: notConnected });
  // providerHttp wires the quota guard and the tenant-wide hold after a 429 (docs/providers/rompslomp.md §4).
  const http = providerHttp(ctx, { provider: ROMPSLOMP, authErrorMessage: texts.accessDenied, errorMessage: rompslompErrorMessage });

  /**
   * Every API call, with a token about to lapse refreshed first and a 401 (revoked or lapsed early) answered by one
   * refresh and one repeat: a 401 was not processed, so even a POST cannot create twice. A parallel call may have
   * refreshed meanwhile; then its token is the one to use.
   */
  function call<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    return withRenewal(
      () => tokens.fresh(),
      async (refused) => (tokens.accessToken === refused ? tokens.refresh() : undefined),
      (t) => http.request<T>({ ...req, headers: { ...req.headers, authorization: `Bearer ${t}` } }),
      (err) => hasStatus(err, 401) && tokens.renewable,
    );
  }

  function chosenCompany(): string {
    const s = ctx.settings;
    if (s && s.provider === 'rompslomp') return s.companyId.trim();
    throw providerFailure(ROMPSLOMP, 'validation', texts.noCompany);
  }

  const companyPath = (companyId: string, resource: string) => `companies/${encodeURIComponent(companyId)}/${resource}`;
  /** A record parsed at the edge (unknown fields reported through the context), then mapped. */
  function parser<S extends z.ZodObject, T>(operation: string, schema: S, map: (r: z.infer<S>) => T): (raw: unknown) => T {
    return (raw) => map(parseRecord(ctx, ROMPSLOMP, operation, schema, raw));
  }
  const invoiceParser = parser('GET sales_invoices', salesInvoiceSchema, (r): Invoice => r);
  const productParser = parser('GET products', productSchema, (r): RompslompProductRecord => r);

  /** One page; the page size travels in the cursor, so a retry with another default cannot skip or repeat records. */
  async function page<T>(operation: string, path: string, key: string, req: ListRequest, params: Params, parse: (raw: unknown) => T): Promise<Page<T>> {
    const { pageNo, perPage } = parseCursor(req.cursor, req.pageSize);
    const query = new URLSearchParams([...params, ['page', String(pageNo)], ['per_page', String(perPage)]]);
    const res = await call({ path: `${path}?${query.toString()}` });
    const raw = recordList(ROMPSLOMP, operation, res.body, key);
    const servedPage = res.headers.get('x-page');
    if (servedPage !== null && headerInt(servedPage) !== pageNo) throw providerFailure(ROMPSLOMP, 'unavailable', texts.pageMismatch(pageNo, servedPage), { operation });
    // The page size Rompslomp says it used decides the last page (documented headers); without them a short page is the last.
    const served = headerInt(res.headers.get('x-per-page')) ?? perPage;
    if (served < 1 || served > MAX_PER_PAGE || raw.length > served) throw unexpectedAnswer(ROMPSLOMP, operation, `X-Per-Page ${served}, ${raw.length} records`);
    const total = headerInt(res.headers.get('x-total'));
    const last = total !== null ? pageNo * served >= total : raw.length < served;
    return {
      records: raw.map(parse),
      nextCursor: last ? null : `${pageNo + 1}@${served}`,
      ...(total !== null ? { total } : {}),
      ...(last ? { highWaterMark: null } : {}),
    };
  }

  async function all<T>(operation: string, path: string, key: string, params: Params, parse: (raw: unknown) => T, maxPages = Infinity): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < maxPages; n++) {
      const p: Page<T> = await page(operation, path, key, { cursor, since: null, pageSize: MAX_PER_PAGE }, params, parse);
      out.push(...p.records);
      cursor = p.nextCursor;
      if (cursor === null) return out;
    }
    throw unexpectedAnswer(ROMPSLOMP, operation, `more than ${maxPages} pages`);
  }

  let companies: Promise<RompslompCompany[]> | null = null;
  function listCompanies(): Promise<RompslompCompany[]> {
    companies ??= all('GET companies', 'companies', 'companies', [], parser('GET companies', companySchema, mapCompany));
    companies.catch(() => {
      companies = null;
    });
    return companies;
  }

  /** Products by exact product code (`search[product_codes][]`; its case rules are unstated, so the comparison is ours). */
  async function productsByCode(companyId: string, codes: string[]): Promise<Map<string, RompslompProductRecord[]>> {
    const found = await all('GET products', companyPath(companyId, 'products'), 'products', codes.map((c) => ['search[product_codes][]', c]), productParser);
    const out = new Map<string, RompslompProductRecord[]>(codes.map((c) => [c, []]));
    for (const p of found) out.get(p.invoice_line?.product_code?.trim() ?? '')?.push(p);
    return out;
  }

  /** The products a document needs, by the ids of the sync: one call by code, then ids whose code changed one by one. */
  async function productsById(companyId: string, lines: Extract<DocumentLine, { kind: 'article' }>[]): Promise<Map<string, RompslompProductRecord>> {
    const out = new Map<string, RompslompProductRecord>();
    if (lines.length === 0) return out;
    for (const list of (await productsByCode(companyId, [...new Set(lines.map((l) => l.articleCode.trim()))])).values()) {
      for (const p of list) out.set(String(p.id), p);
    }
    for (const id of new Set(lines.map((l) => l.articleExternalId))) {
      if (out.has(id)) continue;
      try {
        const { body } = await call({ path: companyPath(companyId, `products/${encodeURIComponent(id)}`) });
        out.set(id, productParser(wrapped(body, 'product', 'GET products')));
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'not-found')) throw err;
      }
    }
    return out;
  }

  async function showInvoice(companyId: string, id: string): Promise<Invoice | null> {
    try {
      const { body } = await call({ path: companyPath(companyId, `sales_invoices/${encodeURIComponent(id)}`) });
      return invoiceParser(wrapped(body, 'sales_invoice', 'GET sales_invoices'));
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  /**
   * Our invoice, only when it certainly carries our reference (docs/providers/rompslomp.md §5): the filter is the API's
   * (exact or loose, unstated), the comparison ours; an invoice the listing shows without `api_reference` is read on
   * its own, and one that does not show it there either is counted as unconfirmed, never as ours.
   */
  async function findByReference(companyId: string, reference: string): Promise<{ match: Invoice | null; unconfirmed: number }> {
    const params: Params = [['selection', 'all'], ['search[api_reference]', reference]];
    const hits = await all('GET sales_invoices', companyPath(companyId, 'sales_invoices'), 'sales_invoices', params, invoiceParser, MAX_SEARCH_PAGES);
    const ours: Invoice[] = [];
    let unconfirmed = 0;
    for (const hit of hits) {
      const invoice = hit.api_reference === undefined || hit.api_reference === null ? await showInvoice(companyId, String(hit.id)) : hit;
      if (invoice?.api_reference === reference) ours.push(invoice);
      else if (invoice && (invoice.api_reference === undefined || invoice.api_reference === null)) unconfirmed++;
    }
    ours.sort((a, b) => Number(a.id) - Number(b.id));
    return { match: ours[0] ?? null, unconfirmed };
  }

  /** The `POST …/sales_invoices` body and what stops it: the preview's and the create's one way (docs/preview.md). */
  async function prepareInvoice(companyId: string, draft: DocumentDraft): Promise<DocumentPreview> {
    const articleLines = draft.lines.filter((l): l is Extract<DocumentLine, { kind: 'article' }> => l.kind === 'article');
    const products = await productsById(companyId, articleLines);
    const problems = unbookableLines(draft, products).map((code): UpstreamProblem => ({ code: 'article-not-found-upstream', reason: texts.articleGone(code), detail: code }));
    return { body: problems.length > 0 ? null : salesInvoiceBody(draft, products), problems };
  }

  return {
    provider: 'rompslomp',
    changeTracking: 'full-listing',
    listCompanies,

    async verifyConnection() {
      const list = await listCompanies();
      return { label: list.find((c) => c.apiAccessible)?.ownerName ?? list[0]?.ownerName ?? null };
    },

    // Rompslomp has no product groups (docs/providers/rompslomp.md §3.3): nothing to list, and no call for it.
    listArticleGroups: () => Promise.resolve({ records: [], nextCursor: null, total: 0, highWaterMark: null }),

    listArticles: async (req) => page('GET products', companyPath(chosenCompany(), 'products'), 'products', req, [], parser('GET products', productSchema, mapProduct)),

    // Suppliers are contacts too; only customers belong in Simon.
    listCustomers: async (req) =>
      page('GET contacts', companyPath(chosenCompany(), 'contacts'), 'contacts', req, [['selection', 'customers']], parser('GET contacts', contactSchema, mapContact)),

    async checkSettings(settings: Settings): Promise<FieldCheck[]> {
      if (settings.provider !== 'rompslomp') throw new Error(`Settings for ${settings.provider} given to the Rompslomp connector`);
      const companyId = settings.companyId.trim();
      const company = (await listCompanies()).find((c) => c.id === companyId);
      const missingScopes = company?.allowedScopes ? ROMPSLOMP_SCOPE.split(' ').filter((s) => !company.allowedScopes!.includes(s)) : [];
      const found = company ? { id: company.id, name: company.name } : undefined;
      let companyCheck: FieldCheck;
      if (!company) companyCheck = { field: 'companyId', ok: false, error: messages.checkErrors.companyUnknown('rompslomp') };
      else if (!company.apiAccessible) companyCheck = { field: 'companyId', ok: false, found, error: messages.checkErrors.companyWithoutApiAccess(company.name) };
      else if (missingScopes.length > 0) companyCheck = { field: 'companyId', ok: false, found, error: messages.checkErrors.companyMissingScopes(company.name, missingScopes) };
      else companyCheck = { field: 'companyId', ok: true, found };

      // Products belong to a company: the article checks run only once the company is valid (as Visma.net, docs/settings.md).
      if (!companyCheck.ok) {
        const articles = filledArticleFields(settings).map(({ field }): FieldCheck => ({ field, ok: false, error: messages.checkErrors.companyFirst() }));
        return [companyCheck, ...articles, termsCheck(settings.termsAccepted)];
      }
      const checks = await checkArticleSettings(ROMPSLOMP, settings, async (codes) => {
        const byCode = await productsByCode(companyId, codes);
        const out = new Map<string, Record<string, unknown> | { error: string }>();
        for (const [code, list] of byCode) {
          // Two products with one code: Simon cannot tell which is meant (docs/providers/rompslomp.md, U15).
          if (list.length > 1) out.set(code, { error: texts.duplicateProductCode(code, list.length) });
          else if (list.length === 1) {
            const a = mapProduct(list[0]);
            out.set(code, { id: a.externalId, code: a.code, name: a.description, price: a.salesPrice });
          }
        }
        return out;
      });
      return [companyCheck, ...checks.filter((c) => c.field !== 'termsAccepted'), termsCheck(settings.termsAccepted)];
    },

    async options(list: string, q: string | null, scope?: { administration?: string | null }): Promise<OptionItem[]> {
      const term = (q ?? '').trim();
      if (list === 'companies') {
        return (await listCompanies())
          .filter((c) => matchesTerm(term, c.name))
          .slice(0, MAX_OPTIONS)
          .map((c) => ({ id: c.id, name: c.name, apiAccessible: c.apiAccessible, ...(c.apiAccessible ? {} : { reason: messages.checkErrors.companyWithoutApiAccess(c.name) }) }));
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
        const params: Params = term ? [['search[q]', term]] : [];
        const first = await page('GET products', companyPath(companyId, 'products'), 'products', { cursor: null, since: null, pageSize: MAX_OPTIONS }, params, parser('GET products', productSchema, mapProduct));
        return first.records.map((a) => ({ id: a.code, name: a.description, code: a.code, externalId: a.externalId, group: null, price: a.salesPrice }));
      }
      throw new Error(texts.unknownList(list));
    },

    async createDocument(draft): Promise<CreatedDocument> {
      const companyId = chosenCompany();
      const operation = 'POST sales_invoices';
      const { body, problems } = await prepareInvoice(companyId, draft);
      if (problems[0]) throw providerFailure(ROMPSLOMP, 'validation', problems[0].reason);
      let answer: unknown;
      try {
        ({ body: answer } = await call({ method: 'POST', path: companyPath(companyId, 'sales_invoices'), body }));
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'validation')) throw err;
        // `api_reference` is unique per company: a refusal may mean an earlier attempt committed it. Search before failing.
        const { match, unconfirmed } = await findByReference(companyId, draft.reference);
        if (match) return documentOf(match);
        if (unconfirmed === 0) throw err;
        const providerMessage = [texts.referenceUnconfirmed(draft.workOrderNumber), err.providerMessage].filter(Boolean).join(': ');
        throw providerFailure(ROMPSLOMP, 'validation', texts.referenceUnconfirmed(draft.workOrderNumber), { operation, status: err.status ?? 422, providerMessage });
      }
      const created = answer && typeof answer === 'object' && 'sales_invoice' in answer ? answer.sales_invoice : undefined;
      if (created) return documentOf(parser(operation, salesInvoiceSchema, (r): Invoice => r)(created));
      // A 2xx without the invoice: it was created, so look it up rather than guess.
      const { match } = await findByReference(companyId, draft.reference);
      if (match) return documentOf(match);
      throw unexpectedAnswer(ROMPSLOMP, operation, answer);
    },

    previewDocument: (draft) => prepareInvoice(chosenCompany(), draft),

    // docs/providers/rompslomp.md §5: Rompslomp itself refuses a second invoice with our `api_reference`.
    documentIdentity: { uniqueReference: true },
    findDocument: async (lookup) => {
      const { match } = await findByReference(chosenCompany(), lookup.reference);
      return match ? documentOf(match) : null;
    },

    /** Invoices by invoice date (`search[from]`/`search[till]`, inclusive), concepts and published alike (§7). */
    async listDocuments(since) {
      const companyId = chosenCompany();
      const params: Params = [['selection', 'all'], ['search[from]', calendarDates(since)[0]], ['search[till]', calendarDates(new Date())[1]]];
      return (await all('GET sales_invoices', companyPath(companyId, 'sales_invoices'), 'sales_invoices', params, invoiceParser)).map(listedDocumentOf);
    },
  };
}
