import postgres from 'postgres';
import type { Client } from '@temporalio/client';
import { benchTenant, cpuDelta, startPart, type CpuSnapshot, type Infra } from '../stack.js';
import { fmt, mb, round, sleep } from '../stats.js';
import type { PartResult } from '../report.js';
import type { RssSamples } from '../worker-child.js';
import { DEFAULT_PAGE_SIZE as FS_PAGE_SIZE } from '../../connectors/factuursturen/connector.js';

export interface ImportRun {
  /** Clients listed by the fake (records processed). */
  customers: number;
  /** Rows in simon.customers afterwards. */
  customersWritten: number;
  /** PUT settings → customers import workflow completed, ms (includes the settings check and schedule setup). */
  endToEndMs: number;
  /** First start → last close of the `sync/{t}/customers` workflow (all runs, if it continued as new), ms. */
  workflowMs: number;
  recordsPerSecond: number;
  rowsWritten: number;
  rowsPerSecond: number;
  /** Full downloads of `GET clients`: FactuurSturen cannot page, each activity call lists everything again. */
  listingDownloads: number;
  pageSize: number;
  workerCpuMs: number;
  /** CPU of each process of the stack during the import (worker, Temporal, Postgres, this process). */
  stackCpuMs: CpuSnapshot & { total: number };
  baseline: { rows: number; ms: number; rowsPerSecond: number; batch: number };
  memory: {
    idleRss: number;
    peakRss: number;
    kernelPeakRss: number | null;
    peakHeapUsed: number;
    endRss: number;
    /** Highest sample in each quarter of the import. */
    peakByQuarter: number[];
    samples: number;
  };
}

const BASELINE_BATCH = 500;
const customerColumns = ['tenant_id', 'external_id', 'number', 'name', 'street', 'postal_code', 'city', 'country', 'email', 'phone', 'active'] as const;

/**
 * One initial import of `customers` FactuurSturen clients (plus 3 groups and 250 articles) through the real
 * activation API, with a fresh worker process whose RSS is sampled every 100 ms while the import runs. Then,
 * in the same database and run, the plain baseline: the very rows the import wrote, read back and re-inserted
 * for another tenant with postgres.js `insert … on conflict … do update … where … is distinct from`, 500 a batch.
 */
export async function runImport(infra: Infra, customers: number): Promise<ImportRun> {
  const part = await startPart(infra, `import${customers}`, { groups: 3, products: 250, clients: customers });
  try {
    const tenant = benchTenant('import');
    const worker = part.worker!;
    await sleep(1000); // let the fresh worker settle before its idle RSS is read
    const idle = await worker.usage();
    await worker.startSampling(100);
    const cpu0 = await infra.cpu(worker);

    const { importWorkflowIds, savedAt } = await part.activate(tenant);
    const customersId = importWorkflowIds.find((id) => id.endsWith('/customers'));
    if (!customersId) throw new Error(`import bench: no customers import among ${importWorkflowIds.join(', ')}`);
    let customersDone = 0;
    await Promise.all(importWorkflowIds.map(async (id) => {
      await part.client.workflow.getHandle(id).result();
      if (id === customersId) customersDone = performance.now();
    }));
    const cpu = cpuDelta(cpu0, await infra.cpu(worker));
    const samples = await worker.stopSampling();
    const end = await worker.usage();

    const workflowMs = await workflowSpan(part.client, customersId);
    const { sql } = part.database;
    const [counts] = await sql`
      select (select count(*) from simon.customers where tenant_id = ${tenant})::int as customers,
             (select count(*) from integration.external_refs where tenant_id = ${tenant} and entity = 'customers')::int as refs,
             (select count(*) from integration.log_entries where tenant_id = ${tenant} and table_name = 'Klant')::int as logs`;
    // Whether inactive clients become rows is the import's business; every client was listed and processed.
    if (counts.customers < customers * 0.9) throw new Error(`import bench: only ${counts.customers} of ${customers} customers imported`);
    const rowsWritten = counts.customers + counts.refs + counts.logs;

    const baseline = await plainInsert(part.dbUrl, tenant);
    if (baseline.rows !== counts.customers) throw new Error(`import bench: baseline wrote ${baseline.rows} rows, expected ${counts.customers}`);

    return {
      customers,
      customersWritten: counts.customers,
      endToEndMs: customersDone - savedAt,
      workflowMs,
      recordsPerSecond: customers / (workflowMs / 1000),
      rowsWritten,
      rowsPerSecond: rowsWritten / (workflowMs / 1000),
      listingDownloads: part.fake.state.requests['GET clients'] ?? 0,
      pageSize: FS_PAGE_SIZE,
      workerCpuMs: cpu.worker,
      stackCpuMs: cpu,
      baseline,
      memory: {
        idleRss: idle.rss,
        peakRss: samples.peakRss,
        kernelPeakRss: samples.kernelPeakRss,
        peakHeapUsed: samples.peakHeapUsed,
        endRss: end.rss,
        peakByQuarter: quarters(samples),
        samples: samples.samples.length,
      },
    };
  } finally {
    await part.stop();
  }
}

