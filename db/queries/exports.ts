import type { ProviderId } from '../../lib/providers.js';
import { and, desc, eq, sql as dsql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { documentExports, type ExportState, type IntegrationStatus } from '../schema.js';
import type { NewLogEntry } from './logs.js';
import { emitEvent, eventCtes, type EmittedEvent } from './events.js';
import type { NewEvent } from '../../lib/events.js';
import type { ResolvedArticle, WorkOrderForDocument, WorkOrderSnapshot } from '../../lib/work-order.js';
import type { SettingArticles } from '../../lib/document.js';
import type { Settings } from '../../lib/settings.js';

export type ExportRow = typeof documentExports.$inferSelect;

export async function getExport(database: Database, tenantId: string, workOrderId: string): Promise<ExportRow | null> {
  const rows = await database.db
    .select()
    .from(documentExports)
    .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)))
    .limit(1);
  return rows[0] ?? null;
}

/** A `document_exports` row as the raw postgres.js client returns it (snake_case; timestamps as Dates, jsonb parsed). */
interface RawExportRow {
  id: number; tenant_id: string; work_order_id: string; provider: ProviderId; state: ExportState; reference: string;
  document_id: string | null; document_number: string | null; settings_version_id: number | null; error_code: string | null;
  error_message: string | null; attempts: number; create_started_at: Date | null; in_doubt_since: Date | null;
  document_plan: Record<string, string> | null; archived_at: Date; sent_at: Date | null; workflow_id: string | null; run_id: string | null;
  created_at: Date; updated_at: Date;
}

