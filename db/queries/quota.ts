import type { TransactionSql } from 'postgres';
import type { Database, Sql } from '../client.js';
import type { Env } from '../../lib/env.js';
import type { ProviderId, SyncScope } from '../../lib/providers.js';
import {
  ProviderHold, QuotaRefusal, dayWindow, estimateSyncCalls, estimateSyncEndpoints, minuteWindow, quotaEndpoint, quotaLimits, reconcileCallEstimate, reconcileEndpointEstimate,
  type QuotaLimits, type QuotaPurpose, type QuotaRequest, type UsageWindowKind,
} from '../../lib/quota.js';

export type { UsageWindowKind } from '../../lib/quota.js';

/**
 * Per-tenant API call counters (integration.api_usage) and the quota guard built on them (rules in lib/quota.ts). One row per tenant,
 * provider, window kind and window start; a call is counted by an upsert that only increments while the count is
 * below the limit, so concurrent workers never go over it and a refused call is not counted. Packages that limit
 * each endpoint (Octopus) also count the call in its endpoint class per day (integration.api_endpoint_usage).
 */


export interface UsageWindow {
  window: UsageWindowKind;
  start: Date;
  /** The call is refused when this window already holds `limit` calls. */
  limit: number;
}

/** The endpoint class a call counts in, for the day that starts at `start`. */
export interface EndpointWindow {
  endpoint: string;
  start: Date;
  limit: number;
}

export type ConsumeResult =
  | { ok: true; used: Partial<Record<UsageWindowKind, number>>; endpointUsed?: number }
  | { ok: false; window: UsageWindowKind; used: number; endpoint?: string }
  /** The package said to wait (a 429 of another call of this tenant): nothing goes out before `until`. */
  | { ok: false; window: 'hold'; until: Date };

class Refused extends Error {
  constructor(readonly window: UsageWindowKind, readonly used: number, readonly endpoint?: string) {
    super('quota window full');
  }
}

/** Minute rows older than this are pruned when a tenant's first call of a day creates its day row. */
const KEEP_MINUTE_ROWS_MS = 60 * 60_000;
/** Day rows are kept a while for support ("how many calls did this tenant make last week?"). */
const KEEP_DAY_ROWS_MS = 40 * 24 * 60 * 60_000;

/** A table of call counters, one row per (tenant, provider, key, window start). */
interface CallCounter {
  table: 'integration.api_usage' | 'integration.api_endpoint_usage';
  key: '"window"' | 'endpoint';
}
const windowCounter: CallCounter = { table: 'integration.api_usage', key: '"window"' };
const endpointCounter: CallCounter = { table: 'integration.api_endpoint_usage', key: 'endpoint' };

/**
 * One more call in a counter row unless it stands at `limit`: the row's calls after it (and whether this call
 * created the row), or `refused` with the count the full row stands at.
 */
async function countCall(
  tx: TransactionSql, counter: CallCounter, tenantId: string, provider: ProviderId, key: string, start: Date, limit: number,
): Promise<{ calls: number; inserted: boolean } | { refused: number }> {
  const table = tx.unsafe(counter.table);
  const column = tx.unsafe(counter.key);
  const rows = await tx<{ calls: number; inserted: boolean }[]>`
    insert into ${table} as u (tenant_id, provider, ${column}, window_start, calls)
    values (${tenantId}, ${provider}, ${key}, ${start}, 1)
    on conflict (tenant_id, provider, ${column}, window_start) do update set calls = u.calls + 1
      where u.calls < ${limit}
    returning u.calls, (xmax = 0) as inserted`;
  const row = rows[0];
  if (row) return row;
  const [current] = await tx<{ calls: number }[]>`
    select calls from ${table}
    where tenant_id = ${tenantId} and provider = ${provider} and ${column} = ${key} and window_start = ${start}`;
  return { refused: current?.calls ?? limit };
}

/**
 * Counts one call in every window (and in its endpoint class), all or nothing: when one window is full the
 * transaction rolls back, so the other windows are not charged either.
 */
