import { randomBytes } from 'node:crypto';
import { defineSearchAttributeKey } from '@temporalio/common';
import { syncWorkflow } from '../../workflows/index.js';
import { workflowIds } from '../../lib/runs.js';
import { CredentialSealer } from '../../lib/crypto.js';
import { settingsSchema } from '../../lib/settings.js';
import { saveSettingsVersion } from '../../db/queries/integration.js';
import { deleteTenantSchedules, stableOffsetSeconds, syncScheduleOptions } from '../../lib/schedules.js';
import { DEFAULT_FS_ACCOUNT } from '../../fakes/factuursturen/server.js';
import { cpuDelta, fsSettings, startPart, type Infra } from '../stack.js';
import { distribution, fmt, pool, round, sleep } from '../stats.js';
import type { PartResult, ReportRow as Row } from '../report.js';

export interface FleetSizes {
  /** Fleet sizes to run, one after another, each with a fresh worker. */
  tenants: number[];
  /** The schedules' interval in seconds (the product's is 300; BENCH_FLEET_INTERVAL_S shortens it). */
  intervalS: number;
  /** Intervals measured per fleet size (after the warm-up runs). */
  cycles: number;
}

const CADENCE_S = 300;
const LAG_GOAL_MS = 10_000;
const LAG_SAMPLE_MAX = 300;
/** Set by Temporal on every run a schedule starts: the time it was scheduled for. */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

interface FleetRun {
  tenants: number;
  runs: number;
  windowMs: number;
  workerUtilization: number;
  stackCores: number;
  workerMsPerRun: number;
  lag: ReturnType<typeof distribution>;
  lagSampled: number;
  /** Tenants one worker core carries at the product's 5-minute cadence, from this run's worker CPU. */
  tenantsPerCoreAt5Min: number;
}

/**
 * `npm run bench -- fleet`: N tenants (small data, the fake FactuurSturen) on their real Temporal schedules (the
 * product's syncScheduleOptions, at the interval of BENCH_FLEET_INTERVAL_S and without jitter) on one worker process.
 * Tenants are seeded straight into Postgres (integration, sealed credentials, settings version) and each synced twice
 * by the bench (the import, then the run that keeps the listings' fingerprints), so the window measures the steady
 * state: idle scheduled runs. Over `cycles` intervals: worker CPU / wall time (one core = 100 %), the whole stack's
 * CPU, and per run the schedule lag = the run's first activity start − its scheduled time (Temporal's
 * TemporalScheduledStartTime) taken as the start of the run's first workflow task on the worker, from the histories of up to 300 runs.
 */
export async function fleetBench(infra: Infra, sizes: FleetSizes, log: (m: string) => void): Promise<PartResult> {
  const runs: FleetRun[] = [];
  for (const n of sizes.tenants) runs.push(await fleetRun(infra, n, sizes, log));

  const scale = CADENCE_S / sizes.intervalS;
  const kept = runs.filter((r) => r.lag.p95 <= LAG_GOAL_MS && r.workerUtilization < 1);
  const largestKept = kept.length ? Math.max(...kept.map((r) => r.tenants)) : 0;
  // Per-core capacity from the busiest run that still kept its lag: N / utilization (at the 5-minute cadence).
  const best = kept.sort((a, b) => b.tenants - a.tenants)[0];
  const projected = best ? best.tenantsPerCoreAt5Min : 0;
  const rows: Row[] = [];
  for (const r of runs) {
    rows.push(
      { figure: `fleet of ${r.tenants} tenants, ${r.runs} scheduled runs in ${fmt(r.windowMs / 1000, 0)} s`, value: `worker CPU ${fmt(r.workerUtilization * 100, 1)} % of a core · ${fmt(r.workerMsPerRun, 1)} ms per run`, goal: '' },
      { figure: '  whole stack CPU', value: Number.isFinite(r.stackCores) ? `${fmt(r.stackCores * 100, 1)} % of a core` : 'n/a (Temporal or Postgres not started by the bench)', goal: '' },
      { figure: `  schedule lag (worker start − scheduled, n=${r.lagSampled})`, value: `p50 ${fmt(r.lag.p50, 0)} ms · p95 ${fmt(r.lag.p95, 0)} ms · max ${fmt(r.lag.max, 0)} ms`, goal: `p95 ≤ 10 s ${r.lag.p95 <= LAG_GOAL_MS ? '✓' : '✗'}` },
      { figure: '  tenants per worker core at a 5-minute cadence', value: fmt(r.tenantsPerCoreAt5Min, 0), goal: `≥ 10,000 ${r.tenantsPerCoreAt5Min >= 10_000 ? '✓' : '✗'}` },
    );
  }
  rows.push({
    figure: 'largest fleet measured on one worker with p95 lag ≤ 10 s',
    value: largestKept ? `${largestKept} tenants (at a ${sizes.intervalS} s interval = ${fmt(largestKept * scale, 0)} at 5 minutes); one core ≈ ${fmt(projected, 0)} by its CPU` : 'none',
    goal: '',
  });
  return {
    part: 'fleet',
    rows,
    notes: [
      `Interval ${sizes.intervalS} s${sizes.intervalS === CADENCE_S ? ' (the product\'s)' : ` instead of the product's 300 s (BENCH_FLEET_INTERVAL_S): the load per tenant is ×${fmt(scale, 1)}, so N tenants here stand for ${fmt(scale, 1)}·N at 5 minutes; the per-core figures are scaled to 5 minutes`}; no jitter (the product's 30 s would count as lag). Lag = the start of the run's first workflow task on the worker − TemporalScheduledStartTime.`,
    ],
    json: {
      intervalS: sizes.intervalS,
      cycles: sizes.cycles,
      runs: runs.map((r) => ({
        tenants: r.tenants, runs: r.runs, windowMs: Math.round(r.windowMs), workerUtilization: round(r.workerUtilization, 4),
        stackCores: Number.isFinite(r.stackCores) ? round(r.stackCores, 4) : null, workerCpuMsPerRun: round(r.workerMsPerRun, 2),
        lagMs: { n: r.lagSampled, p50: round(r.lag.p50), p95: round(r.lag.p95), max: round(r.lag.max) }, tenantsPerCoreAt5Min: Math.round(r.tenantsPerCoreAt5Min),
      })),
      largestTenantsKeptAtInterval: largestKept,
      largestTenantsKeptAt5Min: Math.round(largestKept * scale),
      tenantsPerWorkerCoreAt5Min: Math.round(projected),
      goalLagP95Ms: LAG_GOAL_MS,
    },
  };
}

