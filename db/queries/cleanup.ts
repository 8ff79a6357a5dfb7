import type { ProviderId } from '../../lib/providers.js';
import type { TransactionSql } from 'postgres';
import type { Sql } from '../client.js';
import type { Entity } from '../../lib/providers.js';
import type { LogText, RemovalReason } from '../../lib/messages.js';
import type { LogTable } from '../schema.js';
import type { RunRef } from './sync.js';

/**
 * The delete side of the cleanup (docs/sync.md "Cleanup"). The activity decides *what* is gone upstream from a
 * complete listing; these functions remove it, each entity in one transaction, and write the log entry of
 * every removal in that same transaction, driven by `delete … returning`: a retry removes (and logs) only
 * what is still there, so deletes are idempotent.
 *
 * "In use" = referenced by a work order that is not archived (customer, work address, or material line).
 * Such a record is deactivated instead, with a warning; the guard is repeated inside every delete so a work
 * order written between the check and the delete still protects its record (it is then left for the next run).
 */

/** A Simon row the cleanup wants gone, and why. */
export interface RemovalCandidate {
  id: string;
  externalId: string | null;
  reason: RemovalReason;
}

export interface SimonRowRef {
  id: string;
  externalId: string | null;
}

export interface ImportedAddressRef {
  id: string;
  customerId: string;
  externalId: string;
}

const simonTable: Record<Entity, string> = {
  article_groups: 'simon.article_groups',
  articles: 'simon.articles',
  customers: 'simon.customers',
};

const json = (v: unknown) => JSON.stringify(v);

/** The database clock, so "created before the listing started" compares like with like. */
export async function databaseNow(sql: Sql): Promise<string> {
  const rows = await sql<{ now: string }[]>`select now()::text as now`;
  return rows[0].now;
}

/**
 * The tenant's rows of one entity that existed before the listing started. Rows created later (a sync that
 * ran during the listing) may be missing from the listing for that reason alone, so they are never candidates.
 */
export async function rowsCreatedBefore(sql: Sql, tenantId: string, entity: Entity, before: string): Promise<SimonRowRef[]> {
  const rows = await sql.unsafe<{ id: string; external_id: string | null }[]>(
    `select id::text as id, external_id from ${simonTable[entity]} where tenant_id = $1 and created_at < $2::timestamptz`,
    [tenantId, before],
  );
  return rows.map((r) => ({ id: r.id, externalId: r.external_id }));
}

/** Work addresses that came from the accounting package (not added in Simon), created before the listing started. */
export async function importedAddressesCreatedBefore(sql: Sql, tenantId: string, before: string): Promise<ImportedAddressRef[]> {
  const rows = await sql<{ id: string; customer_id: string; external_id: string }[]>`
    select id::text as id, customer_id::text as customer_id, external_id from simon.work_addresses
    where tenant_id = ${tenantId} and origin <> 'simon' and external_id is not null and created_at < ${before}::timestamptz`;
  return rows.map((r) => ({ id: r.id, customerId: r.customer_id, externalId: r.external_id }));
}

// ---------------------------------------------------------------- log entries

interface LogRow {
  severity: 'info' | 'warning';
  table: LogTable;
  text: LogText;
  simonId: string;
  providerId: string | null;
}

/**
 * Inserts log rows. A warning already written for the same record by this workflow run (an activity retry)
 * is not written twice; a later run warns again, as long as the record stays in use.
 */
async function insertLogs(sql: Sql | TransactionSql, tenantId: string, run: RunRef, rows: LogRow[]): Promise<void> {
  if (rows.length === 0) return;
  const input = json(rows.map((r) => ({
    severity: r.severity, table_name: r.table, message: r.text.message, action: r.text.action, simon_id: r.simonId, provider_id: r.providerId,
  })));
  await sql`
    insert into integration.log_entries (tenant_id, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id)
    select ${tenantId}, x.severity, x.table_name, x.message, x.action, x.simon_id, x.provider_id, ${run.workflowId}, ${run.runId}
    from json_to_recordset(${input}::text::json) as x(severity text, table_name text, message text, action text, simon_id text, provider_id text)
    where x.severity <> 'warning' or not exists (
      select 1 from integration.log_entries l
      where l.tenant_id = ${tenantId} and l.severity = 'warning' and l.created_at > now() - interval '1 day'
        and l.run_id = ${run.runId} and l.simon_id = x.simon_id and l.message = x.message)`;
}

