import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { connectorFor, currentRun, writeLog } from './deps.js';
import { getIntegration, settingsVersionAt, settingsVersionById } from '../db/queries/integration.js';
import { countAttempt, findSettingArticles, getExport, loadWorkOrderForDocument, updateExport, type ExportRow } from '../db/queries/exports.js';
import type { ExportState } from '../db/schema.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { AttachmentFile, Connector, CreatedDocument } from '../connectors/types.js';
import { originalSalesOrderNumber } from '../connectors/visma-net/connector.js';
import { buildDocument, matchesExcludeFilter } from '../lib/document.js';
import * as messages from '../lib/messages.js';
import type { ProviderId } from '../lib/providers.js';
import { settingsSchema, type Settings } from '../lib/settings.js';
import type { WorkOrderForDocument } from '../lib/work-order.js';

export interface ExportOutcome {
  state: ExportState;
  documentId: string | null;
  documentNumber: string | null;
  reason: string | null;
}

const outcomeOf = (row: Pick<ExportRow, 'state' | 'documentId' | 'documentNumber' | 'errorMessage'>): ExportOutcome => ({
  state: row.state,
  documentId: row.documentId,
  documentNumber: row.documentNumber,
  reason: row.errorMessage,
});

export function exportActivities(deps: ActivityDeps) {
  return {
    /**
     * Sends one archived work order (SPEC §5.5). Every decision is recorded on the export row, so a retry of
     * this activity continues where the last attempt stopped. Exactly once: before creating, a retry looks
     * the document up by our reference; only the very first attempt may skip that look-up.
     */
    async sendWorkOrder(input: { tenantId: string; workOrderId: string }): Promise<ExportOutcome> {
      const { tenantId, workOrderId } = input;
      const exp = await getExport(deps.database, tenantId, workOrderId);
      if (!exp) throw ApplicationFailure.nonRetryable(`No export recorded for work order ${workOrderId}`, 'ExportNotFound');
      if (exp.state !== 'pending') return outcomeOf(exp);
      const run = currentRun();
      const integ = await getIntegration(deps.database, tenantId);
      const provider = (integ?.provider ?? exp.provider);
      const wo = await loadWorkOrderForDocument(deps.database, tenantId, workOrderId);
      if (!wo) throw ApplicationFailure.nonRetryable(`Work order ${workOrderId} not found`, 'WorkOrderNotFound');
      const subject = { provider, workOrderNumber: wo.number };

      if (!integ || integ.status === 'paused') return outcomeOf(exp); // waits as pending; resume sends it
      if (integ.status !== 'active') {
        await writeLog(deps, { tenantId, severity: 'warning', table: 'Werkbon', text: messages.exportHeldNotActive(subject), simonId: workOrderId });
        await updateExport(deps.database, tenantId, workOrderId, { state: 'held', errorCode: 'integration-not-active', errorMessage: 'integratie niet actief' });
        return { state: 'held', documentId: null, documentNumber: null, reason: 'integratie niet actief' };
      }

      const version = (exp.settingsVersionId ? await settingsVersionById(deps.database, exp.settingsVersionId) : null)
        ?? (await settingsVersionAt(deps.database, tenantId, exp.archivedAt))
        ?? (await settingsVersionAt(deps.database, tenantId, new Date()));
      if (!version) throw ApplicationFailure.nonRetryable(`No settings saved for ${tenantId}`, 'NoSettings');
      const settings = settingsSchema.parse(version.settings);
      // Visma.net texts name the document the settings ask for (verkooporder or klantfactuur).
      const docSubject = { ...subject, ...(settings.provider === 'visma-net' ? { documentType: settings.documentType } : {}) };

      if (matchesExcludeFilter(wo.description, settings.excludeFilterWord)) {
        await writeLog(deps, { tenantId, severity: 'info', table: 'Werkbon', text: messages.exportSkippedExcludeWord({ ...subject, word: settings.excludeFilterWord }), simonId: workOrderId });
        await updateExport(deps.database, tenantId, workOrderId, { state: 'skipped', settingsVersionId: version.id, errorCode: null, errorMessage: null, ...run });
        return { state: 'skipped', documentId: null, documentNumber: null, reason: 'filterwoord' };
      }

      // A work order made from a Visma.net sales order is not sent back as a second sales order (SPEC §14.13).
      if (settings.provider === 'visma-net' && settings.documentType === 'salesOrder') {
        const orderNumber = originalSalesOrderNumber(await importedFrom(deps, tenantId, workOrderId, provider));
        if (orderNumber) {
          await writeLog(deps, { tenantId, severity: 'info', table: 'Werkbon', text: messages.exportSkippedFromProviderOrder({ ...subject, orderNumber }), simonId: workOrderId, providerId: orderNumber });
          await updateExport(deps.database, tenantId, workOrderId, { state: 'skipped', settingsVersionId: version.id, errorCode: null, errorMessage: null, ...run });
          return { state: 'skipped', documentId: null, documentNumber: null, reason: `verkooporder ${orderNumber}` };
        }
      }

      const codes = [settings.workTimeArticle, settings.travelTimeArticle, settings.defaultArticle].filter((c): c is string => !!c);
      const byCode = await findSettingArticles(deps.database, tenantId, codes);
      const pick = (code: string | null) => (code ? byCode.get(code) ?? null : null);
      const built = buildDocument(wo, settings, {
        workTimeArticle: pick(settings.workTimeArticle),
        travelTimeArticle: pick(settings.travelTimeArticle),
        defaultArticle: pick(settings.defaultArticle),
      }, { reference: exp.reference, date: (wo.archivedAt ?? exp.archivedAt.toISOString()).slice(0, 10) });
      if (!built.ok) {
        const p = built.problem;
        await writeLog(deps, { tenantId, severity: 'error', table: 'Werkbon', text: { message: p.message, action: p.action }, simonId: workOrderId });
        await updateExport(deps.database, tenantId, workOrderId, { state: 'failed', settingsVersionId: version.id, errorCode: p.code, errorMessage: p.message, ...run });
        return { state: 'failed', documentId: null, documentNumber: null, reason: p.message };
      }

      const previousAttempts = exp.attempts;
      await countAttempt(deps.database, tenantId, workOrderId);
      const draft = settings.provider === 'visma-net' ? { ...built.draft, documentType: settings.documentType } : built.draft;
      // An earlier attempt created it and recorded it before attaching its PDFs: that one is ours.
      let doc: CreatedDocument | null = exp.documentId && exp.provider === provider ? { documentId: exp.documentId, documentNumber: exp.documentNumber } : null;
      let connector: Connector;
      try {
        connector = await connectorFor(deps, tenantId, provider, { purpose: 'export', settings });
        // An earlier attempt may have created it and timed out after the provider committed: find it first.
        if (!doc && previousAttempts > 0) doc = await connector.findDocumentByReference(exp.reference);
        if (!doc) doc = await connector.createDocument(draft);
      } catch (err) {
        if (err instanceof ProviderError && !err.retryable) {
          await writeLog(deps, { tenantId, severity: 'error', table: 'Werkbon', text: messages.exportRejected({ ...docSubject, providerMessage: err.providerMessage }), simonId: workOrderId });
          await updateExport(deps.database, tenantId, workOrderId, { state: 'failed', settingsVersionId: version.id, errorCode: `provider-${err.kind}`, errorMessage: err.providerMessage, ...run });
          return { state: 'failed', documentId: null, documentNumber: null, reason: err.providerMessage };
        }
        await updateExport(deps.database, tenantId, workOrderId, { errorCode: 'provider-unavailable', errorMessage: err instanceof ProviderError ? err.providerMessage : String(err) });
        throw toApplicationFailure(err);
      }

      // PDFs (visma-net): after the document exists; a transient failure retries the attaching only.
      const warnings: messages.LogText[] = [];
      const kinds = attachmentKinds(settings);
      if (kinds.length > 0 && connector.attachFile) {
        if (!exp.documentId || exp.documentId !== doc.documentId) {
          await updateExport(deps.database, tenantId, workOrderId, { documentId: doc.documentId, documentNumber: doc.documentNumber });
        }
        try {
          for (const kind of kinds) {
            const file = await fetchPdf(kind, wo);
            if (!file) {
              warnings.push(messages.attachmentMissing({ ...docSubject, kind }));
              continue;
            }
            try {
              await connector.attachFile(doc, file);
            } catch (err) {
              if (!(err instanceof ProviderError) || err.retryable) throw err;
              warnings.push(messages.attachmentRejected({ ...docSubject, kind, providerMessage: err.providerMessage }));
            }
          }
        } catch (err) {
          await updateExport(deps.database, tenantId, workOrderId, { errorCode: 'attachment-unavailable', errorMessage: err instanceof ProviderError ? err.providerMessage : String((err as Error).message ?? err) });
          throw toApplicationFailure(err);
        }
      }

      // Log entries are written before the state changes, here and above: whoever sees the new state finds its entries.
      for (const text of warnings) await writeLog(deps, { tenantId, severity: 'warning', table: 'Werkbon', text, simonId: workOrderId, providerId: doc.documentId });
      await writeLog(deps, { tenantId, severity: 'info', table: 'Werkbon', text: messages.exportSent({ ...docSubject, documentNumber: doc.documentNumber }), simonId: workOrderId, providerId: doc.documentId });
      await updateExport(deps.database, tenantId, workOrderId, {
        state: 'sent', documentId: doc.documentId, documentNumber: doc.documentNumber, sentAt: new Date(), settingsVersionId: version.id,
        errorCode: null, errorMessage: null, ...run,
      });
      return { state: 'sent', documentId: doc.documentId, documentNumber: doc.documentNumber, reason: null };
    },

    /** Retries ran out (provider unavailable for a long time): failed, with the reason, so the user can resend it. */
    async markExportFailed(input: { tenantId: string; workOrderId: string; message: string }): Promise<ExportOutcome> {
      const exp = await getExport(deps.database, input.tenantId, input.workOrderId);
      if (!exp || exp.state === 'sent') return exp ? outcomeOf(exp) : { state: 'failed', documentId: null, documentNumber: null, reason: input.message };
      const wo = await loadWorkOrderForDocument(deps.database, input.tenantId, input.workOrderId);
      await writeLog(deps, {
        tenantId: input.tenantId, severity: 'error', table: 'Werkbon', simonId: input.workOrderId,
        text: messages.exportUnavailable({ provider: exp.provider, workOrderNumber: wo?.number ?? input.workOrderId, providerMessage: input.message }),
      });
      await updateExport(deps.database, input.tenantId, input.workOrderId, { state: 'failed', errorCode: 'retries-exhausted', errorMessage: input.message, ...currentRun() });
      return { state: 'failed', documentId: null, documentNumber: null, reason: input.message };
    },
  };
}

