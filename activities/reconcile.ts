import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { connectorFor, quotaGuardOf, writeLog } from './deps.js';
import { getIntegration } from '../db/queries/integration.js';
import { exportsToReconcile, recordDocumentNumber, saveReconcileRun } from '../db/queries/reconcile.js';
import { kickEvents } from './events.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { Connector, DocumentPlan, ListedDocument } from '../connectors/types.js';
import * as messages from '../lib/messages.js';
import { providers, type ProviderId } from '../lib/providers.js';
import { formatAmsterdam, QuotaRefusal } from '../lib/quota.js';
import { reconcileShortfall } from '../db/queries/quota.js';
import {
  MAX_REPORTED_FINDINGS, compareExports, countFindings, noFindings, type Finding, type ReconcileExport, type ReconcileReport,
} from '../lib/reconcile.js';

/**
 * The weekly reconciliation (docs/reconciliation.md): the package's documents of the last N days against the exports
 * of those days. It only reads upstream and only reports: a warning with the action per finding (table Werkbon), an
 * info entry with the totals (table Integratie), and the counts in `sync_state` for the status API. The one thing it
 * records is the number the package now shows for a sent document, so the same change is reported once.
 */

const DAY_MS = 86_400_000;
const HEARTBEAT_EVERY_MS = 10_000;
/** "Gone" is confirmed with the package's own look-up by reference (the firm may have moved the document's date). */
const MAX_GONE_LOOKUPS = 20;

