import { ProviderError, describeProviderError } from './errors.js';
import type { Env } from './env.js';
import { providers, type ProviderId, type SyncScope } from './providers.js';

/**
 * The quota rules of the API-limited providers; the guard that counts calls is db/queries/quota.ts's. The per-tenant quota guard of the API-limited providers (Octopus, Rompslomp; SPEC §5.2). Every call a connector
 * makes for a tenant passes `acquire` first (activities/deps.ts wires it into the connector's HTTP client), which
 * counts it in `integration.api_usage` per Europe/Amsterdam day and per minute, atomically across workers. A call
 * over the limit is not made: it fails with a retryable ProviderError 'rate-limited' whose `retryAfterMs` is the
 * time until the window ends, so Temporal's retry (nextRetryDelay) waits, never a sleep inside an activity.
 *
 * Exports are never queued behind syncs (SPEC §14.5): syncs may only use the daily quota up to a reserve
 * (QUOTA_EXPORT_RESERVE_PERCENT) below the limit; exports, and the admin's interactive steps (connect, "Controleer",
 * pick-lists), may use all of it. So however much the syncs and "Nu synchroniseren" presses of a day used, the
 * reserve is still there for archived work orders. One counter per day serves both: it is simpler to reason about
 * than two budgets, and exports that arrive early in the day simply leave less for syncs.
 */

export type QuotaPurpose = 'sync' | 'export' | 'interactive';

export type UsageWindowKind = 'day' | 'minute';

export interface QuotaLimits {
  perDay: number;
  perMinute: number;
  /** Calls of the daily quota only exports and interactive steps may use. */
  exportReserve: number;
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
  return { perDay, perMinute, exportReserve: Math.floor((perDay * env.QUOTA_EXPORT_RESERVE_PERCENT) / 100) };
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

export function estimateSyncCalls(provider: ProviderId, scopes: readonly SyncScope[]): number {
  const table = syncCallEstimate[provider];
  return scopes.reduce((sum, scope) => sum + (table?.[scope] ?? 1), 0);
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

  constructor(args: { provider: ProviderId; window: UsageWindowKind; limit: number; resetsAt: Date; now: Date }) {
    const name = providers[args.provider].name;
    const providerMessage =
      args.window === 'day'
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
  }
}