function exportRowOf(r: RawExportRow): ExportRow {
  return {
    id: r.id, tenantId: r.tenant_id, workOrderId: r.work_order_id, provider: r.provider, state: r.state, reference: r.reference,
    documentId: r.document_id, documentNumber: r.document_number, settingsVersionId: r.settings_version_id, errorCode: r.error_code,
    errorMessage: r.error_message, attempts: r.attempts, createStartedAt: r.create_started_at, inDoubtSince: r.in_doubt_since,
    documentPlan: r.document_plan, archivedAt: r.archived_at, sentAt: r.sent_at, workflowId: r.workflow_id, runId: r.run_id,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** What the send activity reads before it decides (activities/export.ts), in one round trip. */
export interface ExportContext {
  exp: ExportRow;
  integration: { provider: ProviderId; status: IntegrationStatus } | null;
  /**
   * The settings version that builds the document: the one the archive recorded, else the one in force at archive
   * time, else the one in force now (docs/export.md).
   */
  version: { id: number; settings: Record<string, unknown> } | null;
  /** The tenant's sealed (verified) credentials, opened only when a connector is built. */
  sealed: string | null;
  /** The quote or order of the integration's provider the work order was imported from (importedOrigin). */
  origin: { kind: 'quote' | 'salesOrder'; number: string | null } | null;
}

/**
 * The export row with everything the send activity reads before it decides, in one statement: the integration's
 * provider and status, the settings version in force (same order as `settingsVersionById`, then `settingsVersionAt`
 * at archive time, then at `now`), the sealed credentials and the imported origin. null when no export is recorded.
 */
export async function loadExportContext(database: Database, tenantId: string, workOrderId: string, now: Date): Promise<ExportContext | null> {
  const [r] = await database.sql<(RawExportRow & {
    i_provider: ProviderId | null; i_status: IntegrationStatus | null; v_id: number | null; v_settings: Record<string, unknown> | null;
    c_sealed: string | null; o_kind: 'quote' | 'salesOrder' | null; o_number: string | null; o_found: boolean;
  })[]>`
    select e.*, i.provider as i_provider, i.status as i_status, v.id as v_id, v.settings as v_settings, c.sealed as c_sealed,
           o.kind as o_kind, o.number as o_number, o.kind is not null as o_found
    from integration.document_exports e
    left join integration.integrations i on i.tenant_id = e.tenant_id
    left join integration.credentials c on c.tenant_id = e.tenant_id
    left join lateral (
      select x.id, x.settings from (
        (select id, settings, 1 as pick from integration.settings_versions where id = e.settings_version_id)
        union all
        (select id, settings, 2 from integration.settings_versions where tenant_id = e.tenant_id and effective_from <= e.archived_at
         order by effective_from desc, version desc limit 1)
        union all
        (select id, settings, 3 from integration.settings_versions where tenant_id = e.tenant_id and effective_from <= ${now}
         order by effective_from desc, version desc limit 1)
      ) x order by x.pick limit 1
    ) v on true
    left join lateral (
      select q.kind, q.number from integration.imported_quotes q
      where q.tenant_id = e.tenant_id and q.provider = coalesce(i.provider, e.provider) and q.work_order_id = e.work_order_id limit 1
    ) o on true
    where e.tenant_id = ${tenantId} and e.work_order_id = ${workOrderId}`;
  if (!r) return null;
  return {
    exp: exportRowOf(r),
    integration: r.i_provider && r.i_status ? { provider: r.i_provider, status: r.i_status } : null,
    version: r.v_id !== null && r.v_settings ? { id: r.v_id, settings: r.v_settings } : null,
    sealed: r.c_sealed,
    origin: r.o_found ? { kind: r.o_kind!, number: r.o_number } : null,
  };
}

/**
 * What the archive reads before it records (api/exports), in one statement: the integration's provider and status,
 * and the id of the settings version in force at `at` (as `settingsVersionAt` picks it). null without an integration.
 */
export async function archiveContext(
  database: Database, tenantId: string, at: Date,
): Promise<{ provider: ProviderId; status: IntegrationStatus; settingsVersionId: number | null } | null> {
  const [r] = await database.sql<{ provider: ProviderId; status: IntegrationStatus; version_id: number | null }[]>`
    select i.provider, i.status,
           (select v.id from integration.settings_versions v where v.tenant_id = i.tenant_id and v.effective_from <= ${at}
            order by v.effective_from desc, v.version desc limit 1) as version_id
    from integration.integrations i where i.tenant_id = ${tenantId}`;
  return r ? { provider: r.provider, status: r.status, settingsVersionId: r.version_id } : null;
}

/**
 * Records an archived work order and its export in one transaction. The export row is unique per
 * (tenant, work order): archiving twice finds the first one (`created: false`) instead of making a second.
 * Until the document is sent, a repeated archive refreshes the work order snapshot (Simon is its master).
 * The statements go out pipelined (postgres.js): the lock with the read, then every write together; each still runs
 * after the one before it, so the read sees what an archive that held the lock before committed.
 */
export async function recordArchive(
  database: Database,
  args: {
    tenantId: string;
    workOrderId: string;
    provider: ProviderId;
    snapshot: WorkOrderSnapshot;
    archivedAt: Date;
    initialState: ExportState;
    settingsVersionId: number | null;
    reference: string;
    /** The log text of a held archive, for its `export.held` event. */
    heldText?: { message: string; action: string };
  },
): Promise<{ exportRow: ExportRow; created: boolean }> {
  const { tenantId, workOrderId, snapshot } = args;
  return database.sql.begin(async (tx) => {
    // One archive at a time per work order, so two simultaneous archives cannot both insert.
    const [, [existing]] = await Promise.all([
      tx`select pg_advisory_xact_lock(hashtext(${`archive:${tenantId}:${workOrderId}`}))`.execute(),
      tx<RawExportRow[]>`select * from integration.document_exports where tenant_id = ${tenantId} and work_order_id = ${workOrderId} limit 1`.execute(),
    ]);
    if (existing && existing.state === 'sent') return { exportRow: exportRowOf(existing), created: false };

    const now = new Date();
    const workOrder = {
      tenant_id: tenantId,
      id: workOrderId,
      number: snapshot.number,
      customer_id: snapshot.customerId,
      work_address_id: snapshot.workAddressId,
      description: snapshot.description,
      customer_reference: snapshot.customerReference,
      status: 'archived',
      assigned_user_id: snapshot.assignedUserId,
      work_minutes: snapshot.workMinutes,
      travel_minutes: snapshot.travelMinutes,
      work_order_pdf: snapshot.workOrderPdf ?? null,
      forms_pdf: snapshot.formsPdf ?? null,
      archived_at: existing?.archived_at ?? args.archivedAt,
      simon_mutated_at: now,
      updated_at: now,
    };
    // Each write is sent as it is made (`execute`), so they run in this order, the export row last.
    const writes: Promise<unknown>[] = [
      // A work order imported from a quote keeps its source.
      tx`insert into simon.work_orders ${tx(workOrder)}
         on conflict (tenant_id, id) do update set
           number = excluded.number, customer_id = excluded.customer_id, work_address_id = excluded.work_address_id,
           description = excluded.description, customer_reference = excluded.customer_reference, status = excluded.status,
           assigned_user_id = excluded.assigned_user_id, work_minutes = excluded.work_minutes, travel_minutes = excluded.travel_minutes,
           work_order_pdf = excluded.work_order_pdf, forms_pdf = excluded.forms_pdf, archived_at = excluded.archived_at,
           simon_mutated_at = excluded.simon_mutated_at, updated_at = excluded.updated_at`.execute(),
      tx`delete from simon.work_order_materials where tenant_id = ${tenantId} and work_order_id = ${workOrderId}`.execute(),
    ];
    if (snapshot.materials.length > 0) {
      const materials = snapshot.materials.map((m, i) => ({
        tenant_id: tenantId,
        work_order_id: workOrderId,
        position: i + 1,
        article_id: m.articleId,
        description: m.description ?? null,
        quantity: String(m.quantity),
        price: m.price === null || m.price === undefined ? null : String(m.price),
      }));
      writes.push(tx`insert into simon.work_order_materials ${tx(materials)}`.execute());
    }
    if (existing) {
      await Promise.all(writes);
      return { exportRow: exportRowOf(existing), created: false };
    }
    if (args.initialState === 'held') {
      writes.push(emitEvent(tx, { tenantId, type: 'export.held', data: {
        workOrderId, workOrderNumber: snapshot.number, provider: args.provider, state: 'held', documentId: null, documentNumber: null,
        reason: args.heldText?.message ?? null, errorCode: 'integration-not-active', message: args.heldText?.message ?? '', action: args.heldText?.action ?? '',
      } }));
    }
    const exportRow = {
      tenant_id: tenantId,
      work_order_id: workOrderId,
      provider: args.provider,
      state: args.initialState,
      reference: args.reference,
      settings_version_id: args.settingsVersionId,
      archived_at: args.archivedAt,
    };
    const insert = tx<RawExportRow[]>`insert into integration.document_exports ${tx(exportRow)} returning *`.execute();
    const [[inserted]] = await Promise.all([insert, ...writes]);
    return { exportRow: exportRowOf(inserted), created: true };
  });
}

export type ExportPatch = Partial<Pick<ExportRow,
  'state' | 'documentId' | 'documentNumber' | 'errorCode' | 'errorMessage' | 'sentAt' | 'workflowId' | 'runId' | 'settingsVersionId' | 'provider'
  | 'createStartedAt' | 'inDoubtSince' | 'documentPlan'>>;

/** `updateExport`, answering the row as it is after the update (null when there is none). */
export async function updateExportReturning(database: Database, tenantId: string, workOrderId: string, patch: ExportPatch): Promise<ExportRow | null> {
  const { sql } = database;
  const [row] = await sql<RawExportRow[]>`
    update integration.document_exports set ${sql(exportPatchColumns({ ...patch, updatedAt: new Date() }))}
    where tenant_id = ${tenantId} and work_order_id = ${workOrderId} returning *`;
  return row ? exportRowOf(row) : null;
}

export async function updateExport(database: Database, tenantId: string, workOrderId: string, patch: ExportPatch): Promise<void> {
  await database.db
    .update(documentExports)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)));
}

