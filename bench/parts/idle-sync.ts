import { syncWorkflow } from '../../workflows/index.js';
import { workflowIds } from '../../lib/runs.js';
import { benchTenant, cpuDelta, startPart, type CpuSnapshot, type Infra } from '../stack.js';
import { distribution, fmt, round, sleep } from '../stats.js';
import type { PartResult } from '../report.js';
import { WorkerProcess } from '../worker-process.js';

export interface IdleSizes {
  customers: number;
  articles: number;
  syncs: number;
}

const CADENCE_MS = 5 * 60 * 1000;

/**
 * §13 cost of one idle incremental sync. A tenant with `customers` customers and `articles` articles is activated
 * and imported; then `syncs` runs of the schedule's own workflow (`syncWorkflow` with scope `all`: every entity in
 * one workflow) are started one after another with the workflow client, nothing having changed in the fake.
 * Worker CPU = process.cpuUsage() of the worker process (user + system) around all runs, divided by the count.
 * "net" subtracts what the same processes burn idle (long polls, timers) over an equally long quiet window.
 * Whole stack adds the Temporal dev server, Postgres (postmaster + backends) and this process (fake provider,
 * client), each read from /proc for its own pid, so other work on the machine does not count.
 * Tenants per worker core at a 5-minute cadence = 300,000 ms / net worker CPU ms per sync.
 * Then the fake is shrunk to 1 client and 3 products and the runs repeated: the fixed part of a sync (Temporal
 * orchestration), so the rest can be put per listed record.
 */
