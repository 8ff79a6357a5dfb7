import type { FieldCheck, Settings } from '../../lib/settings.js';
import { ProviderError, describeProviderError } from '../../lib/errors.js';
import { HttpClient } from '../http.js';
import type {
  Connector,
  ConnectorContext,
  CreatedDocument,
  DocumentDraft,
  DocumentLine,
  ExternalArticle,
  ExternalArticleGroup,
  ExternalCustomer,
  ExternalQuote,
  ExternalQuoteLine,
  ListRequest,
  OptionItem,
  Page,
} from '../types.js';
import { asBool, asDecimalString, asNumber, asText, compareIds } from '../values.js';

/**
 * FactuurSturen API v1 (research/accounting-apis.md §2): HTTP Basic (account name + API key), plain JSON
 * arrays, no pagination, no change tracking, an hourly call limit reported in `x-ratelimit-remaining`.
 * A work order becomes a saved (concept) invoice: `POST invoices` with `action: 'save'` and our reference
 * as `savename`, which is also how we find it again.
 */

export const FACTUURSTUREN = 'FactuurSturen';
export const DEFAULT_PAGE_SIZE = 200;
/** A settings pick-list is searched by typing; thousands of rows help nobody. */
export const MAX_OPTIONS = 100;

const texts = {
  wrongCredentials: 'Onjuiste gebruikersnaam of API sleutel',
  missingCredentials: 'Gebruikersnaam of API sleutel ontbreekt',
  unknownArticle: 'Artikel niet bekend in FactuurSturen',
  termsNotAccepted: 'De voorwaarden moeten worden geaccepteerd',
  unexpectedAnswer: 'FactuurSturen gaf een onverwacht antwoord',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor FactuurSturen`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een FactuurSturen-lijst`,
  articleGone: (code: string) => `Artikel ${code} is niet (meer) bekend in FactuurSturen en heeft geen prijs op de werkbon`,
};

type RawRecord = Record<string, unknown>;
type Listing = 'clients' | 'products' | 'categories' | 'quotes';

/** The key each listing is sorted and paged by. */
const idField: Record<Listing, string> = { clients: 'clientnr', products: 'id', categories: 'id', quotes: 'id' };

export interface FactuurSturenConnector extends Connector {
  readonly provider: 'factuursturen';
  /** Calls left this hour according to the last response (null before the first call). */
  readonly rateLimitRemaining: number | null;
}