/**
 * How an export attempt ends, in one statement (so in one transaction, and one round trip): its log entries, the row's
 * new state, and the event that reports it (docs/events.md), so Simon's backend hears of every state the log shows.
 * Returns the event as written (with how many deliveries it got), or null when there was none.
 */
export async function finishExport(
  database: Database, tenantId: string, workOrderId: string, patch: ExportPatch, logs: readonly NewLogEntry[], event: NewEvent | null,
): Promise<EmittedEvent | null> {
  const { sql } = database;
  const rows = logs.map((l) => ({
    tenant_id: l.tenantId, severity: l.severity, table_name: l.table, message: l.message, action: l.action,
    simon_id: l.simonId ?? null, provider_id: l.providerId ?? null, workflow_id: l.workflowId ?? null, run_id: l.runId ?? null,
  }));
  const set = exportPatchColumns({ ...patch, updatedAt: new Date() });
  const withLogs = rows.length > 0 ? sql`l as (insert into integration.log_entries ${sql(rows, ...logInsertColumns)}),` : sql``;
  const update = sql`u as (
    update integration.document_exports set ${sql(set)} where tenant_id = ${tenantId} and work_order_id = ${workOrderId} returning 1
  )`;
  const [row] = event
    ? await sql<EmittedEvent[]>`with ${withLogs} ${update}, ${eventCtes(sql as unknown as Tag, event)} select e.id, e.seq::int as seq, (select count(*) from d)::int as deliveries from e`
    : await sql`with ${withLogs} ${update} select count(*) from u`;
  return event ? (row as EmittedEvent) : null;
}

