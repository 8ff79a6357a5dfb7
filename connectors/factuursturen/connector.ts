import { ProviderError } from '../../lib/errors.js';
import { factuurSturenTexts as texts } from '../../lib/messages.js';
import type { FieldCheck, Settings } from '../../lib/settings.js';
import type { Entity } from '../../lib/providers.js';
import {
  MAX_OPTIONS, checkArticleSettings, downloadedListings, matchesTerm, parseRecord, providerFailure, recordList, streamedListings,
} from '../kit.js';
import { arrayReader, type RecordReader } from '../http.js';
import type { Connector, ConnectorContext, CreatedDocument, DocumentDraft, DocumentLine, DocumentPreview, ListedDocument, OptionItem, UpstreamProblem } from '../types.js';
import { asDecimalString, asNumber, asText, compareIds } from '../values.js';
import { invoiceBody, mapCategory, mapClient, mapProduct, mapQuote, type CountryNames, type ProductFacts } from './mappers.js';
import { categorySchema, clientSchema, countrySchema, productSchema, profileSchema, quotationSchema, savedInvoiceSchema, type FsProduct } from './schemas.js';
import { FACTUURSTUREN, createTransport } from './transport.js';

export { FACTUURSTUREN } from './transport.js';
export { invoiceBody, mapCategory, mapClient, mapProduct, mapQuote } from './mappers.js';

/**
 * FactuurSturen API v1 (docs/providers/factuursturen.md): HTTP Basic, listings that are one JSON array each (asked
 * whole with `count=-1`), no change tracking, an hourly call limit. A work order becomes a saved (concept) invoice:
 * `POST invoices` with `action: save` under our save name (lib/references.ts, 20 characters), which the saved
 * invoice returns as `name` and which FactuurSturen keeps unique; that name is how an export finds it again.
 */

export const DEFAULT_PAGE_SIZE = 200;
/** The longest save name FactuurSturen takes (`name` is string(20)); a longer one is refused before any call. */
export const SAVE_NAME_MAX = 20;

/**
 * Sizes a default page might have (the real default is unconfirmed, U7). `count=-1` asks for everything; a listing of
 * exactly one of these sizes is asked again from that position, and records it had not given make it an error:
 * a cleanup that took a first page for the whole listing would delete the rest.
 */
const PAGE_SIZES = new Set([10, 20, 25, 30, 50, 100, 200, 250, 500, 1000]);

type Listing = 'clients' | 'products' | 'categories' | 'quotations';
const idKey: Record<Listing | 'invoices_saved', string> = { clients: 'clientnr', products: 'id', categories: 'id', quotations: 'id', invoices_saved: 'id' };
const fingerprintListing: Record<Entity, Listing> = { article_groups: 'categories', articles: 'products', customers: 'clients' };
type ArticleLine = Extract<DocumentLine, { kind: 'article' }>;

export interface FactuurSturenConnector extends Connector {
  readonly provider: 'factuursturen';
  /** Calls left this hour according to the last response (null before the first call). */
  readonly rateLimitRemaining: number | null;
}

