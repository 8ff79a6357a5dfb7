import { dayWindow } from '../../lib/quota.js';
import { TokenCache } from '../kit.js';

/**
 * What the Octopus connectors of one worker process share (docs/providers/octopus.md §4, §7). Every activity builds
 * a new connector, and Octopus counts each endpoint per day (two product listings, 24 book-year reads, …), so:
 * - the session and dossier tokens (10 minutes each);
 * - downloads of a listing, by the time they started: the later pages of a listing, and whoever needs the same
 *   listing within the reuse window ("Controleer", the initial import and the cleanup after it), use one download;
 *   products stay for the exports (their prices and VAT codes);
 * - book years and journals for the day;
 * - per book year and journal: the highest document number seen and the numbers this process planned, so two exports
 *   at once never plan the same number;
 * - per relation its payment term, and which planned keys were just found free or taken.
 * Keys hold nothing secret (the password only as a hash, in the scope).
 */

export interface Download<T> {
  /** When the download started (epoch ms): the cursor names it, and the next modified listing starts there. */
  stamp: number;
  records: Promise<T[]>;
}

export interface Numbering {
  highest: number;
  /** When `highest` was last read from `invoices/modified` (0 = never). */
  checkedAt: number;
  /** The highest number this process planned (each plan takes the next one). */
  maxPlanned: number;
  refreshing: Promise<void> | null;
}

/** Entries of a map past this size are dropped oldest first (a worker serves many tenants). */
const MAX_ENTRIES = 2_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as K);
  return value;
}

export class OctopusCaches {
  readonly tokens: TokenCache;
  /** Cookies Octopus set on a session, by token (§2: keep session cookies; §9 U13). */
  readonly cookies = new Map<string, string>();
  private readonly downloads = new Map<string, Download<unknown>[]>();
  private readonly daily = new Map<string, { day: number; at: number; value: Promise<unknown> }>();
  readonly numbering = new Map<string, Numbering>();
  private readonly terms = new Map<string, Promise<number | null>>();
  private readonly keys = new Map<string, { state: 'free' | 'taken'; at: number }>();

  constructor(readonly now: () => number = Date.now) {
    this.tokens = new TokenCache({ renewMarginMs: 60_000, now });
  }

  // ---- downloads ----

  /** The newest download of `key` that is at most `maxAgeMs` old, or (with `stamp`) that very download. */
  download<T>(key: string, opts: { maxAgeMs?: number; stamp?: number }): Download<T> | null {
    const list = (this.downloads.get(key) ?? []) as Download<T>[];
    if (opts.stamp !== undefined) return list.find((d) => d.stamp === opts.stamp) ?? null;
    const newest = list.at(-1);
    return newest && opts.maxAgeMs !== undefined && this.now() - newest.stamp <= opts.maxAgeMs ? newest : null;
  }

  /** Starts a download and keeps it (with the previous one, for a listing still paging through it); a failed one is forgotten. */
  startDownload<T>(key: string, fetch: () => Promise<T[]>): Download<T> {
    const list = this.downloads.get(key) ?? [];
    const last = list.at(-1);
    // Two downloads in the same millisecond must still be told apart by their cursor.
    const stamp = Math.max(this.now(), last ? last.stamp + 1 : 0);
    const entry: Download<T> = { stamp, records: fetch() };
    remember(this.downloads, key, [...list.slice(-1), entry as Download<unknown>]);
    entry.records.catch(() => this.forget(key, stamp));
    return entry;
  }

  /** Drops a download (a relations listing is done with it: thousands of records should not stay in memory). */
  forget(key: string, stamp: number): void {
    const list = this.downloads.get(key);
    if (!list) return;
    const rest = list.filter((d) => d.stamp !== stamp);
    if (rest.length > 0) this.downloads.set(key, rest);
    else this.downloads.delete(key);
  }

  // ---- per day ----

  /** A read kept for the Amsterdam (= Brussels) day, or for `maxAgeMs` when given; a failed read is forgotten. */
  forTheDay<T>(key: string, read: () => Promise<T>, maxAgeMs?: number): Promise<T> {
    const now = this.now();
    const today = dayWindow(new Date(now)).start.getTime();
    const hit = this.daily.get(key);
    if (hit && hit.day === today && (maxAgeMs === undefined || now - hit.at <= maxAgeMs)) return hit.value as Promise<T>;
    const value = read();
    const entry = { day: today, at: now, value };
    remember(this.daily, key, entry);
    value.catch(() => {
      if (this.daily.get(key) === entry) this.daily.delete(key);
    });
    return value;
  }

  // ---- numbering ----

  numberingOf(key: string): Numbering {
    return this.numbering.get(key) ?? remember(this.numbering, key, { highest: 0, checkedAt: 0, maxPlanned: 0, refreshing: null });
  }

  // ---- relations ----

  /** A relation's payment term (days), from a listing or a look-up; single-flight, a failed look-up is forgotten. */
  paymentDays(key: string, lookup: () => Promise<number | null>): Promise<number | null> {
    const hit = this.terms.get(key);
    if (hit) return hit;
    const value = lookup();
    void remember(this.terms, key, value);
    value.catch(() => this.terms.delete(key));
    return value;
  }

  notePaymentDays(key: string, days: number | null): void {
    void remember(this.terms, key, Promise.resolve(days));
  }

  // ---- planned keys ----

  noteKey(key: string, state: 'free' | 'taken'): void {
    remember(this.keys, key, { state, at: this.now() });
  }

  /** What was learnt of a planned key within `maxAgeMs`, if anything. */
  keyState(key: string, maxAgeMs: number): 'free' | 'taken' | null {
    const hit = this.keys.get(key);
    return hit && this.now() - hit.at <= maxAgeMs ? hit.state : null;
  }

  forgetKey(key: string): void {
    this.keys.delete(key);
  }

  clear(): void {
    this.tokens.clear();
    this.cookies.clear();
    this.downloads.clear();
    this.daily.clear();
    this.numbering.clear();
    this.terms.clear();
    this.keys.clear();
  }
}

/** The process-wide caches; tests pass their own (with a clock) to count calls. */
export const sharedCaches = new OctopusCaches();