export function createFactuurSturenConnector(ctx: ConnectorContext): FactuurSturenConnector {
  const username = ctx.credentials.username ?? '';
  const apiKey = ctx.credentials.apiKey ?? '';
  const authorization = `Basic ${Buffer.from(`${username}:${apiKey}`).toString('base64')}`;

  const http = new HttpClient({
    provider: FACTUURSTUREN,
    baseUrl: ctx.baseUrl,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}),
    headers: () => ({ authorization }),
    // Every 401/403 from FactuurSturen means the account name or API key is wrong (there are no tokens).
    authErrorMessage: texts.wrongCredentials,
    errorMessage: factuurSturenErrorMessage,
  });

  // One full download per listing: pages of a listing are slices of it (the API cannot page).
  const listings = new Map<Listing, Promise<RawRecord[]>>();

  function requireCredentials(): void {
    if (!username || !apiKey) {
      throw new ProviderError({
        kind: 'auth',
        provider: FACTUURSTUREN,
        message: describeProviderError('auth', { provider: FACTUURSTUREN, lead: texts.missingCredentials }),
      });
    }
  }

  async function download(listing: Listing): Promise<RawRecord[]> {
    requireCredentials();
    const { body } = await http.get(listing);
    return asRecordList(body, listing).sort((a, b) => compareIds(recordId(a, listing), recordId(b, listing)));
  }

  /** A listing starts at cursor null with a fresh download; later pages reuse it. */
  function listing(name: Listing, fresh: boolean): Promise<RawRecord[]> {
    let pending = listings.get(name);
    if (!pending || fresh) {
      const started = download(name);
      pending = started;
      listings.set(name, started);
      // A failed download must not stick: the retry of this page downloads again.
      started.catch(() => {
        if (listings.get(name) === started) listings.delete(name);
      });
    }
    return pending;
  }

  async function page<T>(name: Listing, req: ListRequest, map: (r: RawRecord) => T): Promise<Page<T>> {
    const offset = parseCursor(req.cursor);
    const pageSize = Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE);
    const all = await listing(name, req.cursor === null);
    const end = Math.min(offset + pageSize, all.length);
    const last = end >= all.length;
    return {
      records: all.slice(offset, end).map(map),
      nextCursor: last ? null : String(end),
      total: all.length,
      ...(last ? { highWaterMark: null } : {}),
    };
  }

  function productByCode(products: RawRecord[], code: string): RawRecord | undefined {
    return products.find((p) => asText(p.code) === code.trim());
  }

  async function findDocumentByReference(reference: string): Promise<CreatedDocument | null> {
    requireCredentials();
    const { body } = await http.get('invoices_saved');
    // `savename` on saved invoices is what the .NET and PHP clients imply; not confirmed in the official PDF.
    const matches = asRecordList(body, 'invoices_saved')
      .filter((inv) => asText(inv.savename) === reference)
      .map((inv) => asText(inv.id))
      .filter((id): id is string => id !== null)
      .sort(compareIds);
    const id = matches[0];
    return id === undefined ? null : { documentId: id, documentNumber: id };
  }

  return {
    provider: 'factuursturen',
    changeTracking: 'full-listing',

    get rateLimitRemaining() {
      return http.rateLimitRemaining;
    },

    async verifyConnection() {
      requireCredentials();
      // `profiles` is small and needs the same credentials as everything else.
      await http.get('profiles');
      return { label: username };
    },

    listArticleGroups(req) {
      // UNCONFIRMED: FactuurSturen has no documented product groups. `GET categories` (seen only in
      // deinte/laravel-factuursturen-api: {id, name, ledger}) is the closest thing; each category is a group.
      return page('categories', req, mapCategory);
    },

    listArticles(req) {
      return page('products', req, mapProduct);
    },

    listCustomers(req) {
      return page('clients', req, mapClient);
    },

    listQuotes(req) {
      // UNCONFIRMED: only ultiweb-nl/factuursturen-php-client lists a "Quotation" endpoint, without path or
      // fields. Modelled on the API's conventions: `GET quotes`, a plain array like `invoices`, no paging.
      return page('quotes', req, mapQuote);
    },

    async checkSettings(settings: Settings): Promise<FieldCheck[]> {
      const checks: FieldCheck[] = [];
      const articleFields = (['workTimeArticle', 'travelTimeArticle', 'defaultArticle'] as const).filter(
        (field) => settings[field] !== null && settings[field] !== undefined,
      );
      if (articleFields.length > 0) {
        const products = await download('products');
        for (const field of articleFields) {
          const product = productByCode(products, settings[field]!);
          checks.push(
            product
              ? { field, ok: true, found: { code: asText(product.code), name: asText(product.name), price: asDecimalString(product.price) } }
              : { field, ok: false, error: texts.unknownArticle },
          );
        }
      }
      const termsOk = settings.termsAccepted === true;
      checks.push(termsOk ? { field: 'termsAccepted', ok: true } : { field: 'termsAccepted', ok: false, error: texts.termsNotAccepted });
      return checks;
    },

    async options(list: string, q: string | null): Promise<OptionItem[]> {
      const term = (q ?? '').trim().toLowerCase();
      if (list === 'articles') {
        const products = await download('products');
        return products
          .filter((p) => !term || [p.code, p.name].some((v) => (asText(v) ?? '').toLowerCase().includes(term)))
          .slice(0, MAX_OPTIONS)
          .map((p) => {
            const a = mapProduct(p);
            return { id: a.code, name: a.description, code: a.code, externalId: a.externalId, group: a.groupExternalId, price: a.salesPrice };
          });
      }
      if (list === 'articleGroups') {
        const categories = await download('categories');
        return categories
          .map(mapCategory)
          .filter((g) => !term || g.description.toLowerCase().includes(term))
          .slice(0, MAX_OPTIONS)
          .map((g) => ({ id: g.externalId, name: g.description }));
      }
      throw new Error(texts.unknownList(list));
    },

    async createDocument(draft: DocumentDraft): Promise<CreatedDocument> {
      requireCredentials();
      // Lines carry no product id, so prices and VAT of article lines come from the product itself.
      const products = draft.lines.some((l) => l.kind === 'article') ? await download('products') : [];
      const body = invoiceBody(draft, products);
      let answer: unknown;
      try {
        answer = (await http.post('invoices', body)).body;
      } catch (err) {
        // We send overwrite_if_exist=false, so a refused save may mean "this savename exists already"
        // (an earlier attempt that timed out after committing). If so, that invoice is ours.
        if (err instanceof ProviderError && (err.kind === 'validation' || err.kind === 'conflict')) {
          const existing = await findDocumentByReference(draft.reference).catch(() => null);
          if (existing) return existing;
        }
        throw err;
      }
      const id = savedInvoiceId(answer);
      if (id !== null) return { documentId: id, documentNumber: id };
      // A 2xx without an id: the save happened, so look it up rather than guess.
      const saved = await findDocumentByReference(draft.reference);
      if (saved) return saved;
      throw new ProviderError({
        kind: 'unavailable',
        provider: FACTUURSTUREN,
        operation: 'POST invoices',
        providerMessage: typeof answer === 'string' ? answer.slice(0, 200) : '',
        message: describeProviderError('unavailable', { provider: FACTUURSTUREN, lead: texts.unexpectedAnswer }),
      });
    },

    // docs/providers/factuursturen.md, "Exactly once".
    documentIdentity: { uniqueReference: true },
    findDocument: (lookup) => findDocumentByReference(lookup.reference),
  };

  function parseCursor(cursor: string | null): number {
    if (cursor === null) return 0;
    if (!/^\d+$/.test(cursor)) throw new Error(texts.badCursor(cursor));
    return Number(cursor);
  }
}

