import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../connectors/failures.js';
import { DEFAULT_ENDPOINT_LIMITS, startFakeOctopus, type FakeEndpoint, type FakeOctopus } from '../../fakes/octopus/server.js';
import { parseEnv } from '../../lib/env.js';
import { dayWindow, minuteWindow, octopusEndpoint, ProviderHold, quotaEndpoint, QuotaRefusal } from '../../lib/quota.js';
import { createQuotaGuard, type QuotaGuard } from '../../db/queries/quota.js';
import { syncWorkflow } from '../../workflows/index.js';
import { activate } from '../helpers/activation.js';
import { startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * The per-tenant quota guard (lib/quota.ts) on real Postgres, and a whole quota-limited day end to end: real
 * Temporal, the fake Octopus over HTTP counting every call it gets.
 */

/** A protobuf Timestamp (seconds as a Long) in milliseconds. */
const tsToMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);

const N = 40; // calls a day, in the fake and in our guard
const RESERVE_PERCENT = 40; // 16 calls only exports (and the admin's settings screen) may use

let stack: Stack;
let fake: FakeOctopus;

beforeAll(async () => {
  // The daily totals are what this file tests: the per-endpoint limits (products 2 a day, …) are set out of the way
  // here, and every sync downloads afresh; octopus-day.test.ts has a day within the real endpoint limits.
  const roomy = Object.fromEntries(Object.keys(DEFAULT_ENDPOINT_LIMITS).map((k) => [k, 10_000])) as Record<FakeEndpoint, number>;
  fake = await startFakeOctopus({ dailyQuotaPerUser: N, endpointLimits: roomy, seed: { relations: 30, products: 12, groups: 3 } });
  stack = await startStack('quota', {
    env: {
      OCTOPUS_BASE_URL: fake.url,
      QUOTA_OCTOPUS_PER_DAY: String(N),
      // The minute window has its own test below; here the day is what counts.
      QUOTA_OCTOPUS_PER_MINUTE: '1000',
      QUOTA_EXPORT_RESERVE_PERCENT: String(RESERVE_PERCENT),
      QUOTA_OCTOPUS_PRODUCTS_PER_DAY: '10000', QUOTA_OCTOPUS_PRODUCTGROUPS_PER_DAY: '10000', QUOTA_OCTOPUS_RELATIONS_PER_DAY: '10000',
      QUOTA_OCTOPUS_BOOKYEARS_PER_DAY: '10000', QUOTA_OCTOPUS_MODIFIED_PER_DAY: '10000',
      OCTOPUS_LISTING_REUSE: '0ms',
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('quota windows', () => {
  it('a day is the Europe/Amsterdam calendar day, 23 or 25 hours long around the clock changes', () => {
    expect(dayWindow(new Date('2026-11-23T12:00:00Z'))).toEqual({ start: new Date('2026-11-22T23:00:00Z'), end: new Date('2026-11-23T23:00:00Z') });
    // 22:30 UTC in summer is already the next day in Amsterdam.
    expect(dayWindow(new Date('2026-07-01T22:30:00Z')).start).toEqual(new Date('2026-07-01T22:00:00Z'));
    const spring = dayWindow(new Date('2026-03-29T12:00:00Z'));
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const autumn = dayWindow(new Date('2026-10-25T12:00:00Z'));
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
    expect(minuteWindow(new Date('2026-11-23T12:34:56.789Z'))).toEqual({ start: new Date('2026-11-23T12:34:00Z'), end: new Date('2026-11-23T12:35:00Z') });
  });
});

describe('quota guard on Postgres', () => {
  let clock = new Date('2026-11-23T10:00:30Z');
  const guardWith = (quota: Record<string, string>): QuotaGuard =>
    createQuotaGuard({ database: stack.database, env: parseEnv({ ...quota }), now: () => clock });
  const attempt = (guard: QuotaGuard, tenant: string, purpose: 'sync' | 'export' | 'interactive') =>
    guard.acquire(tenant, 'octopus', purpose).then(() => 'ok' as const, (e: unknown) => e as QuotaRefusal);

  it('a 429 with Retry-After holds back every call of that tenant, in every worker, until then; other tenants go on', async () => {
    const env = parseEnv({ QUOTA_OCTOPUS_PER_DAY: '1000', QUOTA_OCTOPUS_PER_MINUTE: '1000' });
    const workerA = createQuotaGuard({ database: stack.database, env });
    const workerB = createQuotaGuard({ database: stack.database, env });
    const tenant = uniqueTenant('q-hold');
    const other = uniqueTenant('q-free');
    await workerA.hold(tenant, 'octopus', 30_000);
    for (const guard of [workerA, workerB]) {
      const refused = await guard.acquire(tenant, 'octopus', 'export').then(() => null, (e: unknown) => e);
      expect(refused).toBeInstanceOf(ProviderHold);
      expect(refused).toMatchObject({ kind: 'rate-limited', retryable: true });
      expect((refused as ProviderHold).retryAfterMs).toBeGreaterThan(25_000);
      expect((refused as ProviderHold).retryAfterMs).toBeLessThanOrEqual(30_000);
    }
    await expect(workerB.acquire(other, 'octopus', 'export')).resolves.toBeUndefined();
    // A package without a stored quota is held in this worker only (no database call per request).
    await workerA.hold(tenant, 'visma-net', 30_000);
    await expect(workerA.acquire(tenant, 'visma-net', 'sync')).rejects.toBeInstanceOf(ProviderHold);
    await expect(workerB.acquire(tenant, 'visma-net', 'sync')).resolves.toBeUndefined();
  });

  it('counts concurrent calls atomically: with 20 a day, 50 at once give exactly 20', async () => {
    const guard = guardWith({ QUOTA_OCTOPUS_PER_DAY: '20', QUOTA_EXPORT_RESERVE_PERCENT: '0', QUOTA_OCTOPUS_PER_MINUTE: '1000' });
    const tenant = uniqueTenant('q-conc');
    const results = await Promise.all(Array.from({ length: 50 }, () => attempt(guard, tenant, 'sync')));
    expect(results.filter((r) => r === 'ok')).toHaveLength(20);
    expect(results.filter((r) => r instanceof QuotaRefusal)).toHaveLength(30);
    const [row] = await stack.database.sql`select calls from integration.api_usage where tenant_id = ${tenant} and "window" = 'day'`;
    expect(row.calls).toBe(20);
  });

  it('keeps the export reserve: syncs stop below the limit, exports go on to it, then wait until the day is over', async () => {
    const guard = guardWith({ QUOTA_OCTOPUS_PER_DAY: '10', QUOTA_EXPORT_RESERVE_PERCENT: '30', QUOTA_OCTOPUS_PER_MINUTE: '1000' });
    const tenant = uniqueTenant('q-res');
    for (let i = 0; i < 7; i++) expect(await attempt(guard, tenant, 'sync')).toBe('ok');
    const refused = await attempt(guard, tenant, 'sync');
    expect(refused).toBeInstanceOf(QuotaRefusal);
    const r = refused as QuotaRefusal;
    expect(r).toMatchObject({ kind: 'rate-limited', retryable: true, window: 'day', limit: 7 });
    // Midnight in Amsterdam is 23:00 UTC in November.
    expect(r.retryAfterMs).toBe(new Date('2026-11-23T23:00:00Z').getTime() - clock.getTime());
    expect(r.providerMessage).toBe('eigen limiet van 7 verzoeken per dag bereikt; weer mogelijk vanaf 24-11-2026 00:00');
    // Temporal waits through nextRetryDelay (not a sleep in the activity).
    const failure = toApplicationFailure(r);
    expect(failure).toMatchObject({ type: 'ProviderRateLimited', nonRetryable: false, nextRetryDelay: r.retryAfterMs });

    for (let i = 0; i < 3; i++) expect(await attempt(guard, tenant, 'export')).toBe('ok');
    expect(await attempt(guard, tenant, 'export')).toMatchObject({ window: 'day', limit: 10 });
    expect(await guard.status(tenant, 'octopus')).toMatchObject({
      perDay: 10, exportReserve: 3, day: { used: 10, remaining: 0, remainingForSync: 0, resetsAt: new Date('2026-11-23T23:00:00Z') },
    });

    // A new day starts from zero.
    clock = new Date('2026-11-23T23:00:01Z');
    expect(await attempt(guard, tenant, 'sync')).toBe('ok');
    expect((await guard.status(tenant, 'octopus'))!.day.used).toBe(1);
    clock = new Date('2026-11-23T10:00:30Z');
  });

  it('refuses the call over the per-minute limit until the minute is over, without charging the day', async () => {
    const guard = guardWith({ QUOTA_OCTOPUS_PER_DAY: '100', QUOTA_OCTOPUS_PER_MINUTE: '5' });
    const tenant = uniqueTenant('q-min');
    for (let i = 0; i < 5; i++) expect(await attempt(guard, tenant, 'export')).toBe('ok');
    const refused = (await attempt(guard, tenant, 'export')) as QuotaRefusal;
    expect(refused).toMatchObject({ window: 'minute', limit: 5, retryAfterMs: 30_000 });
    expect(await guard.status(tenant, 'octopus')).toMatchObject({ day: { used: 5 }, minute: { used: 5, remaining: 0 } });
    clock = new Date('2026-11-23T10:01:00Z');
    expect(await attempt(guard, tenant, 'export')).toBe('ok');
    clock = new Date('2026-11-23T10:00:30Z');
  });

  it('checks a sync now against what is left for syncs, and leaves other providers alone', async () => {
    const guard = guardWith({ QUOTA_OCTOPUS_PER_DAY: '20', QUOTA_EXPORT_RESERVE_PERCENT: '50', QUOTA_OCTOPUS_PER_MINUTE: '1000' });
    const tenant = uniqueTenant('q-now');
    expect(await guard.checkSyncNow(tenant, 'octopus', ['customers', 'articles'])).toEqual({ ok: true, needed: 7 });
    for (let i = 0; i < 4; i++) await guard.acquire(tenant, 'octopus', 'sync');
    const check = await guard.checkSyncNow(tenant, 'octopus', ['customers', 'articles']);
    expect(check).toMatchObject({ ok: false, needed: 7, window: 'day', status: { day: { used: 4, remainingForSync: 6 } } });
    expect(await guard.checkSyncNow(tenant, 'octopus', ['customers'])).toEqual({ ok: true, needed: 3 });

    await guard.acquire(tenant, 'factuursturen', 'sync');
    expect(await guard.status(tenant, 'factuursturen')).toBeNull();
    const rows = await stack.database.sql`select count(*)::int as n from integration.api_usage where tenant_id = ${tenant} and provider = 'factuursturen'`;
    expect(rows[0].n).toBe(0);
  });
});

describe('per-endpoint daily limits (Octopus)', () => {
  const clock = new Date('2026-11-23T10:00:30Z');
  const guardWith = (quota: Record<string, string>): QuotaGuard =>
    createQuotaGuard({ database: stack.database, env: parseEnv({ QUOTA_OCTOPUS_PER_DAY: '1000', QUOTA_OCTOPUS_PER_MINUTE: '1000', ...quota }), now: () => clock });
  const products = { method: 'GET', path: 'dossiers/101/products', query: {} };
  const attempt = (guard: QuotaGuard, tenant: string, purpose: 'sync' | 'export' | 'interactive', request: { method: string; path: string; query?: Record<string, unknown> }) =>
    guard.acquire(tenant, 'octopus', purpose, request).then(() => 'ok' as const, (e: unknown) => e as QuotaRefusal);

  it('names the endpoint class of every Octopus call from its method and path', () => {
    const cases: [string, string, Record<string, unknown>, string | null][] = [
      ['POST', 'authentication', {}, null],
      ['GET', 'dossiers', {}, 'dossiers'],
      ['POST', 'dossiers', { dossierId: '101' }, 'dossiers'],
      ['GET', 'dossiers/101/bookyears', {}, 'bookyears'],
      ['GET', 'dossiers/101/bookyears/2/journals', {}, 'bookyears'],
      ['GET', 'dossiers/101/relations', {}, 'relations'],
      ['GET', 'dossiers/101/relations', { relationId: '4' }, 'search'],
      ['GET', 'dossiers/101/relations/modified', { modifiedTimeStamp: 'x' }, 'relations-modified'],
      ['GET', 'dossiers/101/invoices/modified', {}, 'invoices-modified'],
      ['GET', 'dossiers/101/products', {}, 'products'],
      ['GET', 'dossiers/101/productgroups', {}, 'productgroups'],
      ['GET', 'dossiers/101/invoices', { documentSeqNr: 7 }, 'search'],
      ['POST', 'dossiers/101/invoices', {}, 'invoices'],
      ['GET', 'dossiers/101/vatcodes', {}, null],
    ];
    for (const [method, path, query, endpoint] of cases) expect([method, path, octopusEndpoint({ method, path, query })]).toEqual([method, path, endpoint]);
    expect(quotaEndpoint('rompslomp', products)).toBeNull();
  });

  it('refuses the third product listing of the day until midnight, in Dutch, without charging the totals; other endpoints go on', async () => {
    const guard = guardWith({});
    const tenant = uniqueTenant('q-ep');
    expect(await attempt(guard, tenant, 'sync', products)).toBe('ok');
    expect(await attempt(guard, tenant, 'interactive', products)).toBe('ok');
    const refused = await attempt(guard, tenant, 'export', products);
    expect(refused).toBeInstanceOf(QuotaRefusal);
    expect(refused).toMatchObject({ kind: 'rate-limited', retryable: true, window: 'day', endpoint: 'products', limit: 2 });
    expect((refused as QuotaRefusal).retryAfterMs).toBe(new Date('2026-11-23T23:00:00Z').getTime() - clock.getTime());
    expect((refused as QuotaRefusal).providerMessage).toBe('eigen limiet van 2 verzoeken per dag voor de artikellijst bereikt; weer mogelijk vanaf 24-11-2026 00:00');
    expect(await attempt(guard, tenant, 'sync', { method: 'GET', path: 'dossiers/101/productgroups' })).toBe('ok');
    expect((await guard.status(tenant, 'octopus'))!.day.used).toBe(3);
    expect((await guard.endpointStatus(tenant, 'octopus')).find((e) => e.endpoint === 'products')).toMatchObject({ perDay: 2, used: 2, remaining: 0 });
  });

  it('keeps the export reserve per endpoint class: syncs leave exports their share of a …/modified endpoint', async () => {
    const guard = guardWith({ QUOTA_OCTOPUS_MODIFIED_PER_DAY: '10', QUOTA_EXPORT_RESERVE_PERCENT: '30' });
    const tenant = uniqueTenant('q-ep-res');
    const modified = { method: 'GET', path: 'dossiers/101/invoices/modified' };
    for (let i = 0; i < 7; i++) expect(await attempt(guard, tenant, 'sync', modified)).toBe('ok');
    expect(await attempt(guard, tenant, 'sync', modified)).toMatchObject({ endpoint: 'invoices-modified', limit: 7 });
    for (let i = 0; i < 3; i++) expect(await attempt(guard, tenant, 'export', modified)).toBe('ok');
    expect(await attempt(guard, tenant, 'export', modified)).toMatchObject({ endpoint: 'invoices-modified', limit: 10 });
    // Each …/modified endpoint has its own count.
    expect(await attempt(guard, tenant, 'sync', { method: 'GET', path: 'dossiers/101/relations/modified' })).toBe('ok');
  });

  it('refuses an articles "Nu synchroniseren" up front when the day’s product listings are spent; customers still fit', async () => {
    const guard = guardWith({});
    const tenant = uniqueTenant('q-ep-now');
    expect(await guard.checkSyncNow(tenant, 'octopus', ['articles'])).toEqual({ ok: true, needed: 4 });
    await guard.acquire(tenant, 'octopus', 'sync', products);
    await guard.acquire(tenant, 'octopus', 'sync', products);
    const check = await guard.checkSyncNow(tenant, 'octopus', ['articles']);
    expect(check).toMatchObject({ ok: false, window: 'day', endpoint: { name: 'products', perDay: 2, used: 2, needed: 1 } });
    expect(check.ok ? 0 : check.retryAfterMs).toBe(new Date('2026-11-23T23:00:00Z').getTime() - clock.getTime());
    expect(await guard.checkSyncNow(tenant, 'octopus', ['customers'])).toEqual({ ok: true, needed: 3 });
  });
});

describe('a quota-limited day end to end', () => {
  const tenant = uniqueTenant('q-day');
  const base = `/v1/tenants/${tenant}`;
  const settings = {
    provider: 'octopus', termsAccepted: true, dossierId: '101', journal: 'V1', workTimeArticle: 'Werktijd', travelTimeArticle: 'Reistijd',
    defaultArticle: 'Voorrijkosten', excludeFilterWord: '', descriptionAsFirstLine: true, paymentReference: 'workOrderNumber', memo: 'none',
  };
  const guardCalls = async () => {
    const [row] = await stack.database.sql`select coalesce(sum(calls), 0)::int as n from integration.api_usage where tenant_id = ${tenant} and "window" = 'day'`;
    return row.n as number;
  };
  /** Sync now, with the Retry-After header the helper does not show. */
  async function press(): Promise<{ status: number; retryAfter: string | null; body: any }> {
    const res = await stack.app.request(`${base}/integration/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customers: true, articles: true }),
    });
    const body = (await res.json()) as any;
    if (res.status === 202) {
      for (const w of body.workflows) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
    }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
  }
  let exported = 0;
  async function exportOne(): Promise<void> {
    exported++;
    const [c] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and active order by number limit 1`;
    const id = `wo-q-${exported}`;
    const res = await stack.api('POST', `${base}/work-orders/${id}/archive`, {
      number: `Q-${exported}`, status: 'completed', customerId: c.id, workAddressId: null, description: 'Onderhoud', customerReference: null,
      assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [],
    }, tokens.backend);
    expect(res.status).toBe(202);
    const handle = stack.client.workflow.getHandle(`export/${tenant}/${id}`);
    const outcome = (await handle.result()) as { state: string; documentId: string };
    expect(outcome.state).toBe('sent');
    sentDocuments.push(outcome.documentId);
  }
  const sentDocuments: string[] = [];

  beforeAll(async () => {
    await activate(stack, { provider: 'octopus', tenant, baseSettings: settings });
    // Midnight: both counters start a new day.
    await stack.database.sql`delete from integration.api_usage where tenant_id = ${tenant}`;
    fake.resetUsage();
  });

  it(`the scheduled sync, three exports and five sync-now presses make at most ${N} calls; the press that would exceed it gets 429 and a log entry`, async () => {
    const schedule = stack.client.schedule.getHandle(`sync/${tenant}`);
    await schedule.trigger();
    let action: { workflow: { workflowId: string; firstExecutionRunId: string } } | undefined;
    while (!action) {
      action = (await schedule.describe()).info.recentActions.at(-1)?.action;
      if (!action) await new Promise((r) => setTimeout(r, 50));
    }
    await stack.client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId).result();

    const presses = [];
    presses.push(await press());
    await exportOne();
    presses.push(await press());
    await exportOne();
    presses.push(await press());
    presses.push(await press());
    await exportOne();
    presses.push(await press());

    expect(presses[0].status).toBe(202);
    const last = presses[4];
    expect(last.status).toBe(429);
    expect(Number(last.retryAfter)).toBeGreaterThan(0);
    expect(Number(last.retryAfter)).toBe(last.body.retryAfterSeconds);
    expect(last.body).toMatchObject({ error: 'quota_exceeded', needed: 7 });
    expect(last.body.remaining).toBeLessThan(7);
    for (const p of presses) expect([202, 429]).toContain(p.status);

    // Each refusal left a warning in the log, with what to do.
    const refusals = presses.filter((p) => p.status === 429).length;
    const logged = await stack.database.sql`
      select message, action from integration.log_entries where tenant_id = ${tenant} and severity = 'warning' and message like '''Nu synchroniseren'' niet gestart%'`;
    expect(logged).toHaveLength(refusals);
    expect(logged[0].message).toContain('het maximum aantal verzoeken aan Octopus voor vandaag is bijna bereikt');
    expect(logged[0].action).toMatch(/^Probeer het na \d\d-\d\d-\d{4} 00:00 opnieuw/);

    // What Octopus saw: never more than N calls today, never a 429 of its own, and every one of them counted by our guard.
    expect(fake.callsToday()).toBeLessThanOrEqual(N);
    expect(fake.state.refused.rateLimited).toBe(0);
    expect(await guardCalls()).toBe(fake.callsToday());
    const status = await stack.api('GET', `${base}/integration`, undefined, tokens.support);
    expect(status.body.quota).toMatchObject({ perDay: N, exportReserve: (N * RESERVE_PERCENT) / 100, day: { used: fake.callsToday() } });
    expect(new Set(sentDocuments).size).toBe(3);
  });

  it('a sync that runs into the guard waits for the next day through Temporal’s retry, while exports still use the reserve', async () => {
    // Syncs started directly (no sync-now check) until one is stopped by the guard.
    let waiting: { workflowId: string; runId: string } | null = null;
    for (let i = 0; i < 15 && !waiting; i++) {
      const handle = await stack.client.workflow.start(syncWorkflow, {
        workflowId: `sync/${tenant}/articles`, taskQueue: stack.taskQueue, args: [{ tenantId: tenant, provider: 'octopus', scope: 'articles' }],
      });
      for (;;) {
        const d = await handle.describe();
        if (d.status.name === 'COMPLETED') break;
        const pending = d.raw.pendingActivities?.[0];
        if (pending?.lastFailure?.applicationFailureInfo?.type === 'ProviderRateLimited') {
          // The next attempt is at midnight in Amsterdam: the wait is Temporal's, not a sleep inside the activity.
          const next = tsToMs(pending.nextAttemptScheduleTime);
          expect(Math.abs(next - dayWindow(new Date()).end.getTime())).toBeLessThan(5_000);
          expect(d.status.name).toBe('RUNNING');
          waiting = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(waiting).not.toBeNull();
    const [warning] = await stack.database.sql`
      select message, action from integration.log_entries where tenant_id = ${tenant} and message like 'Maximum aantal verzoeken aan Octopus voor vandaag bereikt: synchroniseren wacht tot%'`;
    expect(warning.action).toContain('Gearchiveerde werkbonnen gebruiken een eigen reserve');

    await exportOne();
    expect(fake.callsToday()).toBeLessThanOrEqual(N);
    expect(fake.state.refused.rateLimited).toBe(0);
    expect(await guardCalls()).toBe(fake.callsToday());
    await stack.client.workflow.getHandle(waiting!.workflowId, waiting!.runId).terminate('test done');
  });
});