/** First start to last close over every run of the workflow id (continue-as-new makes several). */
async function workflowSpan(client: Client, workflowId: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    let first = Infinity;
    let last = -Infinity;
    let open = false;
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      first = Math.min(first, wf.startTime.getTime());
      if (!wf.closeTime) open = true;
      else last = Math.max(last, wf.closeTime.getTime());
    }
    if (!open && Number.isFinite(first) && Number.isFinite(last)) return last - first;
    await sleep(200); // visibility trails the history a little
  }
  throw new Error(`no closed runs of ${workflowId} in visibility`);
}

function quarters(s: RssSamples): number[] {
  if (s.samples.length === 0) return [];
  const span = s.samples[s.samples.length - 1][0] || 1;
  const peaks = [0, 0, 0, 0];
  for (const [t, rss] of s.samples) {
    const q = Math.min(3, Math.floor((t / span) * 4));
    peaks[q] = Math.max(peaks[q], rss);
  }
  return peaks;
}

/** The same customer rows, re-inserted for another tenant: one connection, batches of 500, new rows. */
async function plainInsert(dbUrl: string, fromTenant: string): Promise<ImportRun['baseline']> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<Record<string, unknown>[]>`
      select 'bench-baseline' as tenant_id, external_id, number, name, street, postal_code, city, country, email, phone, active
      from simon.customers where tenant_id = ${fromTenant} order by number`;
    await sql`select 1`; // connection warm
    const started = performance.now();
    for (let i = 0; i < rows.length; i += BASELINE_BATCH) {
      const batch = rows.slice(i, i + BASELINE_BATCH);
      await sql`
        insert into simon.customers ${sql(batch, ...customerColumns)}
        on conflict (tenant_id, external_id) do update
          set number = excluded.number, name = excluded.name, street = excluded.street, postal_code = excluded.postal_code, city = excluded.city,
              country = excluded.country, email = excluded.email, phone = excluded.phone, active = excluded.active, updated_at = now()
          where (customers.number, customers.name, customers.street, customers.postal_code, customers.city, customers.country, customers.email, customers.phone, customers.active)
            is distinct from (excluded.number, excluded.name, excluded.street, excluded.postal_code, excluded.city, excluded.country, excluded.email, excluded.phone, excluded.active)`;
    }
    const ms = performance.now() - started;
    const [n] = await sql`select count(*)::int as n from simon.customers where tenant_id = 'bench-baseline'`;
    return { rows: n.n as number, ms, rowsPerSecond: (n.n as number) / (ms / 1000), batch: BASELINE_BATCH };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** §13 initial import throughput, one row per size. */
