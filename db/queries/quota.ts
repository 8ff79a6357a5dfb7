import type { Database, Sql } from '../client.js';
import type { Env } from '../../lib/env.js';
import type { ProviderId, SyncScope } from '../../lib/providers.js';
import {
  ProviderHold, QuotaRefusal, dayWindow, estimateSyncCalls, minuteWindow, quotaLimits, type QuotaLimits, type QuotaPurpose, type UsageWindowKind,
} from '../../lib/quota.js';

export type { UsageWindowKind } from '../../lib/quota.js';

/**
 * Per-tenant API call counters (integration.api_usage) and the quota guard built on them (rules in lib/quota.ts). One row per tenant,
 * provider, window kind and window start; a call is counted by an upsert that only increments while the count is
 * below the limit, so concurrent workers never go over it and a refused call is not counted.
 */


export interface UsageWindow {
  window: UsageWindowKind;
  start: Date;
  /** The call is refused when this window already holds `limit` calls. */
  limit: number;
}

export type ConsumeResult =
  | { ok: true; used: Partial<Record<UsageWindowKind, number>> }
  | { ok: false; window: UsageWindowKind; used: number }
  /** The package said to wait (a 429 of another call of this tenant): nothing goes out before `until`. */
  | { ok: false; window: 'hold'; until: Date };

class Refused extends Error {
  constructor(readonly window: UsageWindowKind, readonly used: number) {
    super('quota window full');
  }
}

/** Minute rows older than this are pruned when a tenant's first call of a day creates its day row. */
const KEEP_MINUTE_ROWS_MS = 60 * 60_000;
/** Day rows are kept a while for support ("how many calls did this tenant make last week?"). */
const KEEP_DAY_ROWS_MS = 40 * 24 * 60 * 60_000;

/**
 * Counts one call in every window, all or nothing: when one window is full the transaction rolls back, so the
 * other windows are not charged either.
 */
export async function consumeCall(sql: Sql, tenantId: string, provider: ProviderId, windows: UsageWindow[]): Promise<ConsumeResult> {
  try {
    return await sql.begin(async (tx) => {
      const [held] = await tx<{ until: Date }[]>`
        select until from integration.rate_limit_holds where tenant_id = ${tenantId} and provider = ${provider} and until > now()`;
      if (held) throw new Held(held.until);
      const used: Partial<Record<UsageWindowKind, number>> = {};
      for (const w of windows) {
        if (w.limit <= 0) throw new Refused(w.window, 0);
        const rows = await tx<{ calls: number; inserted: boolean }[]>`
          insert into integration.api_usage as u (tenant_id, provider, "window", window_start, calls)
          values (${tenantId}, ${provider}, ${w.window}, ${w.start}, 1)
          on conflict (tenant_id, provider, "window", window_start) do update set calls = u.calls + 1
            where u.calls < ${w.limit}
          returning u.calls, (xmax = 0) as inserted`;
        const row = rows[0];
        if (!row) {
          const [current] = await tx<{ calls: number }[]>`
            select calls from integration.api_usage
            where tenant_id = ${tenantId} and provider = ${provider} and "window" = ${w.window} and window_start = ${w.start}`;
          throw new Refused(w.window, current?.calls ?? w.limit);
        }
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
      return { ok: true as const, used };
    });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, window: err.window, used: err.used };
    if (err instanceof Held) return { ok: false, window: 'hold', until: err.until };
    throw err;
  }
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

export type SyncNowCheck =
  | { ok: true; needed: number }
  | { ok: false; needed: number; window: UsageWindowKind; retryAfterMs: number; resetsAt: Date; status: QuotaStatus };

export interface QuotaGuard {
  limits(provider: ProviderId): QuotaLimits | null;
  /** Counts one call, or throws a QuotaRefusal (retryable 'rate-limited') without counting it. */
  acquire(tenantId: string, provider: ProviderId, purpose: QuotaPurpose): Promise<void>;
  /**
   * The package answered 429 with a wait: every call of this tenant waits until then, in every worker for the
   * API-limited packages (the hold is stored), in this worker for the others.
   */
  hold(tenantId: string, provider: ProviderId, retryAfterMs: number): Promise<void>;
  /** What is used and left now; null for providers without a quota. */
  status(tenantId: string, provider: ProviderId): Promise<QuotaStatus | null>;
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

  return {
    limits,
    status,

    async hold(tenantId, provider, retryAfterMs) {
      const until = new Date(clock().getTime() + Math.min(retryAfterMs, MAX_HOLD_MS));
      const key = `${tenantId}/${provider}`;
      if ((localHolds.get(key) ?? 0) < until.getTime()) localHolds.set(key, until.getTime());
      if (limits(provider)) await holdCalls(database.sql, tenantId, provider, until);
    },

    async acquire(tenantId, provider, purpose) {
      const now = clock();
      const localUntil = localHolds.get(`${tenantId}/${provider}`);
      if (localUntil !== undefined && localUntil > now.getTime()) throw new ProviderHold({ provider, until: new Date(localUntil), now });
      const l = limits(provider);
      if (!l) return;
      const day = dayWindow(now);
      const minute = minuteWindow(now);
      const dayLimit = purpose === 'sync' ? l.perDay - l.exportReserve : l.perDay;
      const result = await consumeCall(database.sql, tenantId, provider, [
        { window: 'day', start: day.start, limit: dayLimit },
        { window: 'minute', start: minute.start, limit: l.perMinute },
      ]);
      if (result.ok) return;
      if (result.window === 'hold') throw new ProviderHold({ provider, until: result.until, now });
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
      return { ok: true, needed };
    },
  };
}