async function deleteRefs(sql: Sql | TransactionSql, tenantId: string, provider: ProviderId, entity: Entity, removed: { externalId: string | null }[]): Promise<void> {
  const externalIds = removed.map((r) => r.externalId).filter((e): e is string => e !== null);
  if (externalIds.length === 0) return;
  await sql`
    delete from integration.external_refs
    where tenant_id = ${tenantId} and provider = ${provider} and entity = ${entity}
      and external_id in (select value from json_array_elements_text(${json(externalIds)}::text::json))`;
}

const byId = (candidates: RemovalCandidate[]) => new Map(candidates.map((c) => [c.id, c]));

/**
 * The rows of `table` (aliased `alias`) that `where` selects, the ones still in use, deactivated (those active) and
 * returned, in one statement. `where` uses the caller's parameters; `withCustomer` also returns the row's customer id.
 */
async function deactivateInUse<Row extends { id: string; external_id: string | null }>(
  tx: TransactionSql, table: string, alias: string, where: string, params: string[], withCustomer = false,
): Promise<Row[]> {
  return tx.unsafe<Row[]>(
    `with used as (
       select ${alias}.id, ${withCustomer ? `${alias}.customer_id, ` : ''}${alias}.external_id, ${alias}.active from ${table} ${alias}
       where ${where}
     ), off as (
       update ${table} t set active = false, updated_at = now(), integration_updated_at = now()
       from used where t.id = used.id and used.active
     )
     select id::text as id, ${withCustomer ? 'customer_id::text as customer_id, ' : ''}external_id from used`,
    params,
  );
}

export interface RemovalTally {
  removed: number;
  deactivated: number;
}

export interface CleanupTexts {
  removed: (reason: RemovalReason) => LogText;
  inUse: (reason: RemovalReason) => LogText;
}

// ---------------------------------------------------------------- article groups

/** Article groups are never on a work order; articles keep their row (group_id is set null by the foreign key). */
export async function removeArticleGroups(
  sql: Sql, tenantId: string, provider: ProviderId, candidates: RemovalCandidate[], run: RunRef, texts: Pick<CleanupTexts, 'removed'>,
): Promise<RemovalTally> {
  if (candidates.length === 0) return { removed: 0, deactivated: 0 };
  const reasons = byId(candidates);
  return sql.begin(async (tx) => {
    const removed = await tx<{ id: string; external_id: string | null }[]>`
      delete from simon.article_groups
      where tenant_id = ${tenantId} and id in (select value::uuid from json_array_elements_text(${json([...reasons.keys()])}::text::json))
      returning id::text as id, external_id`;
    await insertLogs(tx, tenantId, run, removed.map((r) => ({
      severity: 'info', table: 'Artikel Groep', text: texts.removed(reasons.get(r.id)!.reason), simonId: r.id, providerId: r.external_id,
    })));
    await deleteRefs(tx, tenantId, provider, 'article_groups', removed.map((r) => ({ externalId: r.external_id })));
    return { removed: removed.length, deactivated: 0 };
  });
}

// ---------------------------------------------------------------- articles

/** For queries whose $1 is the tenant id and whose articles are aliased `a`. */
const articleInUse = `
  exists (
    select 1 from simon.work_order_materials m
    join simon.work_orders wo on wo.tenant_id = m.tenant_id and wo.id = m.work_order_id
    where m.tenant_id = $1 and m.article_id = a.id and wo.status <> 'archived')`;