export async function consumeCall(sql: Sql, tenantId: string, provider: ProviderId, windows: UsageWindow[], endpoint?: EndpointWindow): Promise<ConsumeResult> {
  try {
    return await sql.begin(async (tx) => {
      const [held] = await tx<{ until: Date }[]>`
        select until from integration.rate_limit_holds where tenant_id = ${tenantId} and provider = ${provider} and until > now()`;
      if (held) throw new Held(held.until);
      const endpointUsed = endpoint ? await consumeEndpoint(tx, tenantId, provider, endpoint) : undefined;
      const used: Partial<Record<UsageWindowKind, number>> = {};
      for (const w of windows) {
        if (w.limit <= 0) throw new Refused(w.window, 0);
        const row = await countCall(tx, windowCounter, tenantId, provider, w.window, w.start, w.limit);
        if ('refused' in row) throw new Refused(w.window, row.refused);
        used[w.window] = row.calls;
        if (w.window === 'day' && row.inserted) {
          // The first call of the tenant's day: a cheap moment to drop old counters.
          await tx`
            delete from integration.api_usage
            where tenant_id = ${tenantId} and provider = ${provider}
              and (("window" = 'minute' and window_start < ${new Date(w.start.getTime() - KEEP_MINUTE_ROWS_MS)})
                or ("window" = 'day' and window_start < ${new Date(w.start.getTime() - KEEP_DAY_ROWS_MS)}))`;
        }
      }
      return { ok: true as const, used, ...(endpointUsed !== undefined ? { endpointUsed } : {}) };
    });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, window: err.window, used: err.used, ...(err.endpoint !== undefined ? { endpoint: err.endpoint } : {}) };
    if (err instanceof Held) return { ok: false, window: 'hold', until: err.until };
    throw err;
  }
}

/** One more call of an endpoint class today, or Refused when the class is full. */
async function consumeEndpoint(tx: TransactionSql, tenantId: string, provider: ProviderId, w: EndpointWindow): Promise<number> {
  if (w.limit <= 0) throw new Refused('day', 0, w.endpoint);
  const row = await countCall(tx, endpointCounter, tenantId, provider, w.endpoint, w.start, w.limit);
  if ('refused' in row) throw new Refused('day', row.refused, w.endpoint);
  if (row.inserted) {
    await tx`
      delete from integration.api_endpoint_usage
      where tenant_id = ${tenantId} and provider = ${provider} and endpoint = ${w.endpoint}
        and window_start < ${new Date(w.start.getTime() - KEEP_DAY_ROWS_MS)}`;
  }
  return row.calls;
}

/** Calls counted today per endpoint class. */
export async function readEndpointUsage(sql: Sql, tenantId: string, provider: ProviderId, dayStart: Date): Promise<Record<string, number>> {
  const rows = await sql<{ endpoint: string; calls: number }[]>`
    select endpoint, calls from integration.api_endpoint_usage
    where tenant_id = ${tenantId} and provider = ${provider} and window_start = ${dayStart}`;
  return Object.fromEntries(rows.map((r) => [r.endpoint, r.calls]));
}

class Held extends Error {
  constructor(readonly until: Date) {
    super('rate limit hold');
  }
}

/** Records that the package asked this tenant to wait until `until` (a later hold wins). */
export async function holdCalls(sql: Sql, tenantId: string, provider: ProviderId, until: Date): Promise<void> {
  await sql`
    insert into integration.rate_limit_holds as h (tenant_id, provider, until) values (${tenantId}, ${provider}, ${until})
    on conflict (tenant_id, provider) do update set until = greatest(h.until, excluded.until)`;
}

/** Calls counted so far in the given windows (0 for a window without a row). */
export async function readUsage(
  sql: Sql,
  tenantId: string,
  provider: ProviderId,
  windows: { window: UsageWindowKind; start: Date }[],
): Promise<Record<UsageWindowKind, number>> {
  const out: Record<UsageWindowKind, number> = { day: 0, minute: 0 };
  for (const w of windows) {
    const [row] = await sql<{ calls: number }[]>`
      select calls from integration.api_usage
      where tenant_id = ${tenantId} and provider = ${provider} and "window" = ${w.window} and window_start = ${w.start}`;
    out[w.window] = row?.calls ?? 0;
  }
  return out;
}

// ------------------------------------------------------------------ the guard

export interface QuotaStatus {
  perDay: number;
  perMinute: number;
  exportReserve: number;
  day: { used: number; remaining: number; remainingForSync: number; resetsAt: Date };
  minute: { used: number; remaining: number; resetsAt: Date };
}

