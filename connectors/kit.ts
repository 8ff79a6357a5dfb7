import type { z } from 'zod';
import { ProviderError, describeProviderError, type ProviderErrorInit, type ProviderErrorKind } from '../lib/errors.js';
import { connectorTexts } from '../lib/messages.js';
import type { FieldCheck, Settings } from '../lib/settings.js';
import { HttpClient, type HttpClientOptions, type RecordReader } from './http.js';
import type { ConnectorContext, ListRequest, Page } from './types.js';

/**
 * What every connector repeats, written once (ARCHITECTURE.md, "Connectors"): the HTTP client from the
 * context, provider errors with Dutch texts, "never read an unexpected answer as empty", a listing downloaded once
 * and paged in memory, single-flight token caches, renew-and-repeat-once on an expired token, and the settings
 * checks every package shares. A connector is then its auth, its endpoints and its mappers.
 */

// ---------------------------------------------------------------- http and errors

/** The connector's HttpClient: base URL, timeout and quota hook from the context, the rest from the connector. */
export function providerHttp(ctx: ConnectorContext, opts: Omit<HttpClientOptions, 'baseUrl' | 'timeoutMs' | 'onRequest'> & { baseUrl?: string }): HttpClient {
  return new HttpClient({
    ...opts,
    baseUrl: opts.baseUrl ?? ctx.baseUrl,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}),
    ...(ctx.onRateLimited ? { onRateLimited: ctx.onRateLimited } : {}),
  });
}

/**
 * A provider record parsed at the edge with its zod schema (docs/providers/<provider>.md lists the fields). Fields
 * the schema does not know are kept out of the result and reported through `ctx.onUnexpectedFields`; a record of
 * the wrong shape is an unexpected answer (retryable), never silently dropped.
 */
export function parseRecord<S extends z.ZodObject>(ctx: ConnectorContext, provider: string, operation: string, schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw providerFailure(provider, 'unavailable', connectorTexts.unexpectedAnswer(provider), {
      operation,
      providerMessage: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; '),
    });
  }
  if (ctx.onUnexpectedFields && raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const known = new Set(Object.keys(schema.shape));
    const unknown = Object.keys(raw).filter((k) => !known.has(k));
    if (unknown.length > 0) ctx.onUnexpectedFields(operation, unknown);
  }
  return parsed.data;
}

/** A ProviderError with the Dutch lead for the log (`lead`) and what the provider said, if anything. */
export function providerFailure(
  provider: string,
  kind: ProviderErrorKind,
  lead: string,
  extra: Omit<ProviderErrorInit, 'kind' | 'message' | 'provider'> = {},
): ProviderError {
  return new ProviderError({
    ...extra,
    kind,
    provider,
    message: describeProviderError(kind, {
      provider, lead,
      ...(extra.status !== undefined ? { status: extra.status } : {}),
      ...(extra.providerMessage ? { providerMessage: extra.providerMessage } : {}),
    }),
  });
}

/**
 * An answer of a shape we do not know. Always a retryable failure, never "no records": a cleanup that read an
 * error page as an empty listing would delete everything (docs/sync.md, "Cleanup").
 */
export function unexpectedAnswer(provider: string, operation: string, body: unknown): ProviderError {
  return providerFailure(provider, 'unavailable', connectorTexts.unexpectedAnswer(provider), {
    operation,
    providerMessage: typeof body === 'string' ? body.slice(0, 200) : '',
  });
}

/** The records of a listing answer: an array of objects, or `key` of an object holding one; anything else throws. */
export function recordList(provider: string, operation: string, body: unknown, key?: string): Record<string, unknown>[] {
  const list = key !== undefined && body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : body;
  if (Array.isArray(list) && list.every((r) => !!r && typeof r === 'object' && !Array.isArray(r))) return list as Record<string, unknown>[];
  throw unexpectedAnswer(provider, operation, body);
}

export function hasStatus(err: unknown, status: number): boolean {
  return err instanceof ProviderError && err.status === status;
}

// ---------------------------------------------------------------- listings

/**
 * For packages that cannot page (FactuurSturen) or whose paging is too dear (Octopus's 2-a-day listings): the
 * listing is downloaded when a listing starts (cursor null) and later pages are slices of it. A failed download
 * is forgotten, so the retry of the page downloads again.
 */
