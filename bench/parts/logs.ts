import { logTables } from '../../db/schema.js';
import { pageLogs } from '../../db/queries/logs.js';
import { startPart, tokens, type Infra } from '../stack.js';
import { distribution, fmt, round, type Distribution } from '../stats.js';
import type { PartResult } from '../report.js';

export interface LogSizes {
  rows: number;
  tenants: number;
  /** Tenants walked per query kind; each walk is one first page and `nextPages` cursor pages. */
  walks: number;
  nextPages: number;
}

/**
 * §13 API log query at 1,000,000 log rows. `rows` entries are generated with generate_series straight into
 * integration.log_entries over `tenants` tenants (random tenant, time spread over 90 days, severity info 75 % /
 * warning 20 % / error 5 %, random table), then VACUUM ANALYZE. Each sample is one
 * `GET /v1/tenants/{t}/logs?severity=error` through `app.request` in this process (auth, validation, the page
 * query, the per-table "highest mutation" query, JSON), timed until the body is read: the first page, then
 * `nextPages` pages following `nextCursor`. The same walk is also timed without a filter, and the bare page query
 * (db/queries/logs.ts pageLogs) alone. No worker or Temporal is involved. 50 warm-up requests are not counted.
 */
export async function logsBench(infra: Infra, sizes: LogSizes, log: (m: string) => void): Promise<PartResult> {
  const part = await startPart(infra, 'logs', { groups: 1, products: 3, clients: 1 }, { worker: false });
  try {
    const { sql } = part.database;
    const tenants = Array.from({ length: sizes.tenants }, (_, i) => `bench-log-${String(i).padStart(3, '0')}`);
    await sql`insert into integration.integrations (tenant_id, provider, status) select unnest(${tenants}::text[]), 'factuursturen', 'active'`;
    log(`  generating ${sizes.rows.toLocaleString('en-US')} log rows…`);
    const genStarted = performance.now();
    await sql`
      insert into integration.log_entries (tenant_id, created_at, severity, table_name, message, action, simon_id, provider_id)
      select (${tenants}::text[])[1 + floor(random() * ${sizes.tenants})::int],
             now() - random() * interval '90 days',
             case when r < 0.75 then 'info' when r < 0.95 then 'warning' else 'error' end,
             (${[...logTables]}::text[])[1 + floor(random() * ${logTables.length})::int],
             case when r < 0.95 then 'Klant toegevoegd aan Simon' else 'Aanmaken factuur in FactuurSturen is mislukt' end,
             case when r < 0.95 then 'Geen Aktie Nodig' else 'Controleer de klant en kies ''Opnieuw versturen''' end,
             md5(g::text), g::text
      from (select g, random() as r from generate_series(1, ${sizes.rows}) as g) as s`;
    await sql.unsafe('vacuum (analyze) integration.log_entries');
    const genMs = performance.now() - genStarted;
    const [{ n, size }] = (await sql`select count(*)::int as n, pg_size_pretty(pg_total_relation_size('integration.log_entries')) as size from integration.log_entries`) as unknown as [{ n: number; size: string }];

    const pickTenant = (i: number) => tenants[(i * 37) % tenants.length];
    async function get(path: string): Promise<{ ms: number; body: { entries: unknown[]; nextCursor: string | null } }> {
      const started = performance.now();
      const res = await part.app.request(path, { headers: { authorization: `Bearer ${tokens.support}` } });
      const body = (await res.json()) as { entries: unknown[]; nextCursor: string | null };
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(body)}`);
      return { ms, body };
    }
    async function walk(filter: string, walks: number, offset: number) {
      const first: number[] = [];
      const next: number[] = [];
      let entries = 0;
      for (let i = 0; i < walks; i++) {
        const base = `/v1/tenants/${pickTenant(i + offset)}/logs?${filter}`;
        let page = await get(base);
        first.push(page.ms);
        entries += page.body.entries.length;
        for (let p = 0; p < sizes.nextPages && page.body.nextCursor; p++) {
          page = await get(`${base}${filter ? '&' : ''}cursor=${encodeURIComponent(page.body.nextCursor)}`);
          next.push(page.ms);
          entries += page.body.entries.length;
        }
      }
      return { first: distribution(first), next: distribution(next), entries };
    }

    await walk('severity=error', 10, 1000); // warm-up: 50 requests
    const errors = await walk('severity=error', sizes.walks, 0);
    const all = await walk('', sizes.walks, 500);
    if (errors.entries === 0) throw new Error('logs bench: no error entries came back');

    const bare: number[] = [];
    for (let i = 0; i < sizes.walks; i++) {
      const started = performance.now();
      await pageLogs(part.database, { tenantId: pickTenant(i + 250), severities: ['error'], limit: 40 });
      bare.push(performance.now() - started);
    }
    const bareD = distribution(bare);

    // Goal: p95 ≤ 5 ms through the API at 1,000,000 rows (bench/README.md); the bare query has none.
    const row = (label: string, d: Distribution, goal = true) => ({
      figure: label,
      value: `p50 ${fmt(d.p50, 2)} ms · p95 ${fmt(d.p95, 2)} ms · max ${fmt(d.max, 1)} ms`,
      goal: goal && d.n > 0 ? `p95 ≤ 5 ms ${d.p95 <= 5 ? '✓' : '✗'}` : '',
    });
    return {
      part: 'logs',
      rows: [
        row(`GET …/logs?severity=error, first page (n=${errors.first.n})`, errors.first),
        row(`GET …/logs?severity=error, next pages via cursor (n=${errors.next.n})`, errors.next),
        row(`GET …/logs (no filter), first page (n=${all.first.n})`, all.first),
        row(`GET …/logs (no filter), next pages (n=${all.next.n})`, all.next),
        row(`  page query alone (pageLogs, error, first page)`, bareD, false),
      ],
      notes: [
        `${n.toLocaleString('en-US')} log rows over ${sizes.tenants} tenants (${size} with indexes), generated + vacuum analyze in ${fmt(genMs / 1000, 1)} s; 40 entries a page.`,
      ],
      json: {
        rows: n,
        tenants: sizes.tenants,
        tableSize: size,
        errorFirstPage: pick(errors.first),
        errorNextPages: pick(errors.next),
        allFirstPage: pick(all.first),
        allNextPages: pick(all.next),
        pageQueryOnly: pick(bareD),
      },
    };
  } finally {
    await part.stop();
  }
}

function pick(d: Distribution) {
  return { n: d.n, p50Ms: round(d.p50, 2), p95Ms: round(d.p95, 2), maxMs: round(d.max, 2) };
}