/** One endpoint class today (Octopus): its limit, what is used, and what is left for syncs. */
export interface EndpointStatus {
  endpoint: string;
  perDay: number;
  exportReserve: number;
  used: number;
  remaining: number;
  remainingForSync: number;
}

export type SyncNowCheck =
  | { ok: true; needed: number }
  | {
    ok: false; needed: number; window: UsageWindowKind; retryAfterMs: number; resetsAt: Date; status: QuotaStatus;
    /** Set when an endpoint class is what does not fit (the totals may): its name, limit, use and need. */
    endpoint?: { name: string; perDay: number; used: number; needed: number };
  };

export interface QuotaGuard {
  limits(provider: ProviderId): QuotaLimits | null;
  /**
   * Counts one call (in its endpoint class too, when `request` names one the package limits), or throws a
   * QuotaRefusal (retryable 'rate-limited') without counting it.
   */
  acquire(tenantId: string, provider: ProviderId, purpose: QuotaPurpose, request?: QuotaRequest): Promise<void>;
  /**
   * The package answered 429 with a wait: every call of this tenant waits until then, in every worker for the
   * API-limited packages (the hold is stored), in this worker for the others.
   */
  hold(tenantId: string, provider: ProviderId, retryAfterMs: number): Promise<void>;
  /** What is used and left now; null for providers without a quota. */
  status(tenantId: string, provider: ProviderId): Promise<QuotaStatus | null>;
  /** Today's use per endpoint class (Octopus); empty for packages without endpoint limits. */
  endpointStatus(tenantId: string, provider: ProviderId): Promise<EndpointStatus[]>;
  /** Whether a "Nu synchroniseren" of these scopes still fits in the sync share of today's quota. */
  checkSyncNow(tenantId: string, provider: ProviderId, scopes: readonly SyncScope[]): Promise<SyncNowCheck>;
}

/** A Retry-After longer than this is not believed (a header in the wrong unit would stop a tenant for days). */
const MAX_HOLD_MS = 60 * 60_000;

