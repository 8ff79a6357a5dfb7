import type { TransactionSql } from 'postgres';
import { emitEvent } from './events.js';
import type { Sql } from '../client.js';
import type { ProviderId } from '../../lib/providers.js';
import { findingKinds, noFindings, type FindingCounts, type ReconcileExport, type ReconcileReport } from '../../lib/reconcile.js';

/**
 * The reconciliation's reads and its one bookkeeping write (docs/reconciliation.md). The last run is kept in
 * `integration.sync_state` under the entity `reconcile` (no table of its own): `cursor` holds the counts as JSON,
 * `records_done` the exports compared, `records_total` the documents listed, `last_error` why a run stopped early.
 */

export const RECONCILE_ENTITY = 'reconcile';

/** Sent, failed and held exports of this package archived from `since` on, with their work order's number and stored plan. */
export async function exportsToReconcile(sql: Sql, tenantId: string, provider: ProviderId, since: Date): Promise<(ReconcileExport & { plan: Record<string, string> | null })[]> {
  const rows = await sql<{ work_order_id: string; number: string | null; state: ReconcileExport['state']; reference: string; document_id: string | null; document_number: string | null; document_plan: Record<string, string> | null }[]>`
    select e.work_order_id, w.number, e.state, e.reference, e.document_id, e.document_number, e.document_plan
    from integration.document_exports e
    left join simon.work_orders w on w.tenant_id = e.tenant_id and w.id = e.work_order_id
    where e.tenant_id = ${tenantId} and e.provider = ${provider} and e.state in ('sent', 'failed', 'held') and e.archived_at >= ${since}
    order by e.archived_at, e.id`;
  return rows.map((r) => ({
    workOrderId: r.work_order_id, workOrderNumber: r.number ?? r.work_order_id, state: r.state, reference: r.reference,
    documentId: r.document_id, documentNumber: r.document_number, plan: r.document_plan ?? null,
  }));
}

/** The number the package shows now for a sent export's document (a concept published, or renumbered by hand). */
export async function recordDocumentNumber(sql: Sql, tenantId: string, workOrderId: string, documentNumber: string): Promise<void> {
  await sql`update integration.document_exports set document_number = ${documentNumber}, updated_at = now()
            where tenant_id = ${tenantId} and work_order_id = ${workOrderId} and state = 'sent'`;
}

/** What the status API shows of the last run. */
export interface ReconcileRunView {
  ranAt: Date | null;
  lastCompleteAt: Date | null;
  since: string | null;
  days: number | null;
  complete: boolean;
  stopped: ReconcileReport['stopped'];
  exportsCompared: number;
  documentsListed: number;
  counts: FindingCounts;
}

interface StoredCounts { since: string; days: number; complete: boolean; stopped: ReconcileReport['stopped']; counts: FindingCounts }

/**
 * Stores the run's counts and writes its `reconcile.completed` event in one transaction (the outbox: docs/events.md),
 * so Simon's backend hears of every run the status API shows. The caller kicks the delivery after the commit.
 */
export async function saveReconcileRun(sql: Sql, report: ReconcileReport): Promise<void> {
  await sql.begin(async (tx) => {
    await storeReconcileRun(tx, report);
    await emitEvent(tx, {
      tenantId: report.tenantId, type: 'reconcile.completed',
      data: {
        provider: report.provider, since: report.since, days: report.days, complete: report.complete, stopped: report.stopped,
        exportsCompared: report.exportsCompared, documentsListed: report.documentsListed, counts: report.counts,
        findings: report.findings.map((f) => ({
          kind: f.kind, workOrderId: f.workOrderId, exportState: f.exportState, documentIds: f.documents.map((d) => d.documentId),
          recordedNumber: f.recordedNumber, upstreamNumber: f.upstreamNumber,
        })),
      },
    });
  });
}

async function storeReconcileRun(sql: Sql | TransactionSql, report: ReconcileReport): Promise<void> {
  const stored: StoredCounts = { since: report.since, days: report.days, complete: report.complete, stopped: report.stopped, counts: report.counts };
  const ranAt = new Date(report.ranAt);
  const completeAt = report.complete ? ranAt : null;
  await sql`
    insert into integration.sync_state (tenant_id, entity, cursor, phase, records_done, records_total, last_run_started_at, last_success_at, last_error, updated_at)
    values (${report.tenantId}, ${RECONCILE_ENTITY}, ${JSON.stringify(stored)}, 'incremental', ${report.exportsCompared}, ${report.documentsListed},
            ${ranAt}, ${completeAt}, ${report.stopped}, now())
    on conflict (tenant_id, entity) do update set
      cursor = excluded.cursor, records_done = excluded.records_done, records_total = excluded.records_total,
      last_run_started_at = excluded.last_run_started_at, last_error = excluded.last_error, updated_at = now(),
      last_success_at = coalesce(excluded.last_success_at, integration.sync_state.last_success_at)`;
}

export function reconcileRunOf(row: { cursor: string | null; recordsDone: number; recordsTotal: number | null; lastRunStartedAt: Date | null; lastSuccessAt: Date | null }): ReconcileRunView {
  let stored: Partial<StoredCounts>;
  try {
    stored = row.cursor ? (JSON.parse(row.cursor) as StoredCounts) : {};
  } catch {
    stored = {};
  }
  const counts = noFindings();
  for (const kind of findingKinds) counts[kind] = Number(stored.counts?.[kind] ?? 0);
  return {
    ranAt: row.lastRunStartedAt, lastCompleteAt: row.lastSuccessAt, since: stored.since ?? null, days: stored.days ?? null,
    complete: stored.complete ?? false, stopped: stored.stopped ?? null,
    exportsCompared: row.recordsDone, documentsListed: row.recordsTotal ?? 0, counts,
  };
}
