import { ProviderError, describeProviderError } from './errors.js';
import type { Env } from './env.js';
import { octopusEndpointText } from './messages.js';
import { providers, type ProviderId, type SyncScope } from './providers.js';

/**
 * The per-tenant quota guard of the API-limited providers (Octopus, Rompslomp; docs/quota.md); this module holds the rules, db/queries/quota.ts counts the calls. Every call a connector
 * makes for a tenant passes `acquire` first (activities/deps.ts wires it into the connector's HTTP client), which
 * counts it in `integration.api_usage` per Europe/Amsterdam day and per minute, atomically across workers. A call
 * over the limit is not made: it fails with a retryable ProviderError 'rate-limited' whose `retryAfterMs` is the
 * time until the window ends, so Temporal's retry (nextRetryDelay) waits, never a sleep inside an activity.
 *
 * Exports are never queued behind syncs (docs/quota.md): syncs may only use the daily quota up to a reserve
 * (QUOTA_EXPORT_RESERVE_PERCENT) below the limit; exports, and the admin's interactive steps (connect, "Controleer",
 * pick-lists), may use all of it. So however much the syncs and "Nu synchroniseren" presses of a day used, the
 * reserve is still there for archived work orders. One counter per day serves both: it is simpler to reason about
 * than two budgets, and exports that arrive early in the day simply leave less for syncs.
 *
 * Octopus also limits each endpoint per day (2 full relation or product listings, 48 `…/modified`, 400 searches and
 * 400 invoice writes, …: docs/providers/octopus.md §4). The guard therefore also counts every call in its endpoint
 * class (`quotaEndpoint`, from the request's method and path) per tenant and day, with the same export reserve per
 * class; a call is made only when both its class and the totals have room.
 */

export type QuotaPurpose = 'sync' | 'export' | 'interactive';

export type UsageWindowKind = 'day' | 'minute';

export interface QuotaLimits {
  perDay: number;
  perMinute: number;
  /** Calls of the daily quota only exports and interactive steps may use. */
  exportReserve: number;
  /** Per endpoint class (Octopus): calls a day and the share of them kept for exports; empty for the others. */
  endpoints: Record<string, EndpointLimit>;
}

export interface EndpointLimit {
  perDay: number;
  exportReserve: number;
}

/** What the guard sees of an outgoing call (connectors/http.ts passes it to `onRequest`). */
export interface QuotaRequest {
  method: string;
  /** Relative to the provider's base URL, e.g. `dossiers/101/products`. */
  path: string;
  query?: Record<string, unknown>;
}

export const QUOTA_TIME_ZONE = 'Europe/Amsterdam';

/** The limits for a provider, or null when the provider is not guarded (its calls are not counted). */
export function quotaLimits(env: Env, provider: ProviderId): QuotaLimits | null {
  const configured: Partial<Record<ProviderId, [number, number]>> = {
    octopus: [env.QUOTA_OCTOPUS_PER_DAY, env.QUOTA_OCTOPUS_PER_MINUTE],
    rompslomp: [env.QUOTA_ROMPSLOMP_PER_DAY, env.QUOTA_ROMPSLOMP_PER_MINUTE],
  };
  const pair = configured[provider];
  if (!pair) return null;
  const [perDay, perMinute] = pair;
  const reserve = (n: number) => Math.floor((n * env.QUOTA_EXPORT_RESERVE_PERCENT) / 100);
  const endpoints: Record<string, EndpointLimit> = {};
  if (provider === 'octopus') {
    for (const [name, n] of Object.entries(octopusEndpointLimits(env))) endpoints[name] = { perDay: n, exportReserve: reserve(n) };
  }
  return { perDay, perMinute, exportReserve: reserve(perDay), endpoints };
}

// ------------------------------------------------------------------ Octopus endpoint classes

/** The endpoint classes Octopus limits per day (docs/providers/octopus.md §4). */
export const octopusEndpoints = [
  'dossiers', 'bookyears', 'relations', 'relations-modified', 'invoices-modified', 'products', 'productgroups', 'search', 'invoices',
] as const;
export type OctopusEndpoint = (typeof octopusEndpoints)[number];