/** The quote or order of this provider the work order was imported from, if any. */
async function importedFrom(deps: ActivityDeps, tenantId: string, workOrderId: string, provider: ProviderId): Promise<string | null> {
  const rows = await deps.database.sql<{ quote_id: string }[]>`
    select quote_id from integration.imported_quotes where tenant_id = ${tenantId} and provider = ${provider} and work_order_id = ${workOrderId} limit 1`;
  return rows[0]?.quote_id ?? null;
}

type PdfKind = messages.AttachmentKind;

/** Which PDFs the settings ask for (manual §5.9); none for providers without the setting. */
function attachmentKinds(settings: Settings): PdfKind[] {
  if (!('attachments' in settings)) return [];
  switch (settings.attachments) {
    case 'workOrderPdf':
      return ['workOrderPdf'];
    case 'workOrderAndFormsPdf':
      return ['workOrderPdf', 'formsPdf'];
    case 'formsPdf':
      return ['formsPdf'];
    case 'none':
      return [];
  }
}

const PDF_TIMEOUT_MS = 30_000;

/**
 * The PDF bytes from the work order's reference (a URL Simon serves). null when it does not exist: no reference,
 * not a URL, or 404/410 (SPEC §14.13: a missing forms PDF is skipped with a warning). Other failures throw, so
 * the activity retries.
 */
async function fetchPdf(kind: PdfKind, wo: WorkOrderForDocument): Promise<AttachmentFile | null> {
  const ref = kind === 'workOrderPdf' ? wo.workOrderPdf : wo.formsPdf;
  if (!ref || !/^https?:\/\//i.test(ref)) return null;
  const res = await fetch(ref, { signal: AbortSignal.timeout(PDF_TIMEOUT_MS) });
  if (res.status === 404 || res.status === 410) return null;
  if (!res.ok) throw new Error(`PDF ${kind} van werkbon ${wo.number}: HTTP ${res.status}`);
  const content = Buffer.from(await res.arrayBuffer());
  const fileName = kind === 'workOrderPdf' ? `Werkbon ${wo.number}.pdf` : `Eigen formulieren ${wo.number}.pdf`;
  return { fileName: fileName.replace(/[\\/:*?"<>|]+/g, '-'), contentType: 'application/pdf', content };
}
