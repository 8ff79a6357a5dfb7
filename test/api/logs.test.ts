import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOpenAPI } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import {
  appendLogEntries, decodeLogCursor, encodeLogCursor, InvalidLogCursorError, pageLogs, type NewLogEntry,
} from '../../db/queries/logs.js';
import { logEntries, logTables, severities, type LogTable, type Severity } from '../../db/schema.js';
import { freshDatabase } from '../helpers/db.js';
import { buildApp, fakeTemporal, getJson, seedTenant, tokens } from './helpers.js';

let database: Database;
let app: AppOpenAPI;

interface Expected {
  id: number;
  createdAt: Date;
  severity: Severity;
  table: LogTable;
}
/** All of tenant acme's rows, newest first, as the API must order them. */
let expected: Expected[];

const base = Date.parse('2025-03-01T08:00:00.000Z');

beforeAll(async () => {
  ({ database } = await freshDatabase('api_logs'));
  app = buildApp(database, { temporal: fakeTemporal('http://localhost:8233/') });
  await seedTenant(database, 'acme');
  await seedTenant(database, 'other');
  await seedTenant(database, 'quiet');

  const rows: NewLogEntry[] = [];
  for (let i = 0; i < 130; i++) {
    rows.push({
      tenantId: 'acme',
      severity: severities[i % 3],
      table: logTables[i % logTables.length],
      message: `Bericht ${i}`,
      action: 'Geen Aktie Nodig',
      simonId: `s-${i}`,
      providerId: i % 2 ? `p-${i}` : null,
      workflowId: i % 5 === 0 ? `sync/acme/customers` : undefined,
      runId: i % 5 === 0 ? `run-${i}` : undefined,
      // Each pair of rows shares a timestamp, so the id tie-break is exercised.
      createdAt: new Date(base + Math.floor(i / 2) * 1000),
    });
  }
  // Another tenant's rows, newer than everything: must never show up.
  for (let i = 0; i < 20; i++) {
    rows.push({ tenantId: 'other', severity: 'error', table: 'Klant', message: 'geheim', action: 'x', createdAt: new Date(base + 10_000_000) });
  }
  expect(await appendLogEntries(database, rows)).toBe(150);
  // Rows stamped by the database (microsecond precision), in separate statements and one shared now().
  await appendLogEntries(database, [{ tenantId: 'acme', severity: 'warning', table: 'Klant', message: 'db-tijd 1', action: 'a' }]);
  await appendLogEntries(database, [{ tenantId: 'acme', severity: 'error', table: 'Klant', message: 'db-tijd 2', action: 'a' }]);
  await appendLogEntries(database, [
    { tenantId: 'acme', severity: 'warning', table: 'Klant', message: 'db-tijd 3a', action: 'a' },
    { tenantId: 'acme', severity: 'error', table: 'Werkbon', message: 'db-tijd 3b', action: 'a' },
    { tenantId: 'acme', severity: 'info', table: 'Klant', message: 'db-tijd 3c', action: 'a', createdAt: new Date(base - 5000) },
  ]);

  const all = await database.db.select().from(logEntries);
  expected = all
    .filter((r) => r.tenantId === 'acme')
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
    .map((r) => ({ id: r.id, createdAt: r.createdAt, severity: r.severity, table: r.table }));
  // JS dates are milliseconds; the database ones differ in microseconds, so the expected order of rows
  // within one millisecond comes from the database itself.
  const exact = await database.sql<{ id: string }[]>`
    select id from integration.log_entries where tenant_id = 'acme' order by created_at desc, id desc`;
  expected = exact.map((r) => expected.find((e) => e.id === Number(r.id))!);
});

afterAll(async () => {
  await database?.close();
});