export function reconcileActivities(deps: ActivityDeps) {
  /** A listing or look-up refused by our quota guard for the rest of the day: stop, and say so (nothing compared). */
  const dayRefusal = (err: unknown): err is QuotaRefusal => err instanceof QuotaRefusal && err.window === 'day';

  async function stopForQuota(report: ReconcileReport, resetsAt: Date): Promise<ReconcileReport> {
    const stopped: ReconcileReport = { ...report, complete: false, stopped: 'quota' };
    await writeLog(deps, { tenantId: report.tenantId, severity: 'warning', table: 'Integratie', text: messages.reconcileStoppedQuota(report.provider, formatAmsterdam(resetsAt)) });
    await saveReconcileRun(deps.database.sql, stopped);
    await kickEvents(deps, report.tenantId);
    return stopped;
  }

  /** Drops "gone" findings whose document the package's own look-up finds after all (its date left the window). */
  async function confirmGone(connector: Connector, findings: Finding[], plans: Map<string, DocumentPlan | null>): Promise<Finding[]> {
    const out: Finding[] = [];
    let lookups = 0;
    for (const f of findings) {
      if (f.kind !== 'gone' || lookups >= MAX_GONE_LOOKUPS) {
        out.push(f);
        continue;
      }
      lookups++;
      try {
        const found = await connector.findDocument({ reference: f.reference, customerExternalId: '', createdAfter: null, plan: plans.get(f.workOrderId) ?? null });
        if (!found) out.push(f);
      } catch (err) {
        // Out of quota for look-ups: the listing was complete, so the finding stands as the listing shows it.
        if (!dayRefusal(err)) throw err;
        out.push(f);
        lookups = MAX_GONE_LOOKUPS;
      }
    }
    return out;
  }

  async function logFinding(tenantId: string, provider: ProviderId, connector: Connector, f: Finding): Promise<void> {
    const entry = { tenantId, severity: 'warning' as const, table: 'Werkbon' as const, simonId: f.workOrderId, providerId: f.documents[0]?.documentId ?? null };
    const subject = { provider, workOrderNumber: f.workOrderNumber };
    switch (f.kind) {
      case 'gone':
        return writeLog(deps, { ...entry, text: messages.reconcileDocumentGone({ ...subject, documentNumber: f.documents[0]?.documentNumber ?? null, documentId: f.documents[0]?.documentId ?? null }) });
      case 'duplicate':
        return writeLog(deps, { ...entry, text: messages.reconcileDuplicate({ ...subject, documents: f.documents, keep: f.exportState === 'sent' ? (f.documents.find((d) => d.documentId === f.recordedDocumentId)?.documentId ?? null) : null }) });
      case 'numberChanged':
        return writeLog(deps, { ...entry, text: messages.reconcileNumberChanged({ ...subject, recorded: f.recordedNumber ?? '', upstream: f.upstreamNumber ?? '' }) });
      case 'existsUnsent': {
        const doc = f.documents[0] ?? { documentId: '', documentNumber: null };
        return writeLog(deps, {
          ...entry,
          text: messages.reconcileExistsUnsent({
            ...subject, exportState: f.exportState === 'held' ? 'held' : 'failed', documentNumber: doc.documentNumber, documentId: doc.documentId,
            uniqueReference: connector.documentIdentity.uniqueReference,
          }),
        });
      }
    }
  }

  return {
    async reconcileTenant(input: { tenantId: string; days?: number }): Promise<ReconcileReport> {
      const ctx = Context.current();
      const { tenantId } = input;
      const integ = await getIntegration(deps.database, tenantId);
      if (!integ) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
      const provider = integ.provider;
      const days = input.days ?? deps.env.RECONCILE_DAYS;
      const now = new Date();
      const sinceAt = new Date(now.getTime() - days * DAY_MS);
      const report: ReconcileReport = {
        tenantId, provider, since: sinceAt.toISOString().slice(0, 10), days, ranAt: now.toISOString(), complete: false, stopped: null,
        exportsCompared: 0, documentsListed: 0, counts: noFindings(), findings: [],
      };
      // Paused, deactivated or (re)activating: nothing is compared (an activation may be replacing the administration).
      if (integ.status !== 'active') return { ...report, stopped: 'not-active' };
      if (!providers[provider].capabilities.reconcile) return { ...report, stopped: 'not-supported' };

      // The API-limited packages: it runs in the sync share of the quota and does not start when its minimum would not
      // fit (Octopus: also in the endpoint classes, `invoices/modified` is one of 48 a day).
      const resetsAt = await reconcileShortfall(quotaGuardOf(deps), tenantId, provider);
      if (resetsAt) return stopForQuota(report, resetsAt);

      const beat = setInterval(() => ctx.heartbeat({ phase: 'listing' }), HEARTBEAT_EVERY_MS);
      let connector: Connector;
      let listed: ListedDocument[];
      let findings: Finding[];
      let numbersLearned: { workOrderId: string; documentNumber: string }[];
      let exports: ReconcileExport[];
      try {
        connector = await connectorFor(deps, tenantId, provider, { purpose: 'sync' });
        if (!connector.listDocuments) return { ...report, stopped: 'not-supported' };
        const rows = await exportsToReconcile(deps.database.sql, tenantId, provider, sinceAt);
        const plans = new Map(rows.map((r) => [r.workOrderId, r.plan]));
        const planned = (plan: DocumentPlan | null) => (plan ? connector.plannedDocument?.(plan) ?? null : null);
        exports = rows.map(({ plan, ...e }) => ({ ...e, planned: planned(plan) }));
        listed = await connector.listDocuments(sinceAt, {
          documentNumbers: exports.flatMap((e) => (e.documentNumber ? [e.documentNumber] : [])),
          references: exports.map((e) => e.reference),
        });
        ({ findings, numbersLearned } = compareExports(exports, listed));
        findings = await confirmGone(connector, findings, plans);
      } catch (err) {
        if (dayRefusal(err)) return stopForQuota(report, err.resetsAt);
        throw toApplicationFailure(err);
      } finally {
        clearInterval(beat);
      }

      // Every provider call is done: from here on only Simon's own log and rows are written.
      for (const f of findings) await logFinding(tenantId, provider, connector, f);
      for (const n of numbersLearned) await recordDocumentNumber(deps.database.sql, tenantId, n.workOrderId, n.documentNumber);
      for (const f of findings) if (f.kind === 'numberChanged' && f.upstreamNumber) await recordDocumentNumber(deps.database.sql, tenantId, f.workOrderId, f.upstreamNumber);

      const done: ReconcileReport = {
        ...report, complete: true, exportsCompared: exports.length, documentsListed: listed.length,
        counts: countFindings(findings), findings: findings.slice(0, MAX_REPORTED_FINDINGS),
      };
      await writeLog(deps, {
        tenantId, severity: 'info', table: 'Integratie',
        text: messages.reconcileCompleted(provider, { days, exportsCompared: done.exportsCompared, documentsListed: done.documentsListed, findings: findings.length }),
      });
      await saveReconcileRun(deps.database.sql, done);
      await kickEvents(deps, tenantId);
      return done;
    },

    /** One error entry when a run gave up: the admin sees that the reconciliation did not happen, and why. */
    async logReconcileFailed(input: { tenantId: string; reason: string | null }): Promise<void> {
      const integ = await getIntegration(deps.database, input.tenantId);
      if (!integ) return;
      await writeLog(deps, { tenantId: input.tenantId, severity: 'error', table: 'Integratie', text: messages.reconcileFailed(integ.provider, input.reason) });
    },
  };
}