export function downloadedListings<K extends string>(download: (name: K) => Promise<Record<string, unknown>[]>) {
  const listings = new Map<K, Promise<Record<string, unknown>[]>>();
  return {
    get(name: K, fresh: boolean): Promise<Record<string, unknown>[]> {
      let pending = listings.get(name);
      if (!pending || fresh) {
        const started = download(name);
        pending = started;
        listings.set(name, started);
        started.catch(() => {
          if (listings.get(name) === started) listings.delete(name);
        });
      }
      return pending;
    },
    async page<T>(name: K, req: ListRequest, map: (r: Record<string, unknown>) => T, defaultPageSize: number): Promise<Page<T>> {
      const offset = offsetCursor(req.cursor);
      const pageSize = Math.max(1, req.pageSize ?? defaultPageSize);
      const pending = this.get(name, req.cursor === null);
      const all = await pending;
      const end = Math.min(offset + pageSize, all.length);
      const last = end >= all.length;
      // The last page is out: let the listing go (a connector may live on between syncs, activities/deps.ts).
      if (last && listings.get(name) === pending) listings.delete(name);
      return { records: all.slice(offset, end).map(map), nextCursor: last ? null : String(end), total: all.length, ...(last ? { highWaterMark: null } : {}) };
    },
  };
}

/** A listing left half-read (an activity's budget ran out, the workflow was cancelled) is let go after this long. */
const STREAM_IDLE_MS = 60_000;

/**
 * For packages whose listings are one long answer (FactuurSturen): the listing is read as its pages are asked for
 * (docs/import.md), so a connector holds one page and one network chunk of it, never the listing. A listing starts
 * with cursor null (a new download); a page whose cursor is where the open download stands reads on; any other
 * cursor (a retry after a crash, the next activity call on another connector) downloads again and skips that many
 * records, in the provider's order. A failed read forgets the download.
 */
export function streamedListings<K extends string>(open: (name: K) => Promise<RecordReader>) {
  const streams = new Map<K, { reader: RecordReader; idle?: NodeJS.Timeout }>();
  const drop = (name: K) => {
    const entry = streams.get(name);
    if (!entry) return;
    clearTimeout(entry.idle);
    entry.reader.close();
    streams.delete(name);
  };
  return {
    async page<T>(name: K, req: ListRequest, map: (r: Record<string, unknown>) => T, defaultPageSize: number): Promise<Page<T>> {
      const offset = offsetCursor(req.cursor);
      const pageSize = Math.max(1, req.pageSize ?? defaultPageSize);
      let entry = streams.get(name);
      if (entry && (req.cursor === null || entry.reader.taken !== offset)) drop(name);
      entry = streams.get(name);
      try {
        if (!entry) {
          entry = { reader: await open(name) };
          streams.set(name, entry);
          while (entry.reader.taken < offset && !entry.reader.ended) await entry.reader.take(Math.min(1_000, offset - entry.reader.taken));
        }
        clearTimeout(entry.idle);
        const records = (await entry.reader.take(pageSize)) as Record<string, unknown>[];
        const last = entry.reader.ended;
        if (last) streams.delete(name);
        else entry.idle = setTimeout(() => drop(name), STREAM_IDLE_MS).unref();
        return {
          records: records.map(map),
          nextCursor: last ? null : String(entry.reader.taken),
          // A streamed listing's length is known at its end only; progress shows the count done until then.
          ...(last ? { total: entry.reader.taken, highWaterMark: null } : entry.reader.length !== null ? { total: entry.reader.length } : {}),
        };
      } catch (err) {
        if (streams.get(name) === entry) drop(name);
        throw err;
      }
    },
    /** Lets every open download go. */
    close(): void {
      for (const name of [...streams.keys()]) drop(name);
    },
  };
}

/** A cursor that is an offset into a listing ("0", "200"); anything else is a programming error. */
export function offsetCursor(cursor: string | null): number {
  if (cursor === null) return 0;
  if (!/^\d+$/.test(cursor)) throw new Error(connectorTexts.badCursor(cursor));
  return Number(cursor);
}

// ---------------------------------------------------------------- tokens and sessions

export interface CachedToken {
  value: string;
  /** Epoch ms after which the token is not used any more. */
  expiresAt: number;
}