// ---- mapping: FactuurSturen records → Simon's vocabulary ----

export function mapClient(c: RawRecord): ExternalCustomer {
  const clientnr = asText(c.clientnr) ?? '';
  const street = asText(c.address);
  const postalCode = asText(c.zipcode);
  const city = asText(c.city);
  // `country` may be a name or a countrylist id (Model/Invoice.cs); passed on as given.
  const country = asText(c.country);
  const hasAddress = [street, postalCode, city].some((v) => v !== null);
  return {
    externalId: clientnr,
    number: clientnr || null,
    name: asText(c.company) ?? asText(c.contact) ?? `Klant ${clientnr}`,
    address: hasAddress ? { street, postalCode, city, country } : null,
    email: asText(c.email),
    phone: asText(c.phone) ?? asText(c.mobile),
    active: asBool(c.active, true),
    workAddresses: [],
  };
}

export function mapProduct(p: RawRecord): ExternalArticle {
  const id = asText(p.id) ?? '';
  const category = asText(p.category);
  return {
    externalId: id,
    code: asText(p.code) ?? id,
    description: asText(p.name) ?? '',
    salesPrice: asDecimalString(p.price),
    unit: asText(p.unit),
    // `category` on products is UNCONFIRMED (see listArticleGroups); 0 means "none".
    groupExternalId: category === null || category === '0' ? null : category,
    active: asBool(p.active, true),
  };
}

export function mapCategory(c: RawRecord): ExternalArticleGroup {
  const id = asText(c.id) ?? '';
  return { externalId: id, code: id, description: asText(c.name) ?? '', active: asBool(c.active, true) };
}

/**
 * UNCONFIRMED field names, by analogy with invoices: `id`, `quotenr`, `clientnr`, `name` (or `savename`) as
 * the quote's name, `reference` {line1,line2,line3}, `notes` as the memo, `lines` [{amount, description,
 * price, code?}] where `code` (a product code) may be absent, as invoice lines carry no product.
 */
export function mapQuote(q: RawRecord): ExternalQuote {
  const id = asText(q.id) ?? asText(q.quotenr) ?? '';
  const ref = q.reference;
  const reference =
    ref && typeof ref === 'object'
      ? ['line1', 'line2', 'line3'].map((k) => asText((ref as RawRecord)[k])).filter((l): l is string => l !== null).join('\n') || null
      : asText(ref);
  const rawLines = Array.isArray(q.lines) ? q.lines : q.lines && typeof q.lines === 'object' ? Object.values(q.lines as RawRecord) : [];
  return {
    externalId: id,
    number: asText(q.quotenr),
    name: asText(q.name) ?? asText(q.savename) ?? '',
    reference,
    memo: asText(q.notes),
    customerExternalId: asText(q.clientnr),
    lines: rawLines.filter((l): l is RawRecord => !!l && typeof l === 'object').map(mapQuoteLine),
  };
}

function mapQuoteLine(l: RawRecord): ExternalQuoteLine {
  return {
    articleExternalId: null,
    articleCode: asText(l.code),
    description: typeof l.description === 'string' ? l.description : asText(l.description) ?? '',
    quantity: asNumber(l.amount) ?? 0,
    unitPrice: asDecimalString(l.price),
  };
}