export function createQuotaGuard(opts: { database: Database; env: Env; now?: () => Date }): QuotaGuard {
  const localHolds = new Map<string, number>();
  const { database, env } = opts;
  const clock = opts.now ?? (() => new Date());
  const limits = (provider: ProviderId) => quotaLimits(env, provider);

  async function status(tenantId: string, provider: ProviderId): Promise<QuotaStatus | null> {
    const l = limits(provider);
    if (!l) return null;
    const now = clock();
    const day = dayWindow(now);
    const minute = minuteWindow(now);
    const used = await readUsage(database.sql, tenantId, provider, [
      { window: 'day', start: day.start },
      { window: 'minute', start: minute.start },
    ]);
    return {
      perDay: l.perDay,
      perMinute: l.perMinute,
      exportReserve: l.exportReserve,
      day: {
        used: used.day,
        remaining: Math.max(0, l.perDay - used.day),
        remainingForSync: Math.max(0, l.perDay - l.exportReserve - used.day),
        resetsAt: day.end,
      },
      minute: { used: used.minute, remaining: Math.max(0, l.perMinute - used.minute), resetsAt: minute.end },
    };
  }

  async function endpointStatus(tenantId: string, provider: ProviderId): Promise<EndpointStatus[]> {
    const l = limits(provider);
    if (!l || Object.keys(l.endpoints).length === 0) return [];
    const used = await readEndpointUsage(database.sql, tenantId, provider, dayWindow(clock()).start);
    return Object.entries(l.endpoints).map(([endpoint, e]) => {
      const n = used[endpoint] ?? 0;
      return { endpoint, perDay: e.perDay, exportReserve: e.exportReserve, used: n, remaining: Math.max(0, e.perDay - n), remainingForSync: Math.max(0, e.perDay - e.exportReserve - n) };
    });
  }

  return {
    limits,
    status,
    endpointStatus,

    async hold(tenantId, provider, retryAfterMs) {
      const until = new Date(clock().getTime() + Math.min(retryAfterMs, MAX_HOLD_MS));
      const key = `${tenantId}/${provider}`;
      if ((localHolds.get(key) ?? 0) < until.getTime()) localHolds.set(key, until.getTime());
      if (limits(provider)) await holdCalls(database.sql, tenantId, provider, until);
    },

    async acquire(tenantId, provider, purpose, request) {
      const now = clock();
      const localUntil = localHolds.get(`${tenantId}/${provider}`);
      if (localUntil !== undefined && localUntil > now.getTime()) throw new ProviderHold({ provider, until: new Date(localUntil), now });
      const l = limits(provider);
      if (!l) return;
      const day = dayWindow(now);
      const minute = minuteWindow(now);
      const dayLimit = purpose === 'sync' ? l.perDay - l.exportReserve : l.perDay;
      const endpoint = quotaEndpoint(provider, request);
      const el = endpoint ? l.endpoints[endpoint] : undefined;
      // The export reserve holds per endpoint class too: syncs leave exports their share of `…/modified`, searches, tokens.
      const endpointWindow = endpoint && el ? { endpoint, start: day.start, limit: purpose === 'sync' ? el.perDay - el.exportReserve : el.perDay } : undefined;
      const result = await consumeCall(database.sql, tenantId, provider, [
        { window: 'day', start: day.start, limit: dayLimit },
        { window: 'minute', start: minute.start, limit: l.perMinute },
      ], endpointWindow);
      if (result.ok) return;
      if (result.window === 'hold') throw new ProviderHold({ provider, until: result.until, now });
      if (result.endpoint !== undefined && endpointWindow) {
        throw new QuotaRefusal({ provider, window: 'day', limit: endpointWindow.limit, resetsAt: day.end, now, endpoint: result.endpoint });
      }
      const full = result.window === 'day' ? { limit: dayLimit, resetsAt: day.end } : { limit: l.perMinute, resetsAt: minute.end };
      throw new QuotaRefusal({ provider, window: result.window, ...full, now });
    },

    async checkSyncNow(tenantId, provider, scopes) {
      const needed = estimateSyncCalls(provider, scopes);
      const s = await status(tenantId, provider);
      if (!s) return { ok: true, needed };
      const now = clock().getTime();
      if (needed > s.day.remainingForSync) {
        return { ok: false, needed, window: 'day', resetsAt: s.day.resetsAt, retryAfterMs: s.day.resetsAt.getTime() - now, status: s };
      }
      if (needed > s.minute.remaining) {
        return { ok: false, needed, window: 'minute', resetsAt: s.minute.resetsAt, retryAfterMs: s.minute.resetsAt.getTime() - now, status: s };
      }
      const perEndpoint = estimateSyncEndpoints(provider, scopes);
      if (Object.keys(perEndpoint).length > 0) {
        const classes = new Map((await endpointStatus(tenantId, provider)).map((e) => [e.endpoint, e]));
        for (const [name, n] of Object.entries(perEndpoint)) {
          const e = classes.get(name);
          if (e && n > e.remainingForSync) {
            return {
              ok: false, needed, window: 'day', resetsAt: s.day.resetsAt, retryAfterMs: s.day.resetsAt.getTime() - now, status: s,
              endpoint: { name, perDay: e.perDay - e.exportReserve, used: e.used, needed: n },
            };
          }
        }
      }
      return { ok: true, needed };
    },
  };
}

/**
 * When the weekly reconciliation's minimum (lib/quota.ts `reconcileCallEstimate`, and per endpoint class
 * `reconcileEndpointEstimate`) does not fit in the sync share of what is left: when it would fit again; null = it fits.
 */
export async function reconcileShortfall(guard: Pick<QuotaGuard, 'status' | 'endpointStatus'>, tenantId: string, provider: ProviderId): Promise<Date | null> {
  const needed = reconcileCallEstimate[provider];
  if (!needed) return null;
  const s = await guard.status(tenantId, provider);
  if (!s) return null;
  if (needed > s.day.remainingForSync) return s.day.resetsAt;
  if (needed > s.minute.remaining) return s.minute.resetsAt;
  const perEndpoint = reconcileEndpointEstimate[provider] ?? {};
  if (Object.keys(perEndpoint).length === 0) return null;
  const classes = new Map((await guard.endpointStatus(tenantId, provider)).map((e) => [e.endpoint, e]));
  for (const [name, n] of Object.entries(perEndpoint)) {
    const e = classes.get(name);
    if (e && n > e.remainingForSync) return s.day.resetsAt;
  }
  return null;
}