export async function idleSyncBench(infra: Infra, sizes: IdleSizes): Promise<PartResult> {
  const part = await startPart(infra, 'idle', { groups: 3, products: sizes.articles, clients: sizes.customers });
  try {
    const tenant = benchTenant('idle');
    const worker = part.worker!;
    const { importWorkflowIds } = await part.activate(tenant);
    await part.awaitImport(importWorkflowIds);

    const runOnce = async () => {
      const r = await part.client.workflow.execute(syncWorkflow, {
        workflowId: workflowIds.scheduledSync(tenant),
        taskQueue: part.taskQueue,
        args: [{ tenantId: tenant, provider: 'factuursturen', scope: 'all' }],
      });
      const listed = Object.keys(r.tallies).length;
      if (listed !== 3) throw new Error(`idle sync listed ${listed} entities instead of 3`);
    };
    /** CPU per run of `count` runs, less what the same processes use idle for as long. */
    const measure = async (count: number) => {
      const wall: number[] = [];
      const t0 = await worker.threads();
      const s0 = await infra.cpu(worker);
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        await runOnce();
        wall.push(performance.now() - t);
      }
      const elapsed = performance.now() - started;
      const busy = cpuDelta(s0, await infra.cpu(worker));
      const threads = WorkerProcess.threadSplit(t0, await worker.threads(), worker.pid);
      const i0 = await infra.cpu(worker);
      await sleep(elapsed);
      const idle = cpuDelta(i0, await infra.cpu(worker));
      const per = (k: keyof CpuSnapshot | 'total') => Math.max(0, (busy[k] - idle[k]) / count);
      return {
        wall: distribution(wall),
        grossWorker: busy.worker / count,
        threads: { main: threads.main / count, workflowThread: threads.workflowThread / count, rustCore: threads.rustCore / count, other: threads.other / count },
        idleWorker: idle.worker,
        net: { worker: per('worker'), temporal: per('temporal'), postgres: per('postgres'), bench: per('bench'), total: per('total') },
      };
    };

    for (let i = 0; i < 3; i++) await runOnce(); // warm-up: JIT, workflow isolate, connection pools

    const { sql } = part.database;
    const snapshot = async () => (await sql`
      select (select count(*) from integration.log_entries where tenant_id = ${tenant})::int as logs,
             (select max(updated_at) from simon.customers where tenant_id = ${tenant})::text as customers,
             (select max(updated_at) from simon.articles where tenant_id = ${tenant})::text as articles`)[0];
    const before = await snapshot();
    const requestsBefore = part.fake.state.requestCount;
    const full = await measure(sizes.syncs);
    const requests = part.fake.state.requestCount - requestsBefore;
    const unchanged = JSON.stringify(before) === JSON.stringify(await snapshot());

    // The same runs with (almost) nothing to list: what a sync costs whatever the tenant's size (three workflows
    // and their activities through Temporal). The first runs after shrinking the fake may write; warm-up absorbs them.
    const state = part.fake.state;
    const lists = { clients: state.clients, products: state.products };
    state.clients = lists.clients.slice(0, 1);
    state.products = lists.products.slice(0, 3);
    for (let i = 0; i < 3; i++) await runOnce();
    const tiny = await measure(Math.max(5, Math.round(sizes.syncs / 2)));
    Object.assign(state, lists);

    const net = full.net.worker;
    const perRecordUs = ((net - tiny.net.worker) / (sizes.customers + sizes.articles)) * 1000;
    const tenantsPerCore = CADENCE_MS / Math.max(0.001, net);
    const stackKnown = Number.isFinite(full.net.total);
    const tenantsPerStackCore = CADENCE_MS / Math.max(0.001, full.net.total);
    const n = full.net;
    return {
      part: 'idle',
      rows: [
        {
          figure: `idle sync, ${sizes.customers.toLocaleString('en-US')} customers + ${sizes.articles} articles (n=${sizes.syncs})`,
          value: `worker CPU ${fmt(net, 1)} ms/sync net (${fmt(full.grossWorker, 1)} gross) · wall p50 ${fmt(full.wall.p50, 0)} ms`,
          goal: '',
        },
        {
          figure: '  of which fixed (same runs, 1 customer + 3 articles)',
          value: `${fmt(tiny.net.worker, 1)} ms/sync; the rest ≈ ${fmt(perRecordUs, 0)} µs per listed record`,
          goal: '',
        },
        {
          figure: '  worker CPU by thread (gross, per sync)',
          value: `main/activities ${fmt(full.threads.main, 0)} · workflow thread ${fmt(full.threads.workflowThread, 0)} · Temporal core (Rust) ${fmt(full.threads.rustCore, 0)} · other ${fmt(full.threads.other, 0)} ms`,
          goal: '',
        },
        {
          figure: '  tenants per worker core at a 5-minute cadence',
          value: fmt(tenantsPerCore, 0),
          goal: `≥ 10,000 ${tenantsPerCore >= 10_000 ? '✓' : '✗'}`,
        },
        {
          figure: '  whole stack CPU per sync',
          value: stackKnown
            ? `${fmt(n.total, 1)} ms (worker ${fmt(n.worker, 0)} · Temporal ${fmt(n.temporal, 0)} · Postgres ${fmt(n.postgres, 0)} · fake+client ${fmt(n.bench, 0)}) → ${fmt(tenantsPerStackCore, 0)} tenants per core`
            : 'n/a (Temporal or Postgres not started by the bench)',
          goal: stackKnown ? `≥ 3,000 per core ${tenantsPerStackCore >= 3_000 ? '✓' : '✗'}` : '',
        },
      ],
      notes: [
        `FactuurSturen has no change tracking: every idle sync downloads all ${sizes.customers} clients, ${sizes.articles} products and the categories again (${fmt(requests / sizes.syncs, 1)} provider calls per sync), hashed as they stream in and compared with the fingerprints kept from the last full compare (docs/idle-sync.md), in one activity; ${unchanged ? 'no row and no log entry was written' : 'ROWS CHANGED during idle syncs (unexpected)'}.`,
        `Idle worker CPU over an equally long quiet window: ${fmt(full.idleWorker, 0)} ms (subtracted for "net").`,
      ],
      json: {
        customers: sizes.customers,
        articles: sizes.articles,
        syncs: sizes.syncs,
        workerCpuMsPerSyncNet: round(net, 2),
        workerCpuMsPerSyncGross: round(full.grossWorker, 2),
        idleWindowWorkerCpuMs: round(full.idleWorker),
        workerCpuMsPerSyncFixed: round(tiny.net.worker, 2),
        workerCpuMsPerSyncByThread: Object.fromEntries(Object.entries(full.threads).map(([k, v]) => [k, round(v, 1)])),
        workerCpuUsPerListedRecord: round(perRecordUs, 1),
        stackCpuMsPerSync: stackKnown ? { worker: round(n.worker, 1), temporal: round(n.temporal, 1), postgres: round(n.postgres, 1), fakeAndClient: round(n.bench, 1), total: round(n.total, 1) } : null,
        wallMs: { p50: round(full.wall.p50), p95: round(full.wall.p95), max: round(full.wall.max) },
        providerCallsPerSync: round(requests / sizes.syncs, 2),
        rowsWritten: unchanged ? 0 : null,
        tenantsPerWorkerCore: Math.round(tenantsPerCore),
        tenantsPerStackCore: stackKnown ? Math.round(tenantsPerStackCore) : null,
        goalTenantsPerCore: 10_000,
      },
    };
  } finally {
    await part.stop();
  }
}