type Tag = (strings: TemplateStringsArray, ...values: never[]) => ReturnType<Database['sql']>;

const logInsertColumns = ['tenant_id', 'severity', 'table_name', 'message', 'action', 'simon_id', 'provider_id', 'workflow_id', 'run_id'] as const;

/** The columns of an export patch (drizzle's names, as `updateExport` writes them) for postgres.js' `sql(object)`. */
const exportPatchColumnNames = {
  state: 'state', documentId: 'document_id', documentNumber: 'document_number', errorCode: 'error_code', errorMessage: 'error_message',
  sentAt: 'sent_at', workflowId: 'workflow_id', runId: 'run_id', settingsVersionId: 'settings_version_id', provider: 'provider',
  createStartedAt: 'create_started_at', inDoubtSince: 'in_doubt_since', documentPlan: 'document_plan', updatedAt: 'updated_at',
} as const satisfies Record<keyof ExportPatch | 'updatedAt', string>;

function exportPatchColumns(patch: ExportPatch & { updatedAt: Date }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = exportPatchColumnNames[key as keyof typeof exportPatchColumnNames];
    if (!column) throw new TypeError(`Unknown export column: ${key}`);
    // jsonb goes as text (postgres.js would send an object as a text array otherwise); the column casts it.
    out[column] = key === 'documentPlan' && value !== null ? JSON.stringify(value) : value;
  }
  return out;
}

export async function countAttempt(database: Database, tenantId: string, workOrderId: string): Promise<number> {
  const rows = await database.db
    .update(documentExports)
    .set({ attempts: dsql`${documentExports.attempts} + 1`, updatedAt: new Date() })
    .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)))
    .returning({ attempts: documentExports.attempts });
  return rows[0]?.attempts ?? 0;
}

/**
 * The first attempt's two writes before a create leaves, in one statement: the attempt is counted and the intent
 * recorded (`create_started_at`, docs/exactly-once.md), as `countAttempt` and then `updateExport` would.
 */