export function octopusEndpointLimits(env: Env): Record<OctopusEndpoint, number> {
  return {
    dossiers: env.QUOTA_OCTOPUS_DOSSIERS_PER_DAY,
    bookyears: env.QUOTA_OCTOPUS_BOOKYEARS_PER_DAY,
    relations: env.QUOTA_OCTOPUS_RELATIONS_PER_DAY,
    'relations-modified': env.QUOTA_OCTOPUS_MODIFIED_PER_DAY,
    'invoices-modified': env.QUOTA_OCTOPUS_MODIFIED_PER_DAY,
    products: env.QUOTA_OCTOPUS_PRODUCTS_PER_DAY,
    productgroups: env.QUOTA_OCTOPUS_PRODUCTGROUPS_PER_DAY,
    search: env.QUOTA_OCTOPUS_SEARCH_PER_DAY,
    invoices: env.QUOTA_OCTOPUS_INVOICES_PER_DAY,
  };
}

/** Filters that make `GET relations` a search (one relation) instead of the 2-a-day full listing. */
const RELATION_FILTERS = ['relationId', 'extRelationId', 'name', 'vatNr'];

/**
 * The endpoint class of an Octopus call: `dossiers` (listing and dossier token), `bookyears` (book years and their
 * journals), the full `relations` listing, each `…/modified`, `products`, `productgroups`, `search` (a relation or an
 * invoice by key) and `invoices` (creating or changing one). Authentication and anything else: no class (totals only).
 */
export function octopusEndpoint(req: QuotaRequest): OctopusEndpoint | null {
  const method = req.method.toUpperCase();
  const path = req.path.split('?')[0].replace(/^\/+|\/+$/g, '');
  if (path === 'dossiers') return 'dossiers';
  const rest = /^dossiers\/[^/]+\/(.+)$/.exec(path)?.[1];
  if (!rest) return null;
  if (rest === 'bookyears' || /^bookyears\/[^/]+\/journals$/.test(rest)) return method === 'GET' ? 'bookyears' : null;
  if (rest === 'relations/modified') return 'relations-modified';
  if (rest === 'invoices/modified') return 'invoices-modified';
  if (rest === 'products') return method === 'GET' ? 'products' : null;
  if (rest === 'productgroups') return method === 'GET' ? 'productgroups' : null;
  if (rest === 'relations' && method === 'GET') {
    const query = req.query ?? {};
    return RELATION_FILTERS.some((f) => query[f] !== undefined && query[f] !== null) ? 'search' : 'relations';
  }
  if (rest === 'invoices') return method === 'GET' ? 'search' : method === 'POST' || method === 'PUT' ? 'invoices' : null;
  return null;
}

/** The endpoint class a call counts in, for the providers that limit endpoints; null = only the totals. */
export function quotaEndpoint(provider: ProviderId, req: QuotaRequest | undefined): string | null {
  if (!req) return null;
  return provider === 'octopus' ? octopusEndpoint(req) : null;
}

/** How an endpoint class is named in Dutch texts. */
export function endpointLabel(provider: ProviderId, endpoint: string): string {
  return provider === 'octopus' ? octopusEndpointText(endpoint).what : endpoint;
}

/**
 * The fewest calls a sync of each scope makes with no token cached (Octopus: authentication + dossier token +
 * the listings; Rompslomp: one page per listing). "Nu synchroniseren" is refused when even this would not fit.
 */
export const syncCallEstimate: Partial<Record<ProviderId, Record<SyncScope, number>>> = {
  // customers: POST /authentication, POST /dossiers, GET relations[/modified]; articles: the same two + productgroups + products.
  octopus: { customers: 3, articles: 4 },
  // customers: GET contacts (first page); articles: GET products (first page). Rompslomp has no product groups.
  rompslomp: { customers: 1, articles: 1 },
};

/**
 * The fewest calls the weekly reconciliation makes (docs/reconciliation.md): Rompslomp one page of
 * `sales_invoices`; Octopus authentication, the dossier token and one `invoices/modified` (one of the 48 a day, §4
 * of docs/providers/octopus.md). It runs with the sync share of the quota and does not start when even this does not fit.
 */
export const reconcileCallEstimate: Partial<Record<ProviderId, number>> = { rompslomp: 1, octopus: 3 };

/** The endpoint classes the reconciliation uses at least (Octopus: the dossier token and `invoices/modified`). */
export const reconcileEndpointEstimate: Partial<Record<ProviderId, Record<string, number>>> = {
  octopus: { dossiers: 1, 'invoices-modified': 1 },
};

export function estimateSyncCalls(provider: ProviderId, scopes: readonly SyncScope[]): number {
  const table = syncCallEstimate[provider];
  return scopes.reduce((sum, scope) => sum + (table?.[scope] ?? 1), 0);
}

