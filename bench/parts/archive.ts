import type { FakeFsSavedInvoice } from '../../fakes/factuursturen/server.js';
import { documentReference } from '../../lib/references.js';
import { benchTenant, cpuDelta, startPart, tokens, type Infra } from '../stack.js';
import { distribution, fmt, pool, processCpuMs, round, sleep, type Distribution } from '../stats.js';
import type { PartResult } from '../report.js';

export interface ArchiveSizes {
  sequential: number;
  concurrent: number;
  concurrency: number;
}

/**
 * §13 archive → document. One active FactuurSturen tenant (200 customers, 250 articles, imported through the
 * real activation). Each sample: `POST /v1/tenants/{t}/work-orders/{id}/archive` through the API in this process,
 * until the fake FactuurSturen (real HTTP, same process) pushes the concept invoice into its state. The fake's
 * `savedInvoices.push` is wrapped, so the end time is the moment the provider stored the document, not when
 * someone polled for it. The worker runs in its own process; Temporal is the dev server.
 * Sequential: one archive at a time. Concurrent: `concurrency` archives in flight at once.
 * A few warm-up archives first (the first workflow run of a worker loads its V8 isolate), not counted.
 */
export async function archiveBench(infra: Infra, sizes: ArchiveSizes): Promise<PartResult> {
  const part = await startPart(infra, 'archive', { groups: 3, products: 250, clients: 200 });
  try {
    const tenant = benchTenant('archive');
    const { importWorkflowIds } = await part.activate(tenant);
    await part.awaitImport(importWorkflowIds);
    const { sql } = part.database;
    const [customer] = await sql`select id from simon.customers where tenant_id = ${tenant} and active order by number limit 1`;
    const materials = await sql`select id from simon.articles where tenant_id = ${tenant} and code in ('1010', '1011') order by code`;
    if (!customer || materials.length !== 2) throw new Error('archive bench: the initial import did not bring the expected customer and articles');

    // Hook the fake: resolve the waiter of a reference the moment the invoice is stored.
    const waiters = new Map<string, (t: number) => void>();
    const invoices = part.fake.state.savedInvoices;
    const push = invoices.push;
    invoices.push = function (this: FakeFsSavedInvoice[], ...items: FakeFsSavedInvoice[]) {
      const t = performance.now();
      const n = push.apply(this, items);
      for (const inv of items) waiters.get(inv.name)?.(t);
      return n;
    };

    const apiMs: number[] = [];
    let number = 0;
    async function archiveOne(id: string): Promise<number> {
      const reference = documentReference('factuursturen', tenant, id, id);
      let resolve!: (t: number) => void;
      const stored = new Promise<number>((r) => (resolve = r));
      waiters.set(reference, resolve);
      const snapshot = {
        number: `WB-${10_000 + ++number}`,
        status: 'completed',
        customerId: customer.id,
        workAddressId: null,
        description: 'Cv-ketel onderhoud\nFilter vervangen',
        customerReference: 'REF-77',
        assignedUserId: 'user-1',
        workMinutes: 120,
        travelMinutes: 15,
        materials: [
          { articleId: materials[0].id, quantity: 3, price: 12.5 },
          { articleId: materials[1].id, quantity: 1.5, price: 4 },
        ],
      };
      const started = performance.now();
      const res = await part.api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, snapshot, tokens.backend);
      apiMs.push(performance.now() - started);
      if (res.status !== 202) throw new Error(`archive ${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`archive ${id}: no invoice after 30 s`)), 30_000)));
      try {
        return (await Promise.race([stored, timeout])) - started;
      } finally {
        clearTimeout(timer);
        waiters.delete(reference);
      }
    }

    for (let i = 0; i < 5; i++) await archiveOne(`warm-${i}`);
    apiMs.length = 0;

    const seqStarted = performance.now();
    const sequential: number[] = [];
    for (let i = 0; i < sizes.sequential; i++) sequential.push(await archiveOne(`seq-${i}`));
    const seqWall = performance.now() - seqStarted;
    const seqApi = distribution(apiMs);
    apiMs.length = 0;

    // CPU per archive with `concurrency` in flight, per process: the worker, Temporal, this process (API, fake), and
    // Postgres: the postmaster's tree when the bench started it, else the backends serving this part's database.
    const backends = async () => (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`).map((r) => r.pid);
    const backendCpu = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuMs(pid)]));
    const c0 = await infra.cpu(part.worker);
    const b0 = backendCpu(await backends());
    const conStarted = performance.now();
    const ids = Array.from({ length: sizes.concurrent }, (_, i) => `con-${i}`);
    const concurrent = await pool(ids, sizes.concurrency, (id) => archiveOne(id));
    const conWall = performance.now() - conStarted;
    const cpu = cpuDelta(c0, await infra.cpu(part.worker));
    if (Number.isNaN(cpu.postgres)) {
      let ms = 0;
      for (const [pid, after] of backendCpu(await backends())) if (!Number.isNaN(after)) ms += after - (b0.get(pid) ?? 0);
      cpu.postgres = ms;
      cpu.total = cpu.worker + cpu.temporal + cpu.postgres + cpu.bench;
    }
    // The same processes over a quiet window as long as the run, capped at 10 s (long polls, timers): what an archive does not cost.
    const quietMs = Math.min(conWall, 10_000);
    const q0 = await infra.cpu(part.worker);
    await sleep(quietMs);
    const quiet = cpuDelta(q0, await infra.cpu(part.worker));
    const quietPerSecond = (ms: number) => (Number.isNaN(ms) ? 'n/a' : fmt((ms / quietMs) * 1000, 0));
    const perArchive = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${fmt(ms / sizes.concurrent, 1)}`);

    // Every archive must have ended as exactly one concept invoice and a 'sent' export.
    const expected = 5 + sizes.sequential + sizes.concurrent;
    // The export row turns 'sent' just after the provider answered, so give the last ones a moment.
    const exportStates = async () => (await sql`select count(*) filter (where state = 'sent')::int as sent, count(*)::int as total from integration.document_exports where tenant_id = ${tenant}`)[0];
    let states = await exportStates();
    for (let i = 0; i < 100 && states.sent < expected; i++) {
      await sleep(100);
      states = await exportStates();
    }
    const distinct = new Set(invoices.map((i) => i.name)).size;
    if (invoices.length !== expected || distinct !== expected) throw new Error(`archive bench: ${invoices.length} invoices (${distinct} distinct) for ${expected} archives`);

    const seq = distribution(sequential);
    const con = distribution(concurrent);
    // Goals: one at a time p95 ≤ 1 s; in flight p95 ≤ 500 ms and ≥ 50 archives/s (bench/README.md).
    const row = (label: string, d: Distribution, wall: number, inFlight: boolean) => {
      const perSecond = (d.n / wall) * 1000;
      const ok = inFlight ? d.p95 <= 500 && perSecond >= 50 : d.p95 <= 1000;
      return {
        figure: `archive → invoice stored, ${label} (n=${d.n})`,
        value: `p50 ${fmt(d.p50, 0)} ms · p95 ${fmt(d.p95, 0)} ms · max ${fmt(d.max, 0)} ms · ${fmt(perSecond, 1)}/s`,
        goal: `${inFlight ? 'p95 ≤ 500 ms, ≥ 50/s' : 'p95 ≤ 1000 ms'} ${ok ? '✓' : '✗'}`,
      };
    };
    return {
      part: 'archive',
      rows: [
        row('sequential', seq, seqWall, false),
        row(`${sizes.concurrency} in flight`, con, conWall, true),
        { figure: 'archive API call itself (202), sequential', value: `p50 ${fmt(seqApi.p50, 0)} ms · p95 ${fmt(seqApi.p95, 0)} ms`, goal: '' },
        {
          figure: `CPU ms per archive, ${sizes.concurrency} in flight`,
          value: `worker ${perArchive(cpu.worker)} · Temporal ${perArchive(cpu.temporal)} · Postgres ${perArchive(cpu.postgres)} · API+fake ${perArchive(cpu.bench)} · total ${perArchive(cpu.total)}`,
          goal: '',
        },
        {
          figure: 'CPU ms per second, quiet (no archive)',
          value: `worker ${quietPerSecond(quiet.worker)} · Temporal ${quietPerSecond(quiet.temporal)} · API+fake ${quietPerSecond(quiet.bench)}`,
          goal: '',
        },
      ],
      notes: [
        `${states.sent}/${states.total} exports 'sent', ${invoices.length} concept invoices, one per work order (incl. 5 warm-up).`,
      ],
      json: {
        sequential: pick(seq),
        concurrent: { ...pick(con), concurrency: sizes.concurrency },
        apiCallSequential: pick(seqApi),
        archivesPerSecondSequential: round((seq.n / seqWall) * 1000, 2),
        archivesPerSecondConcurrent: round((con.n / conWall) * 1000, 2),
        cpuMsPerArchiveConcurrent: {
          worker: round(cpu.worker / sizes.concurrent, 2), temporal: round(cpu.temporal / sizes.concurrent, 2),
          postgres: round(cpu.postgres / sizes.concurrent, 2), apiAndFake: round(cpu.bench / sizes.concurrent, 2), total: round(cpu.total / sizes.concurrent, 2),
        },
        goalP95Ms: 1000,
        goalConcurrentP95Ms: 500,
        goalConcurrentPerSecond: 50,
      },
    };
  } finally {
    await part.stop();
  }
}

function pick(d: Distribution) {
  return { n: d.n, p50Ms: round(d.p50), p95Ms: round(d.p95), maxMs: round(d.max), meanMs: round(d.mean) };
}