export async function countAttemptAndStartCreate(database: Database, tenantId: string, workOrderId: string, at: Date): Promise<void> {
  await database.sql`
    update integration.document_exports set attempts = attempts + 1, create_started_at = ${at}, updated_at = ${at}
    where tenant_id = ${tenantId} and work_order_id = ${workOrderId}`;
}

/** The archived work order with its customer, work address and articles looked up in Simon's tables (input of buildDocument). */
export async function loadWorkOrderForDocument(database: Database, tenantId: string, workOrderId: string): Promise<WorkOrderForDocument | null> {
  return (await loadDocumentInputs(database, tenantId, workOrderId, [])).workOrder;
}

/**
 * `loadWorkOrderForDocument` and `findSettingArticles` in one round trip: the work order with its materials, and the
 * articles the settings name by `codes` (the send activity's inputs besides the export context).
 */
export async function loadDocumentInputs(
  database: Database, tenantId: string, workOrderId: string, codes: readonly string[],
): Promise<{ workOrder: WorkOrderForDocument | null; settingArticles: Map<string, ResolvedArticle> }> {
  const { sql } = database;
  type Material = { article_id: string | null; description: string | null; quantity: string; price: string | null; external_id: string | null; code: string | null; a_description: string | null };
  const [wo] = await sql<{
    id: string; number: string; status: string; customer_id: string | null; work_address_id: string | null; description: string;
    customer_reference: string | null; assigned_user_id: string | null; work_minutes: number; travel_minutes: number;
    work_order_pdf: string | null; forms_pdf: string | null; archived_at: Date | null;
    c_external_id: string | null; c_name: string | null;
    a_name: string | null; a_street: string | null; a_postal_code: string | null; a_city: string | null; a_customer_id: string | null;
    materials: Material[]; setting_articles: { code: string; external_id: string | null; description: string }[];
  }[]>`
    select w.*, c.external_id as c_external_id, c.name as c_name,
           a.name as a_name, a.street as a_street, a.postal_code as a_postal_code, a.city as a_city, a.customer_id as a_customer_id,
           (select coalesce(json_agg(json_build_object(
                     'article_id', m.article_id, 'description', m.description, 'quantity', m.quantity::text, 'price', m.price::text,
                     'external_id', ar.external_id, 'code', ar.code, 'a_description', ar.description) order by m.position), '[]')
            from simon.work_order_materials m
            left join simon.articles ar on ar.tenant_id = m.tenant_id and ar.id = m.article_id
            where m.tenant_id = w.tenant_id and m.work_order_id = w.id) as materials,
           (select coalesce(json_agg(json_build_object('code', s.code, 'external_id', s.external_id, 'description', s.description) order by s.active desc), '[]')
            from simon.articles s
            where s.tenant_id = w.tenant_id and s.code = any(${codes as string[]}::text[]) and s.external_id is not null) as setting_articles
    from simon.work_orders w
    left join simon.customers c on c.tenant_id = w.tenant_id and c.id = w.customer_id
    left join simon.work_addresses a on a.tenant_id = w.tenant_id and a.id = w.work_address_id
    where w.tenant_id = ${tenantId} and w.id = ${workOrderId}`;
  const settingArticles = new Map<string, ResolvedArticle>();
  if (!wo) return { workOrder: null, settingArticles };
  for (const r of wo.setting_articles) if (!settingArticles.has(r.code)) settingArticles.set(r.code, { code: r.code, externalId: r.external_id, description: r.description });
  const workOrder: WorkOrderForDocument = {
    id: wo.id,
    number: wo.number,
    status: wo.status as WorkOrderForDocument['status'],
    customerId: wo.customer_id,
    workAddressId: wo.work_address_id,
    description: wo.description,
    customerReference: wo.customer_reference,
    assignedUserId: wo.assigned_user_id,
    workMinutes: wo.work_minutes,
    travelMinutes: wo.travel_minutes,
    workOrderPdf: wo.work_order_pdf,
    formsPdf: wo.forms_pdf,
    archivedAt: wo.archived_at?.toISOString(),
    customer: wo.customer_id && wo.c_name !== null ? { externalId: wo.c_external_id, name: wo.c_name } : null,
    workAddress: wo.work_address_id && wo.a_customer_id
      ? { name: wo.a_name, street: wo.a_street, postalCode: wo.a_postal_code, city: wo.a_city, customerMatches: wo.a_customer_id === wo.customer_id }
      : null,
    materials: wo.materials.map((m) => ({
      articleId: m.article_id,
      description: m.description,
      quantity: Number(m.quantity),
      price: m.price === null ? null : Number(m.price),
      article: m.code !== null ? { externalId: m.external_id, code: m.code, description: m.a_description ?? '' } : null,
    })),
  };
  return { workOrder, settingArticles };
}

