import type { Sql } from '../client.js';

/**
 * Per-tenant API call counters (integration.api_usage) for the quota guard (lib/quota.ts). One row per tenant,
 * provider, window kind and window start; a call is counted by an upsert that only increments while the count is
 * below the limit, so concurrent workers never go over it and a refused call is not counted.
 */

export type UsageWindowKind = 'day' | 'minute';

export interface UsageWindow {
  window: UsageWindowKind;
  start: Date;
  /** The call is refused when this window already holds `limit` calls. */
  limit: number;
}

export type ConsumeResult =
  | { ok: true; used: Partial<Record<UsageWindowKind, number>> }
  | { ok: false; window: UsageWindowKind; used: number };

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
export async function consumeCall(sql: Sql, tenantId: string, provider: string, windows: UsageWindow[]): Promise<ConsumeResult> {
  try {
    return await sql.begin(async (tx) => {
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
    throw err;
  }
}

/** Calls counted so far in the given windows (0 for a window without a row). */
export async function readUsage(
  sql: Sql,
  tenantId: string,
  provider: string,
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