async function walk(query: string): Promise<{ ids: number[]; pages: number; sizes: number[] }> {
  const ids: number[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = query.includes('?') ? '&' : '?';
    const url: string = `/v1/tenants/acme/logs${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body } = await getJson(app, url, tokens.support);
    expect(status, url).toBe(200);
    ids.push(...body.entries.map((e: { id: number }) => e.id));
    sizes.push(body.entries.length);
    cursor = body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { ids, pages, sizes };
}

describe('GET /v1/tenants/{tenant}/logs', () => {
  it('returns 40 entries by default, newest first, with all fields and Dutch labels', async () => {
    const { status, body } = await getJson(app, '/v1/tenants/acme/logs', tokens.support);
    expect(status).toBe(200);
    expect(body.entries).toHaveLength(40);
    expect(body.entries.map((e: { id: number }) => e.id)).toEqual(expected.slice(0, 40).map((e) => e.id));
    expect(body.nextCursor).toEqual(expect.any(String));
    const entry = body.entries.find((e: { message: string }) => e.message === 'Bericht 125');
    expect(entry).toMatchObject({
      severity: 'error',
      severityLabel: 'Fout',
      colour: 'red',
      table: logTables[125 % logTables.length],
      message: 'Bericht 125',
      action: 'Geen Aktie Nodig',
      simonId: 's-125',
      providerId: 'p-125',
      workflowId: 'sync/acme/customers',
      runId: 'run-125',
      temporalUrl: 'http://localhost:8233/namespaces/default/workflows/sync%2Facme%2Fcustomers/run-125/history',
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
    // The manuals' colours: info blue, warning yellow, error red.
    const colours = Object.fromEntries(body.entries.map((e: { severity: string; colour: string }) => [e.severity, e.colour]));
    expect(colours).toEqual({ info: 'blue', warning: 'yellow', error: 'red' });
    const noRun = body.entries.find((e: { runId: string | null }) => e.runId === null);
    expect(noRun.temporalUrl).toBeNull();
    expect(JSON.stringify(body)).not.toContain('geheim');
  });

  it('pages newest-first over several pages with no duplicates and no gaps (ties and microseconds included)', async () => {
    for (const limit of [1, 7, 40, 200]) {
      const { ids, sizes } = await walk(`?limit=${limit}`);
      expect(ids, `limit ${limit}`).toEqual(expected.map((e) => e.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
    }
    const defaults = await walk('');
    expect(defaults.pages).toBe(Math.ceil(expected.length / 40));
    expect(defaults.sizes[0]).toBe(40);
  });

  it('filters by several severities at once and by table, across pages', async () => {
    const wanted = expected.filter((e) => (e.severity === 'warning' || e.severity === 'error') && e.table === 'Klant');
    expect(wanted.length).toBeGreaterThan(5);
    const { ids, pages } = await walk('?severity=warning,error&table=Klant&limit=3');
    expect(ids).toEqual(wanted.map((e) => e.id));
    expect(pages).toBeGreaterThan(1);

    const errorsAndWarnings = expected.filter((e) => e.severity !== 'info');
    expect((await walk('?severity=error&severity=warning&limit=11')).ids).toEqual(errorsAndWarnings.map((e) => e.id));

    const twoTables = expected.filter((e) => e.table === 'Artikel Groep' || e.table === 'Werkbon');
    expect((await walk('?table=Artikel%20Groep,werkbon&limit=6')).ids).toEqual(twoTables.map((e) => e.id));

    expect((await walk('?severity=info,warning,error&limit=50')).ids).toEqual(expected.map((e) => e.id));
  });

  it('reports the highest mutation per table', async () => {
    const { body } = await getJson(app, '/v1/tenants/acme/logs?table=Offerte', tokens.support);
    expect(Object.keys(body.highestMutation).sort()).toEqual([...logTables].sort());
    for (const table of logTables) {
      const newest = expected.filter((e) => e.table === table).reduce<Date | null>((m, e) => (!m || e.createdAt > m ? e.createdAt : m), null);
      expect(body.highestMutation[table], table).toBe(newest ? newest.toISOString() : null);
    }
    const quiet = await getJson(app, '/v1/tenants/quiet/logs', tokens.support);
    expect(quiet.body).toEqual({
      entries: [],
      nextCursor: null,
      highestMutation: Object.fromEntries(logTables.map((t) => [t, null])),
    });
  });

  it('omits the Temporal link when no UI is configured', async () => {
    const plain = buildApp(database);
    const { body } = await getJson(plain, '/v1/tenants/acme/logs?limit=200', tokens.admin);
    expect(body.entries.some((e: { runId: string | null }) => e.runId)).toBe(true);
    expect(body.entries.every((e: { temporalUrl: string | null }) => e.temporalUrl === null)).toBe(true);
  });
});

describe('log queries', () => {
  it('round-trips cursors and refuses forged ones', async () => {
    const c = { time: '2025-03-01T08:00:00.123456Z', id: 42 };
    expect(decodeLogCursor(encodeLogCursor(c))).toEqual(c);
    for (const bad of ['', '!!', 'e30', encodeLogCursor({ time: '2025-13-45T99:00:00.000000Z', id: 1 }), encodeLogCursor({ time: c.time, id: -1 })]) {
      expect(decodeLogCursor(bad), bad).toBeNull();
    }
    await expect(pageLogs(database, { tenantId: 'acme', cursor: 'nope!' })).rejects.toBeInstanceOf(InvalidLogCursorError);
  });

  it('refuses entries with an unknown severity or table', async () => {
    await expect(
      appendLogEntries(database, [{ tenantId: 'acme', severity: 'debug' as Severity, table: 'Klant', message: 'm', action: 'a' }]),
    ).rejects.toThrow(/severity/);
    await expect(
      appendLogEntries(database, [{ tenantId: 'acme', severity: 'info', table: 'Factuur' as LogTable, message: 'm', action: 'a' }]),
    ).rejects.toThrow(/table/);
    expect(await appendLogEntries(database, [])).toBe(0);
  });

  it('writes large batches in chunks within one transaction', async () => {
    const many: NewLogEntry[] = Array.from({ length: 2500 }, (_, i) => ({
      tenantId: 'bulk',
      severity: 'info',
      table: 'Artikel',
      message: `Artikel ${i}`,
      action: 'Geen Aktie Nodig',
      ...(i % 2 ? { createdAt: new Date(base + i) } : {}),
    }));
    expect(await appendLogEntries(database, many)).toBe(2500);
    const page = await pageLogs(database, { tenantId: 'bulk', limit: 200 });
    expect(page.entries).toHaveLength(200);
    const [{ n }] = await database.sql<{ n: number }[]>`select count(*)::int as n from integration.log_entries where tenant_id = 'bulk'`;
    expect(n).toBe(2500);
  });
});