/**
 * A work order snapshot that is not archived (the document preview, docs/preview.md) with its customer, work address
 * and articles looked up as `loadWorkOrderForDocument` looks them up after the archive stored it. Reads only.
 */
export async function resolveSnapshotForDocument(
  database: Database, tenantId: string, workOrderId: string, snapshot: WorkOrderSnapshot, archivedAt: Date,
): Promise<WorkOrderForDocument> {
  const { sql } = database;
  const [customer] = snapshot.customerId
    ? await sql<{ external_id: string | null; name: string }[]>`select external_id, name from simon.customers where tenant_id = ${tenantId} and id = ${snapshot.customerId}`
    : [];
  const [address] = snapshot.workAddressId
    ? await sql<{ name: string | null; street: string | null; postal_code: string | null; city: string | null; customer_id: string }[]>`
        select name, street, postal_code, city, customer_id from simon.work_addresses where tenant_id = ${tenantId} and id = ${snapshot.workAddressId}`
    : [];
  const articleIds = [...new Set(snapshot.materials.flatMap((m) => (m.articleId ? [m.articleId] : [])))];
  const articles = articleIds.length > 0
    ? await sql<{ id: string; external_id: string | null; code: string; description: string }[]>`
        select id, external_id, code, description from simon.articles where tenant_id = ${tenantId} and id = any(${articleIds}::uuid[])`
    : [];
  const byId = new Map(articles.map((a) => [a.id, a]));
  return {
    ...snapshot,
    id: workOrderId,
    workOrderPdf: snapshot.workOrderPdf ?? null,
    formsPdf: snapshot.formsPdf ?? null,
    archivedAt: archivedAt.toISOString(),
    customer: customer ? { externalId: customer.external_id, name: customer.name } : null,
    workAddress: address
      ? { name: address.name, street: address.street, postalCode: address.postal_code, city: address.city, customerMatches: address.customer_id === snapshot.customerId }
      : null,
    materials: snapshot.materials.map((m) => {
      const a = m.articleId ? byId.get(m.articleId) : undefined;
      return {
        articleId: m.articleId,
        description: m.description ?? null,
        quantity: m.quantity,
        price: m.price ?? null,
        article: a ? { externalId: a.external_id, code: a.code, description: a.description ?? '' } : null,
      };
    }),
  };
}

/**
 * The articles the settings name (work time, travel time, default), as the document rules take them: the export
 * and the preview resolve them alike (docs/preview.md, "The same rules as the export").
 */
export async function resolveSettingArticles(
  database: Database, tenantId: string, settings: Pick<Settings, 'workTimeArticle' | 'travelTimeArticle' | 'defaultArticle'>,
): Promise<SettingArticles> {
  return pickSettingArticles(settings, await findSettingArticles(database, tenantId, settingArticleCodes(settings)));
}

/** The article codes the settings name (work time, travel time, default). */
export function settingArticleCodes(settings: Pick<Settings, 'workTimeArticle' | 'travelTimeArticle' | 'defaultArticle'>): string[] {
  return [settings.workTimeArticle, settings.travelTimeArticle, settings.defaultArticle].filter((c): c is string => !!c);
}

