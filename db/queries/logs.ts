import type postgres from 'postgres';
import type { Database, Sql } from '../client.js';
import { logTables, severities, type LogTable, type Severity } from '../schema.js';

/** One integration log row to write (docs/log.md). Texts are Dutch and come from the messages module. */
export interface NewLogEntry {
  tenantId: string;
  severity: Severity;
  /** Dutch table name: Werkbon, Klant, Werkadres, Artikel, Artikel Groep, Offerte, Integratie. */
  table: LogTable;
  message: string;
  /** "Te nemen actie"; "Geen Aktie Nodig" when nothing is needed. */
  action: string;
  simonId?: string | null;
  providerId?: string | null;
  workflowId?: string | null;
  runId?: string | null;
  /** Defaults to the database's now(). */
  createdAt?: Date;
}

export interface LogEntry {
  id: number;
  tenantId: string;
  createdAt: Date;
  severity: Severity;
  table: LogTable;
  message: string;
  action: string;
  simonId: string | null;
  providerId: string | null;
  workflowId: string | null;
  runId: string | null;
}

export interface LogPage {
  /** Newest first. */
  entries: LogEntry[];
  /** Opaque; pass back as `cursor` for the next (older) page. null on the last page. */
  nextCursor: string | null;
}

export interface PageLogsOptions {
  tenantId: string;
  /** Any of these severities; empty or absent = all. */
  severities?: readonly Severity[];
  /** Any of these tables; empty or absent = all. */
  tables?: readonly LogTable[];
  cursor?: string;
  limit?: number;
}

export const DEFAULT_LOG_PAGE_SIZE = 40;
export const MAX_LOG_PAGE_SIZE = 200;

export class InvalidLogCursorError extends Error {
  constructor() {
    super('Invalid log cursor');
    this.name = 'InvalidLogCursorError';
  }
}

/**
 * Position after which the next page starts. The time is kept as Postgres prints it with microseconds:
 * a JS Date has only milliseconds, and rounding would skip or repeat rows written in the same millisecond.
 */
export interface LogCursor {
  time: string;
  id: number;
}

const cursorTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify([cursor.time, cursor.id]), 'utf8').toString('base64url');
}

/** null when the cursor was not made by encodeLogCursor (the API answers 400). */
export function decodeLogCursor(cursor: string): LogCursor | null {
  if (cursor.length === 0 || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [time, id] = parsed as [unknown, unknown];
  if (typeof time !== 'string' || !cursorTime.test(time) || !Number.isFinite(Date.parse(time))) return null;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return null;
  return { time, id };
}

const insertColumns = ['tenant_id', 'severity', 'table_name', 'message', 'action', 'simon_id', 'provider_id', 'workflow_id', 'run_id'] as const;
const insertChunk = 1000;

/** A row of integration.log_entries as postgres.js writes and reads it (column names). */
interface LogColumns {
  tenant_id: string;
  severity: Severity;
  table_name: LogTable;
  message: string;
  action: string;
  simon_id: string | null;
  provider_id: string | null;
  workflow_id: string | null;
  run_id: string | null;
}

interface LogInsertRow extends LogColumns {
  created_at?: Date;
}
const severitySet = new Set<string>(severities);
const tableSet = new Set<string>(logTables);

/**
 * Writes log entries in bulk with the raw postgres.js client (`sql(rows, columns)`), in one transaction.
 * Returns the number of rows written.
 */
export async function appendLogEntries(database: Database, entries: readonly NewLogEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const withTime: LogInsertRow[] = [];
  const withoutTime: LogInsertRow[] = [];
  for (const e of entries) {
    if (!severitySet.has(e.severity)) throw new TypeError(`Unknown log severity: ${String(e.severity)}`);
    if (!tableSet.has(e.table)) throw new TypeError(`Unknown log table: ${String(e.table)}`);
    if (!e.tenantId) throw new TypeError('A log entry needs a tenantId');
    const row: LogInsertRow = {
      tenant_id: e.tenantId,
      severity: e.severity,
      table_name: e.table,
      message: e.message,
      action: e.action,
      simon_id: e.simonId ?? null,
      provider_id: e.providerId ?? null,
      workflow_id: e.workflowId ?? null,
      run_id: e.runId ?? null,
    };
    if (e.createdAt) {
      row.created_at = e.createdAt;
      withTime.push(row);
    } else {
      withoutTime.push(row);
    }
  }

  const statements: ((sql: Sql) => Promise<unknown>)[] = [];
  for (let i = 0; i < withoutTime.length; i += insertChunk) {
    const chunk = withoutTime.slice(i, i + insertChunk);
    statements.push((sql) => sql`insert into integration.log_entries ${sql(chunk, ...insertColumns)}`);
  }
  for (let i = 0; i < withTime.length; i += insertChunk) {
    const chunk = withTime.slice(i, i + insertChunk);
    statements.push((sql) => sql`insert into integration.log_entries ${sql(chunk, ...insertColumns, 'created_at')}`);
  }
  if (statements.length === 1) {
    await statements[0](database.sql);
  } else {
    await database.sql.begin(async (tx) => {
      for (const run of statements) await run(tx as unknown as Sql);
    });
  }
  return entries.length;
}

function normalize<T extends string>(values: readonly T[] | undefined, all: readonly T[]): T[] | undefined {
  if (!values || values.length === 0) return undefined;
  const unique = [...new Set(values)];
  // Asking for every value is asking for no filter, which the plain (tenant, time) index serves best.
  return unique.length >= all.length ? undefined : unique;
}

interface LogRow extends LogColumns {
  id: string | number;
  created_at: Date;
  cursor_time: string;
}

/**
 * One page of a tenant's log, newest first, keyset-paged on (created_at desc, id desc).
 * Several severities (or tables) become a UNION ALL of one ordered index scan per value, each stopping after
 * `limit + 1` rows, so a deep page costs the same as the first (perf-baselines §3, index A); `IN (...)` on the
 * leading index column would make Postgres read and sort every matching row.
 * `nulls last` matters: the indexes are `DESC NULLS LAST` and a plain `desc` (nulls first) does not match them,
 * which turns the ordered scan into a bitmap scan plus sort of all the tenant's matching rows (~100x slower).
 */
export async function pageLogs(database: Database, options: PageLogsOptions): Promise<LogPage> {
  const { tenantId } = options;
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_LOG_PAGE_SIZE), 1), MAX_LOG_PAGE_SIZE);
  let after: LogCursor | null = null;
  if (options.cursor !== undefined && options.cursor !== '') {
    after = decodeLogCursor(options.cursor);
    if (!after) throw new InvalidLogCursorError();
  }
  const sevs = normalize(options.severities, severities);
  const tabs = normalize(options.tables, logTables);
  const sql = database.sql;
  const take = limit + 1;

  const columns = sql`id, tenant_id, created_at, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id,
    to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_time`;
  // `::text` first: a parameter typed timestamptz would go through postgres.js's Date serializer and lose the microseconds.
  const afterCursor = after ? sql`and (created_at, id) < (${after.time}::text::timestamptz, ${after.id}::bigint)` : sql``;
  const branch = (filter: postgres.Fragment) => sql`(
    select ${columns} from integration.log_entries
    where tenant_id = ${tenantId} ${filter} ${afterCursor}
    order by created_at desc nulls last, id desc nulls last
    limit ${take}
  )`;

  let branches: postgres.Fragment[];
  if (sevs && tabs) {
    branches = sevs.map((s) => branch(sql`and severity = ${s} and table_name in ${sql(tabs)}`));
  } else if (sevs) {
    branches = sevs.map((s) => branch(sql`and severity = ${s}`));
  } else if (tabs) {
    branches = tabs.map((t) => branch(sql`and table_name = ${t}`));
  } else {
    branches = [branch(sql``)];
  }

  const unioned = branches.reduce((acc, b) => sql`${acc} union all ${b}`);
  const rows = branches.length === 1
    ? await sql<LogRow[]>`${unioned}`
    : await sql<LogRow[]>`select * from (${unioned}) as page order by created_at desc nulls last, id desc nulls last limit ${take}`;

  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    entries: pageRows.map(toLogEntry),
    nextCursor: rows.length > limit && last ? encodeLogCursor({ time: last.cursor_time, id: Number(last.id) }) : null,
  };
}

