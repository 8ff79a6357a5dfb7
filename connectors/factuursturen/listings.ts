import { ProviderError } from '../../lib/errors.js';
import { factuurSturenTexts as texts } from '../../lib/messages.js';
import type { Entity } from '../../lib/providers.js';
import { arrayReader, readerWithTake } from '../http.js';
import { downloadedListings, parseRecord, providerFailure, recordList, streamedListings } from '../kit.js';
import type { ConnectorContext } from '../types.js';
import { asText, compareIds } from '../values.js';
import type { CountryNames } from './mappers.js';
import { countrySchema, productSchema, type FsProduct } from './schemas.js';
import { FACTUURSTUREN, type Transport } from './transport.js';

/**
 * FactuurSturen's listings (docs/providers/factuursturen.md §3, docs/import.md): each one JSON array asked whole with
 * `count=-1`. What a sync pages through is read as it streams in; what a document or a check needs (products,
 * saved invoices, quotations in id order) is read whole and sorted. Either way a listing whose length is a possible
 * page size is asked again from its end, so a cut-off first page is an error, never the whole listing.
 */

export type Listing = 'clients' | 'products' | 'categories' | 'quotations' | 'invoices_saved';

/**
 * Sizes a default page might have (the real default is unconfirmed, U7). `count=-1` asks for everything; a listing of
 * exactly one of these sizes is asked again from that position, and records it had not given make it an error:
 * a cleanup that took a first page for the whole listing would delete the rest.
 */
const PAGE_SIZES = new Set([10, 20, 25, 30, 50, 100, 200, 250, 500, 1000]);
const idKey: Record<Listing, string> = { clients: 'clientnr', products: 'id', categories: 'id', quotations: 'id', invoices_saved: 'id' };
/** The listing an entity's fingerprint hashes (docs/idle-sync.md). */
export const fingerprintListing: Record<Entity, Listing> = { article_groups: 'categories', articles: 'products', customers: 'clients' };

/** The records of a listing answer; an empty body is an empty listing, anything but a list of records an error. */
export function listOf(operation: string, body: unknown): Record<string, unknown>[] {
  return body === null ? [] : recordList(FACTUURSTUREN, operation, body);
}

export function createListings(ctx: ConnectorContext, transport: Transport) {
  /** Whether the records after `count` (asked from there) hold any the listing had not given: then it was cut off. */
  async function cutOff(path: Listing, count: number, seen: Set<string | null>): Promise<void> {
    if (!PAGE_SIZES.has(count)) return;
    const operation = `GET ${path}`;
    const more = listOf(operation, await transport.list(path, { count: -1, start: count }));
    // Empty: complete. The same records again: `start` is not honoured, and `count=-1` was (C4 relies on it).
    if (more.some((r) => !seen.has(asText(r[idKey[path]])))) {
      throw providerFailure(FACTUURSTUREN, 'unavailable', texts.listingCutOff(path, count), { operation });
    }
  }

  /** A listing asked whole and checked for a cut-off first page, sorted by id. */
  async function completeList(path: Listing): Promise<Record<string, unknown>[]> {
    const key = idKey[path];
    const records = listOf(`GET ${path}`, await transport.list(path, { count: -1 }));
    await cutOff(path, records.length, new Set(records.map((r) => asText(r[key]))));
    return records.sort((a, b) => compareIds(asText(a[key]) ?? '', asText(b[key]) ?? ''));
  }

  // Client `country` is an id of `GET countrylist`; the names are read once per connector.
  let countries: CountryNames = new Map();
  let countriesRead: Promise<void> | null = null;
  function readCountries(): Promise<void> {
    countriesRead ??= transport.get('countrylist/nl', { count: -1 }).then(
      (body) => {
        const list = listOf('GET countrylist', body).map((r) => parseRecord(ctx, FACTUURSTUREN, 'GET countrylist', countrySchema, r));
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

  /**
   * The listings a sync pages through, read as they stream in and in FactuurSturen's own order (docs/import.md):
   * each take is checked to be records, and the listing's end is checked for a cut-off as `completeList` does.
   */
  const streamed = streamedListings<'clients' | 'products' | 'categories'>(async (path) => {
    if (path === 'clients') await readCountries();
    const operation = `GET ${path}`;
    const opened = await transport.open(path, { count: -1 });
    const inner = 'take' in opened ? opened : arrayReader(listOf(operation, opened.body));
    // Ids of the first records, for the cut-off check (no possible page size is longer than 1,000).
    const firstIds = new Set<string | null>();
    let checked = false;
    return readerWithTake(inner, async (n) => {
      const records = listOf(operation, await inner.take(n));
      if (firstIds.size <= 1_000) for (const r of records) firstIds.add(asText(r[idKey[path]]));
      if (inner.ended && !checked) {
        checked = true;
        await cutOff(path, inner.taken, firstIds);
      }
      return records;
    });
  });

  return {
    completeList,
    streamed,
    /** Quotations are imported in id order (lib/quote.ts): that listing is read whole and sorted. */
    quotations: downloadedListings<'quotations'>((name) => completeList(name)),
    /** The country names of the client listing (empty until a client listing read them). */
    get countries(): CountryNames {
      return countries;
    },
    products: async (): Promise<FsProduct[]> =>
      (await completeList('products')).map((r) => parseRecord(ctx, FACTUURSTUREN, 'GET products', productSchema, r)),
  };
}

export type Listings = ReturnType<typeof createListings>;