/** The settings' articles out of those found by code (`findSettingArticles`, `loadDocumentInputs`). */
export function pickSettingArticles(
  settings: Pick<Settings, 'workTimeArticle' | 'travelTimeArticle' | 'defaultArticle'>, byCode: ReadonlyMap<string, ResolvedArticle>,
): SettingArticles {
  const pick = (code: string | null) => (code ? byCode.get(code) ?? null : null);
  return {
    workTimeArticle: pick(settings.workTimeArticle),
    travelTimeArticle: pick(settings.travelTimeArticle),
    defaultArticle: pick(settings.defaultArticle),
  };
}

/** Articles the settings name by code (work time, travel time, default); only ones that came from the provider. */
export async function findSettingArticles(database: Database, tenantId: string, codes: string[]): Promise<Map<string, ResolvedArticle>> {
  const out = new Map<string, ResolvedArticle>();
  if (codes.length === 0) return out;
  const rows = await database.sql<{ code: string; external_id: string | null; description: string }[]>`
    select code, external_id, description from simon.articles
    where tenant_id = ${tenantId} and code = any(${codes}) and external_id is not null
    order by active desc`;
  for (const r of rows) if (!out.has(r.code)) out.set(r.code, { code: r.code, externalId: r.external_id, description: r.description });
  return out;
}

/** The quote or order of this provider the work order was imported from (docs/quotes.md), if any. */
export async function importedOrigin(
  database: Database, tenantId: string, provider: ProviderId, workOrderId: string,
): Promise<{ kind: 'quote' | 'salesOrder'; number: string | null } | null> {
  const rows = await database.sql<{ kind: 'quote' | 'salesOrder'; number: string | null }[]>`
    select kind, number from integration.imported_quotes
    where tenant_id = ${tenantId} and provider = ${provider} and work_order_id = ${workOrderId} limit 1`;
  return rows[0] ?? null;
}

/** Pending exports of active integrations untouched for a while: candidates for the sweep (activities/sweep.ts). */
export async function strandedExports(
  database: Database, opts: { olderThanMs: number; limit: number },
): Promise<{ tenantId: string; workOrderId: string; provider: ProviderId; workOrderNumber: string }[]> {
  const rows = await database.sql<{ tenant_id: string; work_order_id: string; provider: ProviderId; number: string | null }[]>`
    select e.tenant_id, e.work_order_id, e.provider, w.number
    from integration.document_exports e
    join integration.integrations i on i.tenant_id = e.tenant_id and i.status = 'active'
    left join simon.work_orders w on w.tenant_id = e.tenant_id and w.id = e.work_order_id
    where e.state = 'pending' and e.updated_at < now() - make_interval(secs => ${opts.olderThanMs / 1000})
    order by e.updated_at
    limit ${opts.limit}`;
  return rows.map((r) => ({ tenantId: r.tenant_id, workOrderId: r.work_order_id, provider: r.provider, workOrderNumber: r.number ?? r.work_order_id }));
}

export async function pendingExports(database: Database, tenantId: string): Promise<ExportRow[]> {
  return database.db
    .select()
    .from(documentExports)
    .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.state, 'pending')));
}

export async function listExports(database: Database, tenantId: string, state: ExportState | null, limit: number): Promise<ExportRow[]> {
  return database.db
    .select()
    .from(documentExports)
    .where(state ? and(eq(documentExports.tenantId, tenantId), eq(documentExports.state, state)) : eq(documentExports.tenantId, tenantId))
    .orderBy(desc(documentExports.archivedAt))
    .limit(limit);
}

export async function countExports(database: Database, tenantId: string, state: ExportState): Promise<number> {
  const rows = await database.sql<{ n: number }[]>`
    select count(*)::int as n from integration.document_exports where tenant_id = ${tenantId} and state = ${state}`;
  return rows[0]?.n ?? 0;
}
