import { scheduledSyncWorkflow } from '../../workflows/index.js';
import { workflowIds } from '../../workflows/meta.js';
import { startPart, type Infra } from '../stack.js';
import { distribution, fmt, machineCpuMs, round, sleep } from '../stats.js';
import type { PartResult } from '../report.js';

export interface IdleSizes {
  customers: number;
  articles: number;
  syncs: number;
}

const CADENCE_MS = 5 * 60 * 1000;

/**
 * §13 cost of one idle incremental sync. A tenant with `customers` customers and `articles` articles is activated
 * and imported; then `syncs` runs of the schedule's own workflow (`scheduledSyncWorkflow`: both scopes as child
 * workflows) are started one after another with the workflow client, nothing having changed in the fake.
 * Worker CPU = process.cpuUsage() of the worker process (user + system) around all runs, divided by the count.
 * "net" subtracts what the same worker burns idle (long polls, timers) over as long a quiet window.
 * Machine CPU (/proc/stat) adds what Temporal, Postgres, the fake and the bench spent on the same runs.
 * Tenants per worker core at a 5-minute cadence = 300,000 ms / net worker CPU ms per sync.
 */
export async function idleSyncBench(infra: Infra, sizes: IdleSizes): Promise<PartResult> {
  const part = await startPart(infra, 'idle', { groups: 3, products: sizes.articles, clients: sizes.customers });
  try {
    const tenant = 'bench-idle';
    const worker = part.worker!;
    const { importWorkflowIds } = await part.activate(tenant);
    await part.awaitImport(importWorkflowIds);

    const runOnce = () =>
      part.client.workflow.execute(scheduledSyncWorkflow, {
        workflowId: workflowIds.scheduledSync(tenant),
        taskQueue: part.taskQueue,
        args: [{ tenantId: tenant, provider: 'factuursturen' }],
      });
    for (let i = 0; i < 3; i++) await runOnce(); // warm-up: JIT, workflow isolate, connection pools

    const { sql } = part.database;
    const snapshot = async () => (await sql`
      select (select count(*) from integration.log_entries where tenant_id = ${tenant})::int as logs,
             (select max(updated_at) from simon.customers where tenant_id = ${tenant})::text as customers,
             (select max(updated_at) from simon.articles where tenant_id = ${tenant})::text as articles`)[0]!;
    const before = await snapshot();
    const requestsBefore = part.fake.state.requestCount;

    const wall: number[] = [];
    const cpu0 = await worker.cpuMs();
    const machine0 = machineCpuMs();
    const started = performance.now();
    for (let i = 0; i < sizes.syncs; i++) {
      const t = performance.now();
      const r = await runOnce();
      if (r.ran.length !== 2) throw new Error(`idle sync ran ${r.ran.join(',')}; already running: ${r.alreadyRunning.join(',')}`);
      wall.push(performance.now() - t);
    }
    const elapsed = performance.now() - started;
    const cpu1 = await worker.cpuMs();
    const machine1 = machineCpuMs();
    const requests = part.fake.state.requestCount - requestsBefore;
    const after = await snapshot();
    const unchanged = JSON.stringify(before) === JSON.stringify(after);

    // The same worker, doing nothing, for as long.
    const idle0 = await worker.cpuMs();
    const machineIdle0 = machineCpuMs();
    await sleep(elapsed);
    const idleCpu = (await worker.cpuMs()) - idle0;
    const machineIdle = machineCpuMs() - machineIdle0;

    const grossPerSync = (cpu1 - cpu0) / sizes.syncs;
    const netPerSync = Math.max(0.001, (cpu1 - cpu0 - idleCpu) / sizes.syncs);
    const machinePerSync = (machine1 - machine0 - machineIdle) / sizes.syncs;
    const tenantsPerCore = CADENCE_MS / netPerSync;
    const tenantsPerMachineCore = CADENCE_MS / machinePerSync;
    const w = distribution(wall);
    return {
      part: 'idle',
      rows: [
        {
          figure: `idle sync, ${sizes.customers.toLocaleString('en-US')} customers + ${sizes.articles} articles (n=${sizes.syncs})`,
          value: `worker CPU ${fmt(netPerSync, 1)} ms/sync net (${fmt(grossPerSync, 1)} gross) · wall p50 ${fmt(w.p50, 0)} ms`,
          goal: '',
        },
        {
          figure: '  tenants per worker core at a 5-minute cadence',
          value: fmt(tenantsPerCore, 0),
          goal: `≥ 10,000 ${tenantsPerCore >= 10_000 ? '✓' : '✗'}`,
        },
        {
          figure: '  whole machine CPU per sync (worker + Temporal + Postgres + fake)',
          value: `${fmt(machinePerSync, 1)} ms → ${fmt(tenantsPerMachineCore, 0)} tenants per core for the whole stack`,
          goal: '',
        },
      ],
      notes: [
        `FactuurSturen has no change tracking: every idle sync lists all ${sizes.customers} clients, ${sizes.articles} products and the categories again (${fmt(requests / sizes.syncs, 1)} provider calls per sync) and compares them in Postgres; ${unchanged ? 'no row and no log entry was written' : 'ROWS CHANGED during idle syncs (unexpected)'}.`,
        `Idle worker CPU over an equal quiet window: ${fmt(idleCpu, 0)} ms (subtracted for "net").`,
      ],
      json: {
        customers: sizes.customers,
        articles: sizes.articles,
        syncs: sizes.syncs,
        workerCpuMsPerSyncNet: round(netPerSync, 2),
        workerCpuMsPerSyncGross: round(grossPerSync, 2),
        idleWindowWorkerCpuMs: round(idleCpu),
        machineCpuMsPerSync: round(machinePerSync, 1),
        wallMs: { p50: round(w.p50), p95: round(w.p95), max: round(w.max) },
        providerCallsPerSync: round(requests / sizes.syncs, 2),
        rowsWritten: unchanged ? 0 : null,
        tenantsPerWorkerCore: Math.round(tenantsPerCore),
        tenantsPerMachineCore: Math.round(tenantsPerMachineCore),
        goalTenantsPerCore: 10_000,
      },
    };
  } finally {
    await part.stop();
  }
}
