import type { ProviderId } from '../../lib/providers.js';
import type { Sql } from '../client.js';
import type { Entity } from '../../lib/providers.js';
import type { ExternalArticle, ExternalArticleGroup, ExternalCustomer } from '../../lib/records.js';
import type { LogText } from '../../lib/messages.js';
import type { LogTable } from '../schema.js';

/**
 * Bulk upserts of one page of provider records into the Simon tables, with the integration-log entry for
 * every created or changed row written by the same statement (so a page is logged exactly when it lands).
 * The `is distinct from` guard makes an unchanged record a no-op: an idle sync writes no rows at all.
 * A record that is inactive upstream is never inserted, only an existing one is marked inactive: otherwise a
 * full-listing sync would bring back every inactive record the cleanup removed. Whether such a record exists is a
 * scalar sub-select with `limit 1`, one index probe per inactive record: written as `exists (…)` inside the `or`,
 * Postgres turned it into a hashed sub-plan that read all the tenant's rows for every page holding an inactive
 * record, which made a 100,000-record import quadratic (docs/import.md).
 * Raw postgres.js with a single JSON parameter: several times cheaper than drizzle's builder (docs/import.md).
 */

export interface RunRef {
  workflowId: string | null;
  runId: string | null;
}

export interface LogTexts {
  created: LogText;
  changed: LogText;
}

export interface UpsertCounts {
  created: number;
  changed: number;
}

type Fragment = ReturnType<Sql['unsafe']>;

/**
 * One entity's page upsert as data: the table and its columns, the conflict target, the external_refs entity and
 * the log table. Table and column names are constants of this module, never input, so they are written into the
 * statement as text; every value is a parameter.
 */
interface PageUpsert<R> {
  table: 'simon.article_groups' | 'simon.articles' | 'simon.customers';
  entity: Entity;
  logTable: LogTable;
  /** A record as one element of the page's JSON parameter. */
  row: (r: R) => Record<string, unknown>;
  /** The JSON elements' columns and types (`json_to_recordset`). */
  recordset: string;
  /** The input rows: `select … from` the recordset, aliased `x`, with what else they need (may use the tenant id). */
  input: (sql: Sql, recordset: Fragment, tenantId: string) => Fragment;
  /** The columns written from the input, compared by the `is distinct from` guard and updated on a change. */
  columns: readonly string[];
  /** An insert value other than the column itself. */
  insertValues?: Readonly<Record<string, string>>;
}

/** The conflict target of every page upsert: a record is its provider id within the tenant. */
const conflictTarget = '(tenant_id, external_id)';

const plainInput = (sql: Sql, recordset: Fragment) => sql`select * from ${recordset}`;

const articleGroupsUpsert: PageUpsert<ExternalArticleGroup> = {
  table: 'simon.article_groups',
  entity: 'article_groups',
  logTable: 'Artikel Groep',
  row: (r) => ({ external_id: r.externalId, code: r.code, description: r.description, active: r.active }),
  recordset: 'external_id text, code text, description text, active boolean',
  input: plainInput,
  columns: ['code', 'description', 'active'],
  insertValues: { description: "coalesce(description, '')" },
};

const articlesUpsert: PageUpsert<ExternalArticle> = {
  table: 'simon.articles',
  entity: 'articles',
  logTable: 'Artikel',
  row: (r) => ({
    external_id: r.externalId, code: r.code, description: r.description, sales_price: r.salesPrice, unit: r.unit,
    group_external_id: r.groupExternalId, active: r.active,
  }),
  recordset: 'external_id text, code text, description text, sales_price numeric, unit text, group_external_id text, active boolean',
  input: (sql, recordset, tenantId) => sql`
      select x.*, g.id as group_id
      from ${recordset}
      left join simon.article_groups g on g.tenant_id = ${tenantId} and g.external_id = x.group_external_id`,
  columns: ['code', 'description', 'sales_price', 'unit', 'group_external_id', 'group_id', 'active'],
  insertValues: { description: "coalesce(description, '')" },
};

