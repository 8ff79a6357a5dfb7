import type { ProviderId } from '../../lib/providers.js';
import { and, desc, eq, sql as dsql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { documentExports, logEntries, workOrderMaterials, workOrders, type ExportState } from '../schema.js';
import type { NewLogEntry } from './logs.js';
import { emitEventDrizzle } from './events.js';
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

/**
 * Records an archived work order and its export in one transaction. The export row is unique per
 * (tenant, work order): archiving twice finds the first one (`created: false`) instead of making a second.
 * Until the document is sent, a repeated archive refreshes the work order snapshot (Simon is its master).
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
  return database.db.transaction(async (tx) => {
    // One archive at a time per work order, so two simultaneous archives cannot both insert.
    await tx.execute(dsql`select pg_advisory_xact_lock(hashtext(${`archive:${tenantId}:${workOrderId}`}))`);
    const existing = await tx
      .select()
      .from(documentExports)
      .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)))
      .limit(1);
    if (existing[0] && existing[0].state === 'sent') return { exportRow: existing[0], created: false };

    const now = new Date();
    const values = {
      tenantId,
      id: workOrderId,
      number: snapshot.number,
      customerId: snapshot.customerId,
      workAddressId: snapshot.workAddressId,
      description: snapshot.description,
      customerReference: snapshot.customerReference,
      status: 'archived' as const,
      assignedUserId: snapshot.assignedUserId,
      workMinutes: snapshot.workMinutes,
      travelMinutes: snapshot.travelMinutes,
      workOrderPdf: snapshot.workOrderPdf ?? null,
      formsPdf: snapshot.formsPdf ?? null,
      archivedAt: existing[0]?.archivedAt ?? args.archivedAt,
      simonMutatedAt: now,
      updatedAt: now,
    };
    await tx
      .insert(workOrders)
      .values(values)
      .onConflictDoUpdate({ target: [workOrders.tenantId, workOrders.id], set: { ...values, source: dsql`${workOrders.source}`, sourceQuoteId: dsql`${workOrders.sourceQuoteId}` } });
    await tx.delete(workOrderMaterials).where(and(eq(workOrderMaterials.tenantId, tenantId), eq(workOrderMaterials.workOrderId, workOrderId)));
    if (snapshot.materials.length > 0) {
      await tx.insert(workOrderMaterials).values(
        snapshot.materials.map((m, i) => ({
          tenantId,
          workOrderId,
          position: i + 1,
          articleId: m.articleId,
          description: m.description ?? null,
          quantity: String(m.quantity),
          price: m.price === null || m.price === undefined ? null : String(m.price),
        })),
      );
    }
    if (existing[0]) return { exportRow: existing[0], created: false };
    if (args.initialState === 'held') {
      await emitEventDrizzle(tx, { tenantId, type: 'export.held', data: {
        workOrderId, workOrderNumber: snapshot.number, provider: args.provider, state: 'held', documentId: null, documentNumber: null,
        reason: args.heldText?.message ?? null, errorCode: 'integration-not-active', message: args.heldText?.message ?? '', action: args.heldText?.action ?? '',
      } });
    }
    const inserted = await tx
      .insert(documentExports)
      .values({
        tenantId,
        workOrderId,
        provider: args.provider,
        state: args.initialState,
        reference: args.reference,
        settingsVersionId: args.settingsVersionId,
        archivedAt: args.archivedAt,
      })
      .returning();
    return { exportRow: inserted[0], created: true };
  });
}

export type ExportPatch = Partial<Pick<ExportRow,
  'state' | 'documentId' | 'documentNumber' | 'errorCode' | 'errorMessage' | 'sentAt' | 'workflowId' | 'runId' | 'settingsVersionId' | 'provider'
  | 'createStartedAt' | 'inDoubtSince' | 'documentPlan'>>;

export async function updateExport(database: Database, tenantId: string, workOrderId: string, patch: ExportPatch): Promise<void> {
  await database.db
    .update(documentExports)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)));
}

/**
 * How an export attempt ends, in one transaction: its log entries, the row's new state, and the event that reports
 * it (docs/events.md), so Simon's backend hears of every state the log shows.
 */
export async function finishExport(
  database: Database, tenantId: string, workOrderId: string, patch: ExportPatch, logs: readonly NewLogEntry[], event: NewEvent | null,
): Promise<void> {
  await database.db.transaction(async (tx) => {
    if (logs.length > 0) await tx.insert(logEntries).values(logs.map((l) => ({ ...l, simonId: l.simonId ?? null, providerId: l.providerId ?? null })));
    await tx
      .update(documentExports)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)));
    if (event) await emitEventDrizzle(tx, event);
  });
}

export async function countAttempt(database: Database, tenantId: string, workOrderId: string): Promise<number> {
  const rows = await database.db
    .update(documentExports)
    .set({ attempts: dsql`${documentExports.attempts} + 1`, updatedAt: new Date() })
    .where(and(eq(documentExports.tenantId, tenantId), eq(documentExports.workOrderId, workOrderId)))
    .returning({ attempts: documentExports.attempts });
  return rows[0]?.attempts ?? 0;
}

/** The archived work order with its customer, work address and articles looked up in Simon's tables (input of buildDocument). */
export async function loadWorkOrderForDocument(database: Database, tenantId: string, workOrderId: string): Promise<WorkOrderForDocument | null> {
  const { sql } = database;
  const [wo] = await sql<{
    id: string; number: string; status: string; customer_id: string | null; work_address_id: string | null; description: string;
    customer_reference: string | null; assigned_user_id: string | null; work_minutes: number; travel_minutes: number;
    work_order_pdf: string | null; forms_pdf: string | null; archived_at: Date | null;
    c_external_id: string | null; c_name: string | null;
    a_name: string | null; a_street: string | null; a_postal_code: string | null; a_city: string | null; a_customer_id: string | null;
  }[]>`
    select w.*, c.external_id as c_external_id, c.name as c_name,
           a.name as a_name, a.street as a_street, a.postal_code as a_postal_code, a.city as a_city, a.customer_id as a_customer_id
    from simon.work_orders w
    left join simon.customers c on c.tenant_id = w.tenant_id and c.id = w.customer_id
    left join simon.work_addresses a on a.tenant_id = w.tenant_id and a.id = w.work_address_id
    where w.tenant_id = ${tenantId} and w.id = ${workOrderId}`;
  if (!wo) return null;
  const materials = await sql<{ article_id: string | null; description: string | null; quantity: string; price: string | null; external_id: string | null; code: string | null; a_description: string | null }[]>`
    select m.article_id, m.description, m.quantity, m.price, ar.external_id, ar.code, ar.description as a_description
    from simon.work_order_materials m
    left join simon.articles ar on ar.tenant_id = m.tenant_id and ar.id = m.article_id
    where m.tenant_id = ${tenantId} and m.work_order_id = ${workOrderId}
    order by m.position`;
  return {
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
    materials: materials.map((m) => ({
      articleId: m.article_id,
      description: m.description,
      quantity: Number(m.quantity),
      price: m.price === null ? null : Number(m.price),
      article: m.code !== null ? { externalId: m.external_id, code: m.code, description: m.a_description ?? '' } : null,
    })),
  };
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
  const codes = [settings.workTimeArticle, settings.travelTimeArticle, settings.defaultArticle].filter((c): c is string => !!c);
  const byCode = await findSettingArticles(database, tenantId, codes);
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