/**
 * The endpoint classes a sync of each scope uses at least (Octopus after the initial import: customers through
 * `relations/modified`, articles through one download of product groups and products), so a second articles
 * "Nu synchroniseren" on a day when both product downloads are spent is refused up front.
 */
export const syncEndpointEstimate: Partial<Record<ProviderId, Record<SyncScope, Record<string, number>>>> = {
  octopus: {
    customers: { dossiers: 1, 'relations-modified': 1 },
    articles: { dossiers: 1, productgroups: 1, products: 1 },
  },
};

export function estimateSyncEndpoints(provider: ProviderId, scopes: readonly SyncScope[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of scopes) {
    for (const [endpoint, n] of Object.entries(syncEndpointEstimate[provider]?.[scope] ?? {})) out[endpoint] = (out[endpoint] ?? 0) + n;
  }
  return out;
}

// ------------------------------------------------------------------ windows

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
function zonedParts(t: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), mi: Number(parts.minute), s: Number(parts.second) };
}

/** How far the zone's wall clock is ahead of UTC at instant t. */
function zoneOffsetMs(t: number, timeZone: string): number {
  const p = zonedParts(t, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(t / 1000) * 1000;
}

/** The instant the zone's calendar day y-m-d begins (DST never switches at midnight in Europe/Amsterdam). */
function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(first, timeZone);
}

/** The calendar day (Europe/Amsterdam by default) that contains `now`: 23, 24 or 25 hours long. */
export function dayWindow(now: Date, timeZone: string = QUOTA_TIME_ZONE): { start: Date; end: Date } {
  const p = zonedParts(now.getTime(), timeZone);
  return { start: new Date(zonedMidnight(p.y, p.m, p.d, timeZone)), end: new Date(zonedMidnight(p.y, p.m, p.d + 1, timeZone)) };
}

export function minuteWindow(now: Date): { start: Date; end: Date } {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  return { start: new Date(start), end: new Date(start + 60_000) };
}

/** "23-11-2026 00:00" in Amsterdam time, for Dutch texts. */
export function formatAmsterdam(at: Date): string {
  const p = zonedParts(at.getTime(), QUOTA_TIME_ZONE);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(p.d)}-${two(p.m)}-${p.y} ${two(p.h)}:${two(p.mi)}`;
}

// ------------------------------------------------------------------ the guard

/** A call held back because the package asked this tenant to wait (429 with Retry-After) on another call. */
export class ProviderHold extends ProviderError {
  readonly until: Date;

  constructor(args: { provider: ProviderId; until: Date; now: Date }) {
    const name = providers[args.provider].name;
    const providerMessage = `${name} vroeg om te wachten tot ${formatAmsterdam(args.until)}`;
    super({
      kind: 'rate-limited', provider: name, operation: 'quota', providerMessage,
      retryAfterMs: Math.max(1000, args.until.getTime() - args.now.getTime()),
      message: describeProviderError('rate-limited', { provider: name, providerMessage }),
    });
    this.until = args.until;
  }
}

/** A call the guard refused; `retryAfterMs` runs to the end of the full window. */
export class QuotaRefusal extends ProviderError {
  readonly window: UsageWindowKind;
  readonly limit: number;
  readonly resetsAt: Date;
  /** Set when the call's endpoint class was full (the day's totals may have room). */
  readonly endpoint?: string;

  constructor(args: { provider: ProviderId; window: UsageWindowKind; limit: number; resetsAt: Date; now: Date; endpoint?: string }) {
    const name = providers[args.provider].name;
    const providerMessage =
      args.endpoint !== undefined
        ? `eigen limiet van ${args.limit} verzoeken per dag voor ${endpointLabel(args.provider, args.endpoint)} bereikt; weer mogelijk vanaf ${formatAmsterdam(args.resetsAt)}`
        : args.window === 'day'
          ? `eigen limiet van ${args.limit} verzoeken per dag bereikt; weer mogelijk vanaf ${formatAmsterdam(args.resetsAt)}`
          : `eigen limiet van ${args.limit} verzoeken per minuut bereikt`;
    super({
      kind: 'rate-limited',
      provider: name,
      operation: 'quota',
      providerMessage,
      // At least a second, so a refusal at the very end of a minute does not retry in a tight loop.
      retryAfterMs: Math.max(1000, args.resetsAt.getTime() - args.now.getTime()),
      message: describeProviderError('rate-limited', { provider: name, providerMessage }),
    });
    this.window = args.window;
    this.limit = args.limit;
    this.resetsAt = args.resetsAt;
    if (args.endpoint !== undefined) this.endpoint = args.endpoint;
  }
}