function toLogEntry(row: LogRow): LogEntry {
  return {
    id: Number(row.id),
    tenantId: row.tenant_id,
    createdAt: row.created_at,
    severity: row.severity,
    table: row.table_name,
    message: row.message,
    action: row.action,
    simonId: row.simon_id,
    providerId: row.provider_id,
    workflowId: row.workflow_id,
    runId: row.run_id,
  };
}

/**
 * The newest log entry time per table (docs/log.md "highest mutation date per table"), null for a table without
 * entries. One backward index probe per table on (tenant_id, table_name, created_at desc).
 */
export async function highestMutationPerTable(database: Database, tenantId: string): Promise<Record<LogTable, Date | null>> {
  const sql = database.sql;
  // One scalar subquery per table, glued with UNION ALL (no array parameter: postgres.js can only serialize
  // those once it has loaded the array types, which races with the first query on a new connection).
  const perTable = logTables.map(
    (table) => sql`select ${table}::text as table_name,
      (select max(l.created_at) from integration.log_entries l where l.tenant_id = ${tenantId} and l.table_name = ${table}::text) as highest`,
  );
  const rows = await sql<{ table_name: LogTable; highest: Date | null }[]>`${perTable.reduce((acc, q) => sql`${acc} union all ${q}`)}`;
  const out = Object.fromEntries(logTables.map((t) => [t, null])) as Record<LogTable, Date | null>;
  for (const row of rows) out[row.table_name] = row.highest;
  return out;
}

/**
 * The log page's companions in one single-row statement: whether the tenant exists (the 404) and the newest entry
 * time per table (as highestMutationPerTable), so GET …/logs waits for one round trip beside its page query.
 */
export async function logPageSummary(database: Database, tenantId: string): Promise<{ known: boolean; highest: Record<LogTable, Date | null> }> {
  const sql = database.sql;
  const perTable = logTables.map(
    (table, i) => sql`, (select max(l.created_at) from integration.log_entries l where l.tenant_id = ${tenantId} and l.table_name = ${table}::text) as ${sql(`t${i}`)}`,
  );
  const [row] = await sql<Record<string, Date | null | boolean>[]>`
    select exists (select 1 from integration.integrations where tenant_id = ${tenantId}) as known ${perTable}`;
  return {
    known: row?.known === true,
    highest: Object.fromEntries(logTables.map((t, i) => [t, (row?.[`t${i}`] as Date | null | undefined) ?? null])) as Record<LogTable, Date | null>,
  };
}