const customersUpsert: PageUpsert<ExternalCustomer> = {
  table: 'simon.customers',
  entity: 'customers',
  logTable: 'Klant',
  row: (r) => ({
    external_id: r.externalId, number: r.number, name: r.name, street: r.address?.street ?? null, postal_code: r.address?.postalCode ?? null,
    city: r.address?.city ?? null, country: r.address?.country ?? null, email: r.email, phone: r.phone, active: r.active,
  }),
  recordset: 'external_id text, number text, name text, street text, postal_code text, city text, country text, email text, phone text, active boolean',
  input: plainInput,
  columns: ['number', 'name', 'street', 'postal_code', 'city', 'country', 'email', 'phone', 'active'],
};

/** What a statement adds after the entity's own CTEs (`input`, `up`, `refs`, `logs`), and its final select. */
interface UpsertTail {
  ctes: Fragment;
  select: Fragment;
}

/**
 * The single statement of one page: the `input` rows, the upsert `up` (an inactive record is inserted only when it
 * exists already; an unchanged one writes nothing), the `refs` of new rows and a log entry per created or changed
 * row. Without a tail it returns the counts of created and changed rows.
 */
function pageUpsert<R, Row extends object = { created: number; changed: number }>(
  sql: Sql, spec: PageUpsert<R>, tenantId: string, provider: ProviderId, records: readonly R[], run: RunRef, texts: LogTexts, tail?: UpsertTail,
) {
  const u = (text: string) => sql.unsafe(text);
  const literal = (text: string) => u(`'${text.replaceAll("'", "''")}'`);
  const recordset = sql`json_to_recordset(${JSON.stringify(records.map(spec.row))}::text::json) as x(${u(spec.recordset)})`;
  const insertColumns = ['tenant_id', 'external_id', ...spec.columns, 'integration_updated_at'].join(', ');
  const insertValues = ['external_id', ...spec.columns.map((c) => spec.insertValues?.[c] ?? c)].join(', ');
  const set = spec.columns.map((c) => `${c} = excluded.${c}`).join(', ');
  const current = spec.columns.map((c) => `t.${c}`).join(', ');
  const incoming = spec.columns.map((c) => `excluded.${c}`).join(', ');
  return sql<Row[]>`
    with input as (${spec.input(sql, recordset, tenantId)}
    ), up as (
      insert into ${u(spec.table)} as t (${u(insertColumns)})
      select ${tenantId}, ${u(insertValues)}, now() from input
      where active or coalesce((select true from ${u(spec.table)} e where e.tenant_id = ${tenantId} and e.external_id = input.external_id limit 1), false)
      on conflict ${u(conflictTarget)} do update
        set ${u(set)},
            integration_updated_at = now(), updated_at = now()
        where (${u(current)}) is distinct from (${u(incoming)})
      returning t.id, t.external_id, (xmax = 0) as inserted
    ), refs as (
      insert into integration.external_refs (tenant_id, provider, entity, external_id, simon_id)
      select ${tenantId}, ${provider}, ${literal(spec.entity)}, external_id, id::text from up where inserted
      on conflict do nothing
    ), logs as (
      insert into integration.log_entries (tenant_id, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id)
      select ${tenantId}, 'info', ${literal(spec.logTable)},
        case when inserted then ${texts.created.message} else ${texts.changed.message} end,
        case when inserted then ${texts.created.action} else ${texts.changed.action} end,
        id::text, external_id, ${run.workflowId}, ${run.runId} from up
    )${tail ? tail.ctes : u('')}
    ${tail ? tail.select : u('select count(*) filter (where inserted)::int as created, count(*) filter (where not inserted)::int as changed from up')}`;
}

function counts(rows: readonly { created: number; changed: number }[]): UpsertCounts {
  const r = rows[0];
  return { created: Number(r?.created ?? 0), changed: Number(r?.changed ?? 0) };
}

export async function upsertArticleGroups(sql: Sql, tenantId: string, provider: ProviderId, records: ExternalArticleGroup[], run: RunRef, texts: LogTexts): Promise<UpsertCounts> {
  if (records.length === 0) return { created: 0, changed: 0 };
  return counts(await pageUpsert(sql, articleGroupsUpsert, tenantId, provider, records, run, texts));
}

export async function upsertArticles(sql: Sql, tenantId: string, provider: ProviderId, records: ExternalArticle[], run: RunRef, texts: LogTexts): Promise<UpsertCounts> {
  if (records.length === 0) return { created: 0, changed: 0 };
  return counts(await pageUpsert(sql, articlesUpsert, tenantId, provider, records, run, texts));
}

