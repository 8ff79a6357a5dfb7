import type { Sql } from '../client.js';
import type { ExportState } from '../schema.js';
import type { ProviderId } from '../../lib/providers.js';

/**
 * What `/metrics` reports from Postgres at scrape time (docs/metrics.md). Every figure is per provider (never per
 * tenant, so the number of series stays fixed); all of it is read in one round trip of four small aggregates.
 */
export interface MetricsSnapshot {
  exports: { provider: ProviderId; state: ExportState; count: number }[];
  /** Archive → sent of the exports sent in the last `latencyWindowSeconds`, in seconds. */
  exportLatency: { provider: ProviderId; sent: number; p50: number; p90: number; p99: number; max: number }[];
  /** The longest time since a successful sync among the provider's active tenants, per entity. */
  syncLag: { provider: ProviderId; entity: string; seconds: number; tenants: number }[];
  /** Calls counted by the quota guard in today's window (Europe/Amsterdam), summed and for the busiest tenant. */
  quota: { provider: ProviderId; calls: number; maxTenantCalls: number }[];
}

export async function readMetricsSnapshot(sql: Sql, opts: { latencyWindowSeconds: number; dayStart: Date }): Promise<MetricsSnapshot> {
  const [exports, exportLatency, syncLag, quota] = await Promise.all([
    sql<MetricsSnapshot['exports']>`
      select provider, state, count(*)::int as count
      from integration.document_exports group by provider, state order by provider, state`,
    sql<MetricsSnapshot['exportLatency']>`
      with recent as (
        select provider, extract(epoch from (sent_at - archived_at))::float8 as seconds
        from integration.document_exports
        where state = 'sent' and sent_at > now() - make_interval(secs => ${opts.latencyWindowSeconds}))
      select provider, count(*)::int as sent,
        percentile_cont(0.5) within group (order by seconds) as p50,
        percentile_cont(0.9) within group (order by seconds) as p90,
        percentile_cont(0.99) within group (order by seconds) as p99,
        max(seconds) as max
      from recent group by provider order by provider`,
    sql<MetricsSnapshot['syncLag']>`
      select i.provider, s.entity,
        max(extract(epoch from (now() - s.last_success_at)))::float8 as seconds, count(*)::int as tenants
      from integration.sync_state s join integration.integrations i using (tenant_id)
      where i.status = 'active' and s.last_success_at is not null
      group by i.provider, s.entity order by i.provider, s.entity`,
    sql<MetricsSnapshot['quota']>`
      select provider, sum(calls)::int as calls, max(calls)::int as "maxTenantCalls"
      from integration.api_usage where "window" = 'day' and window_start = ${opts.dayStart}
      group by provider order by provider`,
  ]);
  return { exports, exportLatency, syncLag, quota };
}