export function importReport(runs: readonly ImportRun[]): PartResult {
  return {
    part: 'import',
    rows: runs.flatMap((r) => [
      {
        figure: `initial import, ${r.customers.toLocaleString('en-US')} customers (page ${r.pageSize})`,
        value: `${fmt(r.recordsPerSecond, 0)} records/s · ${fmt(r.rowsPerSecond, 0)} rows/s to Postgres (${fmt(r.workflowMs / 1000, 1)} s; e2e ${fmt(r.endToEndMs / 1000, 1)} s)`,
        goal: '',
      },
      {
        figure: `  plain INSERT … ON CONFLICT, batch ${r.baseline.batch}, same rows`,
        value: `${fmt(r.baseline.rowsPerSecond, 0)} rows/s (${fmt(r.baseline.ms / 1000, 1)} s) → import reaches ${fmt((r.recordsPerSecond / r.baseline.rowsPerSecond) * 100, 0)}% (records) / ${fmt((r.rowsPerSecond / r.baseline.rowsPerSecond) * 100, 0)}% (rows)`,
        goal: `records ≥ 50% ${r.recordsPerSecond / r.baseline.rowsPerSecond >= 0.5 ? '✓' : '✗'}`,
      },
      {
        figure: '  worker CPU during the import',
        value: `${fmt(r.workerCpuMs / 1000, 1)} s = ${fmt(r.workerCpuMs / (r.customers / 1000), 0)} ms per 1,000 records (Postgres ${fmt(r.stackCpuMs.postgres / 1000, 1)} s, Temporal ${fmt(r.stackCpuMs.temporal / 1000, 1)} s, fake ${fmt(r.stackCpuMs.bench / 1000, 1)} s); GET clients ×${r.listingDownloads}`,
        goal: '',
      },
    ]),
    notes: [
      `records = clients listed by the provider; rows = simon.customers + integration.external_refs + integration.log_entries ("Klant toegevoegd" per customer), 3 per written customer (${runs.map((r) => `${r.customersWritten.toLocaleString('en-US')} of ${r.customers.toLocaleString('en-US')}`).join(', ')} written); the plain baseline writes only the customer rows.`,
      `FactuurSturen cannot page: every importPages activity call downloads the client list once and reads it as it takes its pages of ${FS_PAGE_SIZE}, never held whole (GET clients count above; docs/import.md).`,
    ],
    json: {
      runs: runs.map((r) => ({
        customers: r.customers,
        customersWritten: r.customersWritten,
        pageSize: r.pageSize,
        workflowMs: round(r.workflowMs),
        endToEndMs: round(r.endToEndMs),
        recordsPerSecond: round(r.recordsPerSecond),
        rowsWritten: r.rowsWritten,
        rowsPerSecond: round(r.rowsPerSecond),
        listingDownloads: r.listingDownloads,
        workerCpuMs: round(r.workerCpuMs),
        stackCpuMs: Object.fromEntries(Object.entries(r.stackCpuMs).map(([k, v]) => [k, Number.isFinite(v) ? round(v) : null])),
        baseline: { ...r.baseline, ms: round(r.baseline.ms), rowsPerSecond: round(r.baseline.rowsPerSecond) },
      })),
    },
  };
}

/** §13 worker memory during the largest import. */
export function memoryReport(run: ImportRun, smaller?: ImportRun): PartResult {
  const m = run.memory;
  const peak = Math.max(m.peakRss, m.kernelPeakRss ?? 0);
  const rows = [
    {
      figure: `worker peak RSS, ${run.customers.toLocaleString('en-US')}-record import`,
      value: `${fmt(mb(peak), 0)} MB = idle ${fmt(mb(m.idleRss), 0)} + ${fmt(mb(peak - m.idleRss), 0)} MB for the import (after: ${fmt(mb(m.endRss), 0)} MB; heap peak ${fmt(mb(m.peakHeapUsed), 0)} MB)`,
      goal: `≤ 250 MB ${mb(peak) <= 250 ? '✓' : '✗'}`,
    },
    {
      figure: '  peak RSS per quarter of the import',
      value: m.peakByQuarter.map((b) => `${fmt(mb(b), 0)}`).join(' / ') + ' MB',
      goal: 'flat',
    },
  ];
  if (smaller) {
    const s = Math.max(smaller.memory.peakRss, smaller.memory.kernelPeakRss ?? 0);
    rows.push({
      figure: `  same at ${smaller.customers.toLocaleString('en-US')} records`,
      value: `${fmt(mb(s), 0)} MB → ${fmt((mb(peak) - mb(s)) / ((run.customers - smaller.customers) / 1000), 2)} MB more per 1,000 extra records`,
      goal: `within 10 MB ${mb(peak) - mb(s) <= 10 ? '✓' : '✗'}`,
    });
  }
  return {
    part: 'memory',
    rows,
    notes: [
      `RSS of the worker process only (its own child process), sampled with process.memoryUsage().rss every 100 ms (${m.samples} samples) plus the kernel's VmHWM.`,
    ],
    json: {
      customers: run.customers,
      idleRssMb: round(mb(m.idleRss)),
      peakRssMb: round(mb(peak)),
      sampledPeakRssMb: round(mb(m.peakRss)),
      kernelPeakRssMb: m.kernelPeakRss === null ? null : round(mb(m.kernelPeakRss)),
      endRssMb: round(mb(m.endRss)),
      peakHeapUsedMb: round(mb(m.peakHeapUsed)),
      peakByQuarterMb: m.peakByQuarter.map((b) => round(mb(b))),
      ...(smaller ? { smaller: { customers: smaller.customers, peakRssMb: round(mb(Math.max(smaller.memory.peakRss, smaller.memory.kernelPeakRss ?? 0))) } } : {}),
      goalMb: 250,
    },
  };
}