export function createFactuurSturenConnector(ctx: ConnectorContext): FactuurSturenConnector {
  const transport = createTransport(ctx);
  const parse = <S extends Parameters<typeof parseRecord>[3]>(operation: string, schema: S, raw: unknown) =>
    parseRecord(ctx, FACTUURSTUREN, operation, schema, raw);

  /** A listing asked whole and checked for a cut-off first page, sorted by id. */
  async function completeList(path: Listing | 'invoices_saved'): Promise<Record<string, unknown>[]> {
    const operation = `GET ${path}`;
    const key = idKey[path];
    const records = listOf(operation, await transport.list(path, { count: -1 }));
    if (PAGE_SIZES.has(records.length)) {
      const seen = new Set(records.map((r) => asText(r[key])));
      const more = listOf(operation, await transport.list(path, { count: -1, start: records.length }));
      // Empty: complete. The same records again: `start` is not honoured, and `count=-1` was (C4 relies on it).
      if (more.some((r) => !seen.has(asText(r[key])))) {
        throw providerFailure(FACTUURSTUREN, 'unavailable', texts.listingCutOff(path, records.length), { operation });
      }
    }
    return records.sort((a, b) => compareIds(asText(a[key]) ?? '', asText(b[key]) ?? ''));
  }

  // Client `country` is an id of `GET countrylist`; the names are read once per connector.
  let countries: CountryNames = new Map();
  let countriesRead: Promise<void> | null = null;
  function readCountries(): Promise<void> {
    countriesRead ??= transport.get('countrylist/nl', { count: -1 }).then(
      (body) => {
        const list = listOf('GET countrylist', body).map((r) => parse('GET countrylist', countrySchema, r));
        countries = new Map(list.flatMap((c) => {
          const name = asText(c.name);
          return name ? [[asText(c.id) ?? '', name] as const] : [];
        }));
      },
      (err: unknown) => {
        // A transient failure is tried again with the next listing; a refusal leaves the ids as they are.
        if (err instanceof ProviderError && !err.retryable) return;
        countriesRead = null;
        throw err;
      },
    );
    return countriesRead;
  }

  /** Quotations are imported in id order (lib/quote.ts): that listing is read whole and sorted. */
  const quotations = downloadedListings<'quotations'>((name) => completeList(name));

  /**
   * The listings a sync pages through, read as they stream in and in FactuurSturen's own order (docs/import.md):
   * each take is checked to be records, and a listing whose length is a possible page size is asked again from
   * there at its end, as `completeList` does.
   */
  const streamed = streamedListings<Exclude<Listing, 'quotations'>>(async (path) => {
    if (path === 'clients') await readCountries();
    const operation = `GET ${path}`;
    const key = idKey[path];
    const opened = await transport.open(path, { count: -1 });
    const inner = 'take' in opened ? opened : arrayReader(listOf(operation, opened.body));
    // Ids of the first records, for the cut-off check (no possible page size is longer than 1,000).
    const firstIds = new Set<string | null>();
    let checked = false;
    const reader: RecordReader = {
      get taken() {
        return inner.taken;
      },
      length: inner.length,
      get ended() {
        return inner.ended;
      },
      close: () => inner.close(),
      async take(n) {
        const records = listOf(operation, await inner.take(n));
        if (firstIds.size <= 1_000) for (const r of records) firstIds.add(asText(r[key]));
        if (inner.ended && !checked) {
          checked = true;
          if (PAGE_SIZES.has(inner.taken)) {
            const more = listOf(operation, await transport.list(path, { count: -1, start: inner.taken }));
            if (more.some((r) => !firstIds.has(asText(r[key])))) {
              throw providerFailure(FACTUURSTUREN, 'unavailable', texts.listingCutOff(path, inner.taken), { operation });
            }
          }
        }
        return records;
      },
    };
    return reader;
  });

  async function products(): Promise<FsProduct[]> {
    return (await completeList('products')).map((r) => parse('GET products', productSchema, r));
  }

  /** Our concept by its save name, in the complete saved-invoice listing; the lowest id if the name came twice. */
  async function findSaved(name: string): Promise<CreatedDocument | null> {
    const saved = (await completeList('invoices_saved')).map((r) => parse('GET invoices_saved', savedInvoiceSchema, r));
    const ours = saved.find((inv) => asText(inv.name) === name);
    return ours ? { documentId: asText(ours.id) ?? '', documentNumber: null } : null;
  }

  /** `GET invoices_saved/{id}` carries our name: the save is verified. Anything else sends us to the listing. */
  async function savedUnder(id: string, name: string): Promise<boolean> {
    try {
      const body = await transport.get(`invoices_saved/${id}`);
      // One record in a wrapper (`{"invoice": {…}}`); an array answer means "no such id" (as clients/{id} does).
      const record: unknown = body && typeof body === 'object' && !Array.isArray(body) ? Object.values(body)[0] : null;
      if (!record || typeof record !== 'object' || Array.isArray(record)) return false;
      return asText(parse('GET invoices_saved/{id}', savedInvoiceSchema, record).name) === name;
    } catch {
      return false;
    }
  }

  /** After a refused or unanswered save: the concept may exist all the same (an earlier attempt, a late commit). */
  async function afterFailedSave(err: unknown, name: string): Promise<CreatedDocument> {
    // Nothing was done on a limit or a refused key, and a look-up would be refused alike.
    if (!(err instanceof ProviderError) || err.kind === 'rate-limited' || err.kind === 'auth') throw err;
    let found: CreatedDocument | null;
    try {
      found = await findSaved(name);
    } catch (lookupError) {
      throw err.outcomeUnknown ? err : lookupError;
    }
    if (found) return found;
    throw err;
  }

  /**
   * The `POST invoices` body of a draft and what stops it (the preview's and the create's one way, docs/preview.md):
   * lines carry no product id, so the price (when the work order has none) and the VAT come from the product listing.
   */
  async function prepareInvoice(draft: DocumentDraft): Promise<DocumentPreview> {
    const name = draft.reference;
    if (!name || name.length > SAVE_NAME_MAX || name.trim() !== name) {
      return { body: null, problems: [{ code: 'refused', reason: texts.saveNameInvalid(name), detail: null }] };
    }
    const articleLines = draft.lines.filter((l): l is ArticleLine => l.kind === 'article');
    const all = articleLines.length > 0 ? await products() : [];
    const facts = (line: ArticleLine): ProductFacts | null => {
      const p = all.find((x) => asText(x.id) === line.articleExternalId) ?? all.find((x) => asText(x.code) === line.articleCode);
      return p ? { price: asDecimalString(p.price), taxRate: asNumber(p.taxes), name: asText(p.name) } : null;
    };
    const problems: UpstreamProblem[] = articleLines
      .filter((line) => line.unitPrice === null && !facts(line)?.price)
      .map((line) => ({ code: 'article-not-found-upstream', reason: texts.articleGone(line.articleCode), detail: line.articleCode }));
    return { body: problems.length > 0 ? null : invoiceBody(draft, facts), problems };
  }

  return {
    provider: 'factuursturen',
    changeTracking: 'full-listing',

    get rateLimitRemaining() {
      return transport.rateLimitRemaining;
    },

    async verifyConnection() {
      // `profiles` is small and needs the same credentials as everything else.
      const body = await transport.get('profiles', { count: -1 });
      for (const r of recordList(FACTUURSTUREN, 'GET profiles', body)) parse('GET profiles', profileSchema, r);
      return { label: transport.username };
    },

    listArticleGroups: (req) => streamed.page('categories', req, (r) => mapCategory(parse('GET categories', categorySchema, r)), DEFAULT_PAGE_SIZE),
    listArticles: (req) => streamed.page('products', req, (r) => mapProduct(parse('GET products', productSchema, r)), DEFAULT_PAGE_SIZE),
    listCustomers: (req) => streamed.page('clients', req, (r) => mapClient(parse('GET clients', clientSchema, r), countries), DEFAULT_PAGE_SIZE),
    listQuotes: (req) => quotations.page('quotations', req, (r) => mapQuote(parse('GET quotations', quotationSchema, r)), DEFAULT_PAGE_SIZE),

    // One GET per entity, hashed as it streams in (docs/idle-sync.md). The country names clients are mapped with
    // change (almost) never; the sync's periodic full compare takes them in.
    listingFingerprint: (entity) => transport.digest(fingerprintListing[entity], { count: -1 }),

    checkSettings(settings: Settings): Promise<FieldCheck[]> {
      return checkArticleSettings(FACTUURSTUREN, settings, async (codes) => {
        const all = await products();
        return new Map(codes.flatMap((code) => {
          const p = all.find((x) => asText(x.code) === code);
          return p ? [[code, { code: asText(p.code), name: asText(p.name), price: asDecimalString(p.price) }] as const] : [];
        }));
      });
    },

    async options(list: string, q: string | null): Promise<OptionItem[]> {
      if (list === 'articles') {
        return (await products())
          .map(mapProduct)
          .filter((a) => matchesTerm(q, a.code, a.description))
          .slice(0, MAX_OPTIONS)
          .map((a) => ({ id: a.code, name: a.description, code: a.code, externalId: a.externalId, group: a.groupExternalId, price: a.salesPrice }));
      }
      if (list === 'articleGroups') {
        return (await completeList('categories'))
          .map((r) => mapCategory(parse('GET categories', categorySchema, r)))
          .filter((g) => matchesTerm(q, g.description))
          .slice(0, MAX_OPTIONS)
          .map((g) => ({ id: g.externalId, name: g.description }));
      }
      throw new Error(texts.unknownList(list));
    },

    async createDocument(draft: DocumentDraft): Promise<CreatedDocument> {
      const name = draft.reference;
      const { body, problems } = await prepareInvoice(draft);
      if (problems[0]) throw providerFailure(FACTUURSTUREN, 'validation', problems[0].reason);

      let answer: Awaited<ReturnType<typeof transport.post>>;
      try {
        answer = await transport.post('invoices', body);
      } catch (err) {
        return afterFailedSave(err, name);
      }
      // The 201 body should be the saved id (U2); only the concept under our name proves the save.
      const id = asText(answer.body);
      if (id !== null && /^\d+$/.test(id) && (await savedUnder(id, name))) return { documentId: id, documentNumber: null };
      let found: CreatedDocument | null;
      try {
        found = await findSaved(name);
      } catch (err) {
        throw err instanceof ProviderError ? inDoubt(err) : err;
      }
      if (found) return found;
      throw providerFailure(FACTUURSTUREN, 'unavailable', texts.savedButNotFound, {
        operation: 'POST invoices', status: answer.status, providerMessage: typeof answer.body === 'string' ? answer.body.slice(0, 200) : '', outcomeUnknown: true,
      });
    },

    previewDocument: (draft) => prepareInvoice(draft),

    // docs/providers/factuursturen.md §5: the save name is unique per account and never overwritten.
    documentIdentity: { uniqueReference: true },
    // The name is a hash of tenant and work order: a concept under it is ours, whoever edited it since.
    findDocument: (lookup) => findSaved(lookup.reference),

    /**
     * The concepts saved from `since`'s date on (docs/providers/factuursturen.md §8): `invoices_saved` has no date
     * filter, so the complete listing is read once and filtered on `datesaved` here. A concept has no number; a sent
     * invoice carries no save name, so it cannot be told apart from a deleted concept.
     */
    async listDocuments(since): Promise<ListedDocument[]> {
      const from = since.toISOString().slice(0, 10);
      return (await completeList('invoices_saved'))
        .map((r) => parse('GET invoices_saved', savedInvoiceSchema, r))
        .map((inv): ListedDocument => ({
          documentId: asText(inv.id) ?? '',
          documentNumber: null,
          reference: asText(inv.name),
          customerExternalId: asText(inv.clientnr),
          date: (asText(inv.datesaved) ?? '').slice(0, 10),
        }))
        // A date it cannot read keeps the concept in: the reconciliation would rather compare one too many.
        .filter((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d.date) || d.date >= from);
    },
  };
}

/** The records of a listing answer; an empty body is an empty listing, anything but a list of records an error. */
function listOf(operation: string, body: unknown): Record<string, unknown>[] {
  return body === null ? [] : recordList(FACTUURSTUREN, operation, body);
}

/** FactuurSturen said the save happened, but we could not see it: the export looks again before any new save. */
function inDoubt(err: ProviderError): ProviderError {
  return new ProviderError({
    kind: err.kind,
    message: err.message,
    providerMessage: err.providerMessage,
    retryable: true,
    provider: FACTUURSTUREN,
    outcomeUnknown: true,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.operation !== undefined ? { operation: err.operation } : {}),
  });
}