export async function upsertCustomers(
  sql: Sql, tenantId: string, provider: ProviderId, records: ExternalCustomer[], run: RunRef,
  texts: LogTexts & { addressAdded: LogText },
): Promise<UpsertCounts & { addressesAdded: number }> {
  if (records.length === 0) return { created: 0, changed: 0, addressesAdded: 0 };
  const addresses = records.flatMap((r) => r.workAddresses.map((w) => ({
    customer_external_id: r.externalId, external_id: `${r.externalId}/${w.origin}`, origin: w.origin, name: w.address.name ?? r.name,
    street: w.address.street, postal_code: w.address.postalCode, city: w.address.city, country: w.address.country ?? null,
  })));
  // One statement for the page: customers, their references and log entries, the work addresses (of customers new in
  // this statement, from `up`, or already there) and theirs, so a page costs one round trip and needs no transaction.
  const rows = await pageUpsert<ExternalCustomer, { created: number; changed: number; addresses_added: number }>(sql, customersUpsert, tenantId, provider, records, run, texts, {
    ctes: sql`, address_input as (
      select * from json_to_recordset(${JSON.stringify(addresses)}::text::json) as x(customer_external_id text, external_id text, origin text, name text, street text, postal_code text, city text, country text)
    ), owners as (
      select id, external_id from up
      union
      select c.id, c.external_id from simon.customers c
      where c.tenant_id = ${tenantId} and c.external_id in (select customer_external_id from address_input)
    ), address_up as (
      insert into simon.work_addresses as t (tenant_id, customer_id, external_id, origin, name, street, postal_code, city, country, integration_updated_at)
      select ${tenantId}, o.id, a.external_id, a.origin, a.name, a.street, a.postal_code, a.city, a.country, now()
      from address_input a join owners o on o.external_id = a.customer_external_id
      on conflict (tenant_id, external_id) do update
        set name = excluded.name, street = excluded.street, postal_code = excluded.postal_code, city = excluded.city, country = excluded.country,
            integration_updated_at = now(), updated_at = now()
        where (t.name, t.street, t.postal_code, t.city, t.country) is distinct from (excluded.name, excluded.street, excluded.postal_code, excluded.city, excluded.country)
      returning t.id, t.external_id, (xmax = 0) as inserted
    ), address_logs as (
      insert into integration.log_entries (tenant_id, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id)
      select ${tenantId}, 'info', 'Werkadres', ${texts.addressAdded.message}, ${texts.addressAdded.action}, id::text, external_id, ${run.workflowId}, ${run.runId}
      from address_up where inserted
    )`,
    select: sql`
    select (select count(*) filter (where inserted) from up)::int as created, (select count(*) filter (where not inserted) from up)::int as changed,
      (select count(*) filter (where inserted) from address_up)::int as addresses_added`,
  });
  return { ...counts(rows), addressesAdded: Number(rows[0]?.addresses_added ?? 0) };
}

// ---------------------------------------------------------------- sync state

export interface SyncStateRow {
  cursor: string | null;
  phase: 'initial' | 'incremental';
  recordsDone: number;
}

export async function readSyncState(sql: Sql, tenantId: string, entity: Entity): Promise<SyncStateRow> {
  const rows = await sql<{ cursor: string | null; phase: 'initial' | 'incremental'; records_done: number }[]>`
    select cursor, phase, records_done from integration.sync_state where tenant_id = ${tenantId} and entity = ${entity}`;
  const r = rows[0];
  return r ? { cursor: r.cursor, phase: r.phase, recordsDone: r.records_done } : { cursor: null, phase: 'initial', recordsDone: 0 };
}

/** A listing starts: progress back to 0 (the status API shows it per entity). */
export async function markListingStarted(sql: Sql, tenantId: string, entity: Entity): Promise<void> {
  await sql`
    insert into integration.sync_state (tenant_id, entity, records_done, records_total, last_run_started_at, updated_at)
    values (${tenantId}, ${entity}, 0, null, now(), now())
    on conflict (tenant_id, entity) do update set records_done = 0, records_total = null, last_run_started_at = now(), last_error = null, updated_at = now()`;
}

