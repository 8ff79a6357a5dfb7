import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { consumeCall } from '../../db/queries/quota.js';
import { parseEnv } from '../../lib/env.js';
import { dayWindow } from '../../lib/quota.js';
import { activate, completedWorkOrder, exportState } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * `GET /metrics` of the API (docs/metrics.md): Prometheus text with the product's figures read from Postgres,
 * after a real activation (sync state) and a real export through the worker and the fake FactuurSturen.
 */

const metricsToken = 'metrics-test-token-0123456789';
const tenant = uniqueTenant('metrics');
const octopusTenant = uniqueTenant('metrics-octo');
let stack: Stack;

/** `name{labels} value` lines of the exposition format, keyed by `name{labels}` as Prometheus prints them. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(token: string | null = metricsToken) {
  const res = await stack.app.request('/metrics', { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

beforeAll(async () => {
  stack = await startStack('metrics', { env: { METRICS_TOKEN: metricsToken } });
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: 10 });
  await activate(stack, { provider: 'factuursturen', tenant });
  const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-m1/archive`, await completedWorkOrder(stack, tenant, 'WB-M1'), tokens.backend);
  expect(archived.status).toBe(202);
  await eventually(async () => (await exportState(stack, tenant, 'wo-m1')).state === 'sent', 60_000, 50);
  // Three calls the quota guard counted for an Octopus tenant today (the same function every guarded provider call goes through).
  const day = dayWindow(new Date());
  for (let i = 0; i < 3; i++) {
    const counted = await consumeCall(stack.database.sql, octopusTenant, 'octopus', [{ window: 'day', start: day.start, limit: stack.env.QUOTA_OCTOPUS_PER_DAY }]);
    expect(counted.ok).toBe(true);
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('GET /metrics', () => {
  it('answers Prometheus text with exports, export latency, sync lag and quota use from the database', async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = samples(res.text);

    // Exports by provider and state: the one sent export, and zeros for every other provider and state.
    expect(m.get('simon_exports{provider="factuursturen",state="sent"}')).toBe(1);
    expect(m.get('simon_exports{provider="factuursturen",state="pending"}')).toBe(0);
    expect(m.get('simon_exports{provider="octopus",state="failed"}')).toBe(0);

    // Archive → sent of that export, in seconds.
    expect(m.get('simon_exports_sent_in_window{provider="factuursturen"}')).toBe(1);
    const p50 = m.get('simon_export_latency_seconds{provider="factuursturen",quantile="0.5"}')!;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThan(60);
    expect(m.get('simon_export_latency_seconds{provider="factuursturen",quantile="1"}')).toBeGreaterThanOrEqual(p50);

    // Sync lag of the activated tenant's entities: its initial import just succeeded.
    for (const entity of ['article_groups', 'articles', 'customers']) {
      const lag = m.get(`simon_sync_lag_seconds{provider="factuursturen",entity="${entity}"}`);
      expect(lag, entity).toBeGreaterThanOrEqual(0);
      expect(lag, entity).toBeLessThan(600);
      expect(m.get(`simon_sync_tenants{provider="factuursturen",entity="${entity}"}`)).toBe(1);
    }

    // Quota use of the guarded providers.
    const perDay = stack.env.QUOTA_OCTOPUS_PER_DAY;
    expect(m.get('simon_quota_calls_today{provider="octopus"}')).toBe(3);
    expect(m.get('simon_quota_limit_per_day{provider="octopus"}')).toBe(perDay);
    expect(m.get('simon_quota_use_ratio{provider="octopus"}')).toBeCloseTo(3 / perDay, 10);
    expect(m.get('simon_quota_calls_today{provider="rompslomp"}')).toBe(0);

    // The process's own metrics (prom-client's defaults).
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const name of ['simon_exports', 'simon_export_latency_seconds', 'simon_sync_lag_seconds', 'simon_quota_use_ratio']) {
      expect(res.text).toContain(`# TYPE ${name} gauge`);
    }
  });

  it('refuses a wrong or missing METRICS_TOKEN with 401, and shows no figures', async () => {
    for (const token of ['wrong-token-0123456789', tokens.admin, null]) {
      const res = await scrape(token);
      expect(res.status, String(token)).toBe(401);
      expect(res.text).not.toContain('simon_exports');
      expect(JSON.parse(res.text)).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('is open when no METRICS_TOKEN is configured', async () => {
    const open = createApp({ database: stack.database, env: parseEnv({ LOG_LEVEL: 'silent' }) });
    const res = await open.request('/metrics');
    expect(res.status).toBe(200);
    expect(samples(await res.text()).get('simon_exports{provider="factuursturen",state="sent"}')).toBe(1);
  });
});