/**
 * Single-flight token (or session) cache: concurrent callers share one login, a token is renewed `renewMarginMs`
 * before it expires, a failed login is not remembered, and `invalidate` forgets a token the provider refused
 * unless another call replaced it already. Keys must hold nothing secret (hash passwords into them).
 */
export class TokenCache {
  private readonly entries = new Map<string, Promise<CachedToken>>();

  constructor(private readonly opts: { renewMarginMs: number; now?: () => number }) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  async use(key: string, login: () => Promise<CachedToken>): Promise<string> {
    const existing = this.entries.get(key);
    if (existing) {
      const token = await existing.catch(() => null);
      if (token && token.expiresAt - this.opts.renewMarginMs > this.now()) return token.value;
      if (this.entries.get(key) !== existing) return this.use(key, login);
      this.entries.delete(key);
    }
    const started = login();
    this.entries.set(key, started);
    started.catch(() => {
      if (this.entries.get(key) === started) this.entries.delete(key);
    });
    return (await started).value;
  }

  async invalidate(key: string, refused: string): Promise<void> {
    const current = this.entries.get(key);
    if (!current) return;
    const token = await current.catch(() => null);
    if ((!token || token.value === refused) && this.entries.get(key) === current) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * A call with a cached token; when the provider says the token expired (`expired(err)`, by default a 401), the
 * token is forgotten and the call repeated once with a new one. A second refusal is the provider's answer.
 */
export async function withRenewal<T>(
  token: () => Promise<string>,
  forget: (refused: string) => Promise<void>,
  call: (token: string) => Promise<T>,
  expired: (err: unknown) => boolean = (err) => hasStatus(err, 401),
): Promise<T> {
  const first = await token();
  try {
    return await call(first);
  } catch (err) {
    if (!expired(err)) throw err;
    await forget(first);
    return call(await token());
  }
}

// ---------------------------------------------------------------- settings checks ("Controleer")

export type ArticleSettingField = 'workTimeArticle' | 'travelTimeArticle' | 'defaultArticle';
export const articleSettingFields: readonly ArticleSettingField[] = ['workTimeArticle', 'travelTimeArticle', 'defaultArticle'];

/** The article fields a (possibly partial) settings body fills in. */
export function filledArticleFields(settings: Partial<Settings>): { field: ArticleSettingField; code: string }[] {
  return articleSettingFields
    .map((field) => ({ field, code: (settings as Partial<Record<ArticleSettingField, string | null>>)[field] }))
    .filter((f): f is { field: ArticleSettingField; code: string } => typeof f.code === 'string' && f.code.trim() !== '');
}

/**
 * "Controleer" for the article fields every package has: each filled field is looked up (`find` resolves the codes,
 * one call for all of them) and answers with what it found or "Artikel niet bekend in <package>". The terms are
 * checked only when the body says something about them, so a partial check of one field works while the admin fills
 * the form (saving still requires everything).
 */
export async function checkArticleSettings(
  provider: string,
  settings: Partial<Settings>,
  find: (codes: string[]) => Promise<Map<string, Record<string, unknown> | { error: string }>>,
): Promise<FieldCheck[]> {
  const fields = filledArticleFields(settings);
  const checks: FieldCheck[] = [];
  if (fields.length > 0) {
    const found = await find([...new Set(fields.map((f) => f.code.trim()))]);
    for (const { field, code } of fields) {
      const hit = found.get(code.trim());
      if (hit && 'error' in hit && typeof hit.error === 'string') checks.push({ field, ok: false, error: hit.error });
      else if (hit) checks.push({ field, ok: true, found: hit });
      else checks.push({ field, ok: false, error: connectorTexts.unknownArticle(provider) });
    }
  }
  if (settings.termsAccepted !== undefined) checks.push(termsCheck(settings.termsAccepted));
  return checks;
}

export function termsCheck(accepted: boolean | undefined): FieldCheck {
  return accepted === true ? { field: 'termsAccepted', ok: true } : { field: 'termsAccepted', ok: false, error: connectorTexts.termsNotAccepted };
}

/** A settings pick-list is searched by typing; thousands of rows help nobody. */
export const MAX_OPTIONS = 100;

/** Case-insensitive "contains" over some fields of a record, for pick-list searches. */
export function matchesTerm(term: string | null, ...values: (string | null | undefined)[]): boolean {
  const t = (term ?? '').trim().toLowerCase();
  return !t || values.some((v) => (v ?? '').toLowerCase().includes(t));
}