export async function recordProgress(sql: Sql, tenantId: string, entity: Entity, done: number, total: number | null): Promise<void> {
  await sql`
    update integration.sync_state set records_done = ${done}, records_total = ${total}, updated_at = now()
    where tenant_id = ${tenantId} and entity = ${entity}`;
}

/** The whole listing landed: remember the high-water mark for the next incremental run. */
export async function markListingComplete(sql: Sql, tenantId: string, entity: Entity, highWaterMark: string | null, done: number): Promise<void> {
  await sql`
    insert into integration.sync_state (tenant_id, entity, cursor, phase, records_done, last_success_at, updated_at)
    values (${tenantId}, ${entity}, ${highWaterMark}, 'incremental', ${done}, now(), now())
    on conflict (tenant_id, entity) do update
      set cursor = ${highWaterMark}, phase = 'incremental', records_done = ${done}, records_total = coalesce(integration.sync_state.records_total, ${done}),
          last_success_at = now(), last_error = null, updated_at = now()`;
}

export async function recordSyncError(sql: Sql, tenantId: string, entity: Entity, message: string): Promise<void> {
  await sql`update integration.sync_state set last_error = ${message}, updated_at = now() where tenant_id = ${tenantId} and entity = ${entity}`;
}

/** One entity's sync state as the scheduled run reads it (readSyncContext). */
export interface SyncContextState extends SyncStateRow {
  entity: Entity;
  /** A listing started and has not completed since (running elsewhere, or failed). */
  listingOpen: boolean;
}

export interface SyncContext {
  provider: ProviderId;
  status: string;
  /** The sealed credentials (null: none stored). */
  sealed: string | null;
  /** The settings version in force now (null before the first save). */
  settingsVersion: { id: number; settings: Record<string, unknown> } | null;
  states: SyncContextState[];
}

/**
 * What every sync activity reads, in one statement (docs/idle-sync.md): the integration row, the sealed credentials,
 * the settings version in force and every entity's sync state. Null when the tenant has no integration row.
 */
export async function readSyncContext(sql: Sql, tenantId: string): Promise<SyncContext | null> {
  const rows = await sql<{ provider: ProviderId; status: string; sealed: string | null; settings_version: SyncContext['settingsVersion']; states: { entity: Entity; cursor: string | null; phase: 'initial' | 'incremental'; records_done: number; listing_open: boolean }[] }[]>`
    select i.provider, i.status, c.sealed,
      (select json_build_object('id', v.id, 'settings', v.settings) from integration.settings_versions v
        where v.tenant_id = i.tenant_id and v.effective_from <= now() order by v.effective_from desc, v.version desc limit 1) as settings_version,
      (select coalesce(json_agg(json_build_object('entity', s.entity, 'cursor', s.cursor, 'phase', s.phase, 'records_done', s.records_done,
          'listing_open', coalesce(s.last_run_started_at > coalesce(s.last_success_at, '-infinity'::timestamptz), false))), '[]'::json)
        from integration.sync_state s where s.tenant_id = i.tenant_id) as states
    from integration.integrations i left join integration.credentials c on c.tenant_id = i.tenant_id
    where i.tenant_id = ${tenantId}`;
  const r = rows[0];
  if (!r) return null;
  return {
    provider: r.provider,
    status: r.status,
    sealed: r.sealed,
    settingsVersion: r.settings_version,
    states: r.states.map((s) => ({ entity: s.entity, cursor: s.cursor, phase: s.phase, recordsDone: s.records_done, listingOpen: s.listing_open })),
  };
}

/** Idle entities of a scheduled run: their listing is as it was, so the sync succeeded without a row written. */
export async function markListingsUnchanged(sql: Sql, tenantId: string, entities: Entity[]): Promise<void> {
  if (entities.length === 0) return;
  await sql`
    update integration.sync_state set last_success_at = now(), last_error = null, updated_at = now()
    where tenant_id = ${tenantId} and entity = any(${entities}::text[])`;
}

/**
 * "Sync now" asked for these entities: their listing counts as open from now on, so a scheduled run looks at
 * Temporal before it lists them too (activities/sync.ts syncRound), even before the sync's first page.
 */
export async function markListingsRequested(sql: Sql, tenantId: string, entities: Entity[]): Promise<void> {
  await sql`
    update integration.sync_state set last_run_started_at = now(), updated_at = now()
    where tenant_id = ${tenantId} and entity = any(${entities}::text[])`;
}