async function fleetRun(infra: Infra, n: number, sizes: FleetSizes, log: (m: string) => void): Promise<FleetRun> {
  const part = await startPart(infra, `fleet${n}`, { groups: 2, products: 20, clients: 50 });
  const prefix = `bench-fleet-${randomBytes(3).toString('hex')}`;
  const tenants = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  try {
    const worker = part.worker!;
    const { sql } = part.database;
    log(`  fleet of ${n}: seeding tenants…`);
    const sealed = new CredentialSealer(part.env.CREDENTIALS_KEY).seal({ username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey });
    await sql`insert into integration.integrations (tenant_id, provider, status, activations, started_at) select unnest(${tenants}::text[]), 'factuursturen', 'active', 1, now()`;
    await sql`insert into integration.credentials (tenant_id, provider, sealed, label) select unnest(${tenants}::text[]), 'factuursturen', ${sealed}, ${DEFAULT_FS_ACCOUNT.username}`;
    const settings = settingsSchema.parse(fsSettings);
    await pool(tenants, 10, (t) => saveSettingsVersion(part.database, t, settings, 'bench', `bench-${t}`));
    // The import, then the run that keeps the fingerprints: what follows are idle runs, as in a settled fleet.
    for (let pass = 0; pass < 2; pass++) {
      await pool(tenants, 10, (t) => part.client.workflow.execute(syncWorkflow, {
        workflowId: `${workflowIds.scheduledSync(t)}-warmup-${pass}`, taskQueue: part.taskQueue, args: [{ tenantId: t, provider: 'factuursturen', scope: 'all' }],
      }));
    }
    log(`  fleet of ${n}: creating schedules (every ${sizes.intervalS} s)…`);
    await pool(tenants, 10, (t) => {
      const options = syncScheduleOptions({ tenantId: t, provider: 'factuursturen', taskQueue: part.taskQueue });
      options.spec = { intervals: [{ every: `${sizes.intervalS} seconds`, offset: `${stableOffsetSeconds(t, sizes.intervalS)} seconds` }] };
      return part.client.schedule.create(options);
    });
    // The window starts at an interval boundary's worth of settling: one interval for every schedule to have fired once.
    await sleep(sizes.intervalS * 1000);
    const windowStart = Date.now();
    const s0 = await infra.cpu(worker);
    await sleep(sizes.cycles * sizes.intervalS * 1000);
    const s1 = await infra.cpu(worker);
    const windowMs = Date.now() - windowStart;
    const d = cpuDelta(s0, s1);

    // The runs scheduled inside the window, from visibility; the lag from their histories.
    const scheduled: { workflowId: string; runId: string; at: number }[] = [];
    const query = `TaskQueue = '${part.taskQueue}' AND WorkflowType = 'syncWorkflow'`;
    for await (const wf of part.client.workflow.list({ query })) {
      const at = wf.typedSearchAttributes.get(scheduledStartTime)?.getTime() ?? Number.NaN;
      if (Number.isFinite(at) && at >= windowStart && at < windowStart + windowMs) scheduled.push({ workflowId: wf.workflowId, runId: wf.runId, at });
    }
    const sample = scheduled.length > LAG_SAMPLE_MAX ? scheduled.filter((_, i) => i % Math.ceil(scheduled.length / LAG_SAMPLE_MAX) === 0) : scheduled;
    const lags = await pool(sample, 10, async (s) => {
      const history = await part.client.workflow.getHandle(s.workflowId, s.runId).fetchHistory();
      // The worker took up the run: its first workflow task started.
      const started = history.events?.find((e) => e.workflowTaskStartedEventAttributes);
      const t = started?.eventTime;
      const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : Number.NaN;
      return ms - s.at;
    });
    const lag = distribution(lags.filter((x) => Number.isFinite(x)));
    const workerUtilization = d.worker / windowMs;
    const perTenantLoadScale = CADENCE_S / sizes.intervalS;
    return {
      tenants: n,
      runs: scheduled.length,
      windowMs,
      workerUtilization,
      stackCores: d.total / windowMs,
      workerMsPerRun: d.worker / Math.max(1, scheduled.length),
      lag,
      lagSampled: sample.length,
      tenantsPerCoreAt5Min: workerUtilization > 0 ? (n * perTenantLoadScale) / workerUtilization : Number.POSITIVE_INFINITY,
    };
  } finally {
    await pool(tenants, 10, (t) => deleteTenantSchedules(part.client, t).catch(() => {}));
    await part.stop();
  }
}
