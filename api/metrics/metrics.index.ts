import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { readMetricsSnapshot } from '../../db/queries/metrics.js';
import { exportStates } from '../../db/schema.js';
import type { Env } from '../../lib/env.js';
import { providerIds } from '../../lib/providers.js';
import { dayWindow, quotaLimits } from '../../lib/quota.js';
import { unauthorized } from '../errors.js';
import { createRouter } from '../router.js';
import type { AppBindings, AppDeps } from '../types.js';

/**
 * `GET /metrics` (Prometheus text, prom-client), mounted at the root by createApp like the codec: the product's
 * figures read from Postgres at scrape time, plus this process's own Node metrics. Names and meaning: docs/metrics.md.
 * The worker's Temporal SDK metrics (activity failures, task latencies) are served by the worker itself
 * (WORKER_METRICS_ADDRESS).
 */

/** Export latency is taken over the exports sent in this last stretch of time. */
export const exportLatencyWindowSeconds = 3600;
const latencyQuantiles = [['0.5', 'p50'], ['0.9', 'p90'], ['0.99', 'p99'], ['1', 'max']] as const;

interface ProductMetrics {
  registry: Registry;
  refresh(deps: AppDeps): Promise<void>;
  /** A scrape in progress; a second scrape meanwhile gets the same answer instead of resetting the gauges under it. */
  scraping?: Promise<string>;
}

function createProductMetrics(env: Env): ProductMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const exportsByState = new Gauge({ name: 'simon_exports', help: 'Document exports (integration.document_exports) by provider and state', labelNames: ['provider', 'state'], registers });
  const latency = new Gauge({
    name: 'simon_export_latency_seconds',
    help: `Archive to sent of the exports sent in the last ${exportLatencyWindowSeconds} s, by provider; quantile 1 is the slowest`,
    labelNames: ['provider', 'quantile'],
    registers,
  });
  const sentInWindow = new Gauge({ name: 'simon_exports_sent_in_window', help: `Exports sent in the last ${exportLatencyWindowSeconds} s (the latency window), by provider`, labelNames: ['provider'], registers });
  const syncLag = new Gauge({
    name: 'simon_sync_lag_seconds',
    help: 'Now minus the last successful sync, for the longest-waiting active tenant, by provider and entity',
    labelNames: ['provider', 'entity'],
    registers,
  });
  const syncTenants = new Gauge({ name: 'simon_sync_tenants', help: 'Active tenants with a successful sync, by provider and entity', labelNames: ['provider', 'entity'], registers });
  const quotaCalls = new Gauge({ name: 'simon_quota_calls_today', help: "Provider calls counted by the quota guard today (Europe/Amsterdam), all tenants, by provider", labelNames: ['provider'], registers });
  const quotaLimit = new Gauge({ name: 'simon_quota_limit_per_day', help: 'Calls a tenant may make per day (QUOTA_*_PER_DAY), by provider', labelNames: ['provider'], registers });
  const quotaUse = new Gauge({ name: 'simon_quota_use_ratio', help: "The busiest tenant's calls today over its daily limit, by provider (1 = the quota is used up)", labelNames: ['provider'], registers });

  const guarded = providerIds.flatMap((provider) => {
    const limits = quotaLimits(env, provider);
    return limits ? [{ provider, perDay: limits.perDay }] : [];
  });

  return {
    registry,
    async refresh({ database }) {
      const snapshot = await readMetricsSnapshot(database.sql, { latencyWindowSeconds: exportLatencyWindowSeconds, dayStart: dayWindow(new Date()).start });
      for (const metric of [exportsByState, latency, sentInWindow, syncLag, syncTenants, quotaCalls, quotaLimit, quotaUse]) metric.reset();
      // Every provider × state is present (0 when empty), so an alert on a series never misses one that has no rows yet.
      for (const provider of providerIds) for (const state of exportStates) exportsByState.set({ provider, state }, 0);
      for (const row of snapshot.exports) exportsByState.set({ provider: row.provider, state: row.state }, row.count);
      for (const provider of providerIds) sentInWindow.set({ provider }, 0);
      for (const row of snapshot.exportLatency) {
        sentInWindow.set({ provider: row.provider }, row.sent);
        for (const [quantile, key] of latencyQuantiles) latency.set({ provider: row.provider, quantile }, row[key]);
      }
      for (const row of snapshot.syncLag) {
        syncLag.set({ provider: row.provider, entity: row.entity }, row.seconds);
        syncTenants.set({ provider: row.provider, entity: row.entity }, row.tenants);
      }
      for (const { provider, perDay } of guarded) {
        const row = snapshot.quota.find((q) => q.provider === provider);
        quotaLimit.set({ provider }, perDay);
        quotaCalls.set({ provider }, row?.calls ?? 0);
        quotaUse.set({ provider }, (row?.maxTenantCalls ?? 0) / perDay);
      }
    },
  };
}

/** One registry per app (tests build many apps; prom-client's global registry would refuse the second). */
const metricsByDeps = new WeakMap<AppDeps, ProductMetrics>();

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** With METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>` gets the metrics (compared in constant time). */
function metricsAccess(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const expected = c.get('deps').env.METRICS_TOKEN;
    if (expected) {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
      if (!match || !timingSafeEqual(digest(match[1]), digest(expected))) throw unauthorized();
    }
    await next();
  };
}

const router = createRouter();
router.get('/metrics', metricsAccess(), async (c) => {
  const deps = c.get('deps');
  let metrics = metricsByDeps.get(deps);
  if (!metrics) {
    metrics = createProductMetrics(deps.env);
    metricsByDeps.set(deps, metrics);
  }
  const current = metrics;
  current.scraping ??= current.refresh(deps).then(() => current.registry.metrics()).finally(() => (current.scraping = undefined));
  return c.body(await current.scraping, 200, { 'content-type': current.registry.contentType });
});

export default router;
