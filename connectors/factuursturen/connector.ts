import type { FieldCheck, Settings } from '../../lib/settings.js';
import { factuurSturenTexts as texts } from '../../lib/messages.js';
import { MAX_OPTIONS, checkArticleSettings, matchesTerm, parseRecord, recordList } from '../kit.js';
import type { Connector, ConnectorContext, OptionItem } from '../types.js';
import { asDecimalString, asText } from '../values.js';
import { createInvoices } from './invoices.js';
import { createListings, fingerprintListing } from './listings.js';
import { mapCategory, mapClient, mapProduct, mapQuote } from './mappers.js';
import { categorySchema, clientSchema, productSchema, profileSchema, quotationSchema } from './schemas.js';
import { FACTUURSTUREN, createTransport } from './transport.js';

export { FACTUURSTUREN } from './transport.js';
export { SAVE_NAME_MAX } from './invoices.js';
export { invoiceBody, mapCategory, mapClient, mapProduct, mapQuote } from './mappers.js';

/**
 * FactuurSturen API v1 (docs/providers/factuursturen.md): HTTP Basic, listings that are one JSON array each (asked
 * whole with `count=-1`, listings.ts), no change tracking, an hourly call limit (transport.ts). A work order becomes a
 * saved (concept) invoice under our save name, which is how an export finds it again (invoices.ts).
 */

/**
 * Records per page the sync writes in one statement. The listing is one download whatever this is (docs/import.md),
 * so the page size only sets how many rows a statement carries: 500 spreads a statement's fixed cost (planning the
 * one-statement upsert) over more rows than 200 did, as iMuis and Visma.net page.
 */
export const DEFAULT_PAGE_SIZE = 500;

export interface FactuurSturenConnector extends Connector {
  readonly provider: 'factuursturen';
  /** Calls left this hour according to the last response (null before the first call). */
  readonly rateLimitRemaining: number | null;
}

export function createFactuurSturenConnector(ctx: ConnectorContext): FactuurSturenConnector {
  const transport = createTransport(ctx);
  const listings = createListings(ctx, transport);
  const invoices = createInvoices(ctx, transport, listings);
  const parse = <S extends Parameters<typeof parseRecord>[3]>(operation: string, schema: S, raw: unknown) =>
    parseRecord(ctx, FACTUURSTUREN, operation, schema, raw);
  const { streamed, quotations, products } = listings;

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
    listCustomers: (req) => streamed.page('clients', req, (r) => mapClient(parse('GET clients', clientSchema, r), listings.countries), DEFAULT_PAGE_SIZE),
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
        return (await listings.completeList('categories'))
          .map((r) => mapCategory(parse('GET categories', categorySchema, r)))
          .filter((g) => matchesTerm(q, g.description))
          .slice(0, MAX_OPTIONS)
          .map((g) => ({ id: g.externalId, name: g.description }));
      }
      throw new Error(texts.unknownList(list));
    },

    createDocument: (draft) => invoices.create(draft),
    previewDocument: (draft) => invoices.prepare(draft),

    // docs/providers/factuursturen.md §5: the save name is unique per account and never overwritten.
    documentIdentity: { uniqueReference: true },
    // The name is a hash of tenant and work order: a concept under it is ours, whoever edited it since.
    findDocument: (lookup) => invoices.findSaved(lookup.reference),

    listDocuments: (since) => invoices.savedSince(since),
  };
}