// ---- the concept invoice ----

/** The POST invoices body for a draft (exported for tests and for reading). */
export function invoiceBody(draft: DocumentDraft, products: RawRecord[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    clientnr: asNumber(draft.customer.externalId) ?? draft.customer.externalId,
    action: 'save',
    savename: draft.reference,
    // Never replace a concept the user may already be editing; a duplicate save is refused instead.
    overwrite_if_exist: false,
    lines: draft.lines.map((line) => invoiceLine(line, products)),
  };
  const reference = referenceLines(draft.descriptionLines);
  if (reference) body.reference = reference;
  // UNCONFIRMED field name: no client library names FactuurSturen's payment reference (betalingskenmerk).
  if (draft.paymentReference) body.paymentreference = draft.paymentReference;
  return body;
}

/** The invoice name ("omschrijving") is FactuurSturen's three reference lines; extra lines join the third. */
function referenceLines(lines: string[]): Record<string, string> | null {
  const filled = lines.map((l) => l.trim()).filter(Boolean);
  if (filled.length === 0) return null;
  const out: Record<string, string> = {};
  filled.slice(0, 2).forEach((l, i) => (out[`line${i + 1}`] = l));
  if (filled.length > 2) out.line3 = filled.slice(2).join(' ');
  return out;
}

function invoiceLine(line: DocumentLine, products: RawRecord[]): Record<string, unknown> {
  // A text line has no quantity or price in Simon; amount 0 and price 0 keep its total at 0 whatever
  // FactuurSturen does with empty numbers.
  if (line.kind === 'text') return { amount: 0, description: line.description, price: 0 };

  const product =
    products.find((p) => asText(p.id) === line.articleExternalId) ?? products.find((p) => asText(p.code) === line.articleCode);
  const price = line.unitPrice ?? (product ? asDecimalString(product.price) : null);
  if (price === null) {
    throw new ProviderError({
      kind: 'validation',
      provider: FACTUURSTUREN,
      message: describeProviderError('validation', { provider: FACTUURSTUREN, lead: texts.articleGone(line.articleCode) }),
    });
  }
  // Lines carry no product id in FactuurSturen, so the article code leads the description.
  const text = line.description.trim() || (product ? asText(product.name) ?? '' : '');
  const description = text.startsWith(line.articleCode) ? text : `${line.articleCode} ${text}`.trim();
  const out: Record<string, unknown> = { amount: line.quantity, description, price: Number(price) };
  const taxRate = product ? asNumber(product.taxes) : null;
  if (taxRate !== null) out.tax_rate = taxRate;
  return out;
}

/** The create answers with the new id as a bare number; tolerate JSON wrappers too. */
function savedInvoiceId(answer: unknown): string | null {
  if (typeof answer === 'number' || typeof answer === 'string') {
    const t = asText(answer);
    return t !== null && /^\d+$/.test(t) ? t : null;
  }
  if (answer && typeof answer === 'object') {
    const o = answer as RawRecord;
    const inner = (o.invoice ?? o.invoices_saved ?? o) as RawRecord;
    return asText(inner.id) ?? asText(inner.invoicenr);
  }
  return null;
}

// ---- response shapes ----

function recordId(record: RawRecord, listing: Listing): string {
  return asText(record[idField[listing]]) ?? '';
}

/**
 * Lists are JSON arrays. Accept a keyed object of records too (single-record GETs wrap their result), but
 * never read an unexpected answer as "no records": the cleanup would then delete everything.
 */
function asRecordList(body: unknown, what: string): RawRecord[] {
  if (body === null) return [];
  if (Array.isArray(body)) return body.filter((r): r is RawRecord => !!r && typeof r === 'object');
  if (typeof body === 'object') {
    const values = Object.values(body as RawRecord);
    if (values.every((v) => !!v && typeof v === 'object' && !Array.isArray(v))) return values as RawRecord[];
  }
  throw new ProviderError({
    kind: 'unavailable',
    provider: FACTUURSTUREN,
    operation: `GET ${what}`,
    providerMessage: typeof body === 'string' ? body.slice(0, 200) : '',
    message: describeProviderError('unavailable', { provider: FACTUURSTUREN, lead: texts.unexpectedAnswer }),
  });
}

/** FactuurSturen errors are plain text; some proxies answer with JSON. */
export function factuurSturenErrorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') {
    const o = body as RawRecord;
    return asText(o.error) ?? asText(o.message) ?? null;
  }
  return null;
}