export async function removeArticles(
  sql: Sql, tenantId: string, provider: ProviderId, candidates: RemovalCandidate[], run: RunRef, texts: CleanupTexts,
): Promise<RemovalTally> {
  if (candidates.length === 0) return { removed: 0, deactivated: 0 };
  const reasons = byId(candidates);
  const ids = json([...reasons.keys()]);
  return sql.begin(async (tx) => {
    const kept = await deactivateInUse(
      tx, 'simon.articles', 'a',
      `a.tenant_id = $1 and a.id in (select value::uuid from json_array_elements_text($2::text::json)) and ${articleInUse}`,
      [tenantId, ids],
    );
    await insertLogs(tx, tenantId, run, kept.map((r) => ({
      severity: 'warning', table: 'Artikel', text: texts.inUse(reasons.get(r.id)!.reason), simonId: r.id, providerId: r.external_id,
    })));
    const removed = await tx.unsafe<{ id: string; external_id: string | null }[]>(
      `delete from simon.articles a
       where a.tenant_id = $1 and a.id in (select value::uuid from json_array_elements_text($2::text::json)) and not ${articleInUse}
       returning a.id::text as id, a.external_id`,
      [tenantId, ids],
    );
    await insertLogs(tx, tenantId, run, removed.map((r) => ({
      severity: 'info', table: 'Artikel', text: texts.removed(reasons.get(r.id)!.reason), simonId: r.id, providerId: r.external_id,
    })));
    await deleteRefs(tx, tenantId, provider, 'articles', removed.map((r) => ({ externalId: r.external_id })));
    return { removed: removed.length, deactivated: kept.length };
  });
}

// ---------------------------------------------------------------- customers and their work addresses

export interface CustomerRemovalTally extends RemovalTally {
  addressesRemoved: number;
  addressesDeactivated: number;
}

export interface CustomerCleanupTexts extends CleanupTexts {
  addressRemoved: LogText;
  addressInUse: LogText;
}

/**
 * Removes customers with all their work addresses (imported and Simon-added alike, docs/sync.md "Cleanup"). A customer
 * whose own row or one of whose addresses is on a work order that is not archived is deactivated instead,
 * together with the addresses in use; its other addresses stay with it.
 */
export async function removeCustomers(
  sql: Sql, tenantId: string, provider: ProviderId, candidates: RemovalCandidate[], run: RunRef, texts: CustomerCleanupTexts,
): Promise<CustomerRemovalTally> {
  if (candidates.length === 0) return { removed: 0, deactivated: 0, addressesRemoved: 0, addressesDeactivated: 0 };
  const reasons = byId(candidates);
  const ids = json([...reasons.keys()]);
  return sql.begin(async (tx) => {
    const openOrders = `(select customer_id, work_address_id from simon.work_orders where tenant_id = $1 and status <> 'archived')`;
    const usedAddresses = await deactivateInUse<{ id: string; customer_id: string; external_id: string | null }>(
      tx, 'simon.work_addresses', 'wa',
      `wa.tenant_id = $1 and wa.customer_id in (select value::uuid from json_array_elements_text($2::text::json))
           and wa.id in (select work_address_id from ${openOrders} o where work_address_id is not null)`,
      [tenantId, ids], true,
    );
    const keptCustomers = await deactivateInUse(
      tx, 'simon.customers', 'c',
      `c.tenant_id = $1 and c.id in (select value::uuid from json_array_elements_text($2::text::json))
           and (c.id in (select customer_id from ${openOrders} o where customer_id is not null)
                or c.id in (select value::uuid from json_array_elements_text($3::text::json)))`,
      [tenantId, ids, json(usedAddresses.map((a) => a.customer_id))],
    );
    await insertLogs(tx, tenantId, run, [
      ...keptCustomers.map((r): LogRow => ({
        severity: 'warning', table: 'Klant', text: texts.inUse(reasons.get(r.id)!.reason), simonId: r.id, providerId: r.external_id,
      })),
      ...usedAddresses.map((r): LogRow => ({ severity: 'warning', table: 'Werkadres', text: texts.addressInUse, simonId: r.id, providerId: r.external_id })),
    ]);

    const kept = new Set(keptCustomers.map((r) => r.id));
    const removable = json([...reasons.keys()].filter((id) => !kept.has(id)));
    // Addresses first and explicitly, so each gets its own log entry (the foreign key's cascade would not log).
    const removedAddresses = await tx.unsafe<{ id: string; external_id: string | null }[]>(
      `delete from simon.work_addresses wa
       where wa.tenant_id = $1 and wa.customer_id in (select value::uuid from json_array_elements_text($2::text::json))
         and wa.id not in (select work_address_id from ${openOrders} o where work_address_id is not null)
         and wa.customer_id not in (select customer_id from ${openOrders} o where customer_id is not null)
       returning wa.id::text as id, wa.external_id`,
      [tenantId, removable],
    );
    const removed = await tx.unsafe<{ id: string; external_id: string | null }[]>(
      `delete from simon.customers c
       where c.tenant_id = $1 and c.id in (select value::uuid from json_array_elements_text($2::text::json))
         and c.id not in (select customer_id from ${openOrders} o where customer_id is not null)
         and not exists (select 1 from simon.work_addresses wa where wa.customer_id = c.id)
       returning c.id::text as id, c.external_id`,
      [tenantId, removable],
    );
    await insertLogs(tx, tenantId, run, [
      ...removedAddresses.map((r): LogRow => ({ severity: 'info', table: 'Werkadres', text: texts.addressRemoved, simonId: r.id, providerId: r.external_id })),
      ...removed.map((r): LogRow => ({
        severity: 'info', table: 'Klant', text: texts.removed(reasons.get(r.id)!.reason), simonId: r.id, providerId: r.external_id,
      })),
    ]);
    await deleteRefs(tx, tenantId, provider, 'customers', removed.map((r) => ({ externalId: r.external_id })));
    return { removed: removed.length, deactivated: keptCustomers.length, addressesRemoved: removedAddresses.length, addressesDeactivated: usedAddresses.length };
  });
}

/**
 * Imported work addresses whose source address disappeared upstream while the customer stays (docs/sync.md "Cleanup"):
 * removed, or deactivated with a warning while a work order that is not archived uses them.
 */
export async function removeWorkAddresses(
  sql: Sql, tenantId: string, ids: string[], run: RunRef, texts: { removed: LogText; inUse: LogText },
): Promise<RemovalTally> {
  if (ids.length === 0) return { removed: 0, deactivated: 0 };
  const input = json(ids);
  return sql.begin(async (tx) => {
    const inUse = `wa.id in (select work_address_id from simon.work_orders where tenant_id = $1 and status <> 'archived' and work_address_id is not null)`;
    const kept = await deactivateInUse(
      tx, 'simon.work_addresses', 'wa',
      `wa.tenant_id = $1 and wa.id in (select value::uuid from json_array_elements_text($2::text::json)) and ${inUse}`,
      [tenantId, input],
    );
    const removed = await tx.unsafe<{ id: string; external_id: string | null }[]>(
      `delete from simon.work_addresses wa
       where wa.tenant_id = $1 and wa.id in (select value::uuid from json_array_elements_text($2::text::json)) and not (${inUse})
       returning wa.id::text as id, wa.external_id`,
      [tenantId, input],
    );
    await insertLogs(tx, tenantId, run, [
      ...kept.map((r): LogRow => ({ severity: 'warning', table: 'Werkadres', text: texts.inUse, simonId: r.id, providerId: r.external_id })),
      ...removed.map((r): LogRow => ({ severity: 'info', table: 'Werkadres', text: texts.removed, simonId: r.id, providerId: r.external_id })),
    ]);
    return { removed: removed.length, deactivated: kept.length };
  });
}
