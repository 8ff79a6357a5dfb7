import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { connectorFor } from './deps.js';
import { getIntegration, settingsVersionAt } from '../db/queries/integration.js';
import { getExport, resolveSettingArticles, importedOrigin, resolveSnapshotForDocument } from '../db/queries/exports.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { DocumentDraft, DocumentPreview, UpstreamProblem } from '../connectors/types.js';
import { ProviderError } from '../lib/errors.js';
import { alreadyADocument, collectDocument, documentTypeFor, matchesExcludeFilter, type CollectedDocument } from '../lib/document.js';
import * as messages from '../lib/messages.js';
import type { ProviderId } from '../lib/providers.js';
import { documentReference } from '../lib/references.js';
import { settingsSchema, type Settings } from '../lib/settings.js';
import type { WorkOrderSnapshot } from '../lib/work-order.js';
import { attachmentKinds, pdfFileName, pdfReference } from './pdf.js';

/**
 * The document preview (docs/preview.md): what `sendWorkOrder` (activities/export.ts) would send for a work order
 * snapshot with the settings in force now, built by the same rules (`collectDocument`, the connector's own body
 * function), and every problem that would make the export fail. Nothing is written: not in Postgres, not upstream.
 */

/** The longest wait a package may ask for before the preview gives up rather than keep the caller waiting. */
const PREVIEW_RETRY_LIMIT_MS = 10_000;

export interface PreviewProblem {
  /** The export's error code where the export has one (`no-customer`, `article-not-synced`, …), else the package's. */
  code: string;
  message: string;
  action: string;
  /** The customer, address, article code or warehouse concerned. */
  detail: string | null;
}

export interface PreviewAttachment {
  kind: messages.AttachmentKind;
  fileName: string;
  /** Where the export fetches it from; null: the work order has none, and the export sends it without (a warning). */
  source: string | null;
}

export interface DocumentPreviewResult {
  provider: ProviderId;
  documentType: CollectedDocument['document']['documentType'];
  settingsVersionId: number;
  /** `send`: the export would create this document; `skip`: it would skip the work order (`skipped` says why). */
  outcome: 'send' | 'skip';
  skipped: { message: string; action: string | null } | null;
  document: CollectedDocument['document'] & { attachments: PreviewAttachment[] };
  /** The create's request body as the package would receive it; null when a problem stops the export. */
  requestBody: unknown;
  problems: PreviewProblem[];
  /** What the export would log as a warning without failing (a PDF that is missing). */
  warnings: { code: string; message: string; action: string | null }[];
}

export interface PreviewInput {
  tenantId: string;
  workOrderId: string;
  snapshot: WorkOrderSnapshot;
}

export function previewActivities(deps: ActivityDeps) {
  return {
    async previewDocument(input: PreviewInput): Promise<DocumentPreviewResult> {
      const { tenantId, workOrderId, snapshot } = input;
      const integ = await getIntegration(deps.database, tenantId);
      if (!integ) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
      const provider = integ.provider;
      const version = await settingsVersionAt(deps.database, tenantId, new Date());
      if (!version) throw ApplicationFailure.nonRetryable(`No settings saved for ${tenantId}`, 'NoSettings');
      const settings = settingsSchema.parse(version.settings);
      const documentType = documentTypeFor(settings);
      const subject: messages.ExportSubject = { provider, workOrderNumber: snapshot.number, documentType };

      // A work order archived before keeps its reference and archive time (the archive does not change them).
      const exp = await getExport(deps.database, tenantId, workOrderId);
      const archivedAt = exp?.archivedAt ?? (snapshot.archivedAt ? new Date(snapshot.archivedAt) : new Date());
      const reference = exp?.reference ?? documentReference(provider, tenantId, workOrderId, snapshot.number);
      const wo = await resolveSnapshotForDocument(deps.database, tenantId, workOrderId, snapshot, archivedAt);

      let skipped: messages.LogText | null = null;
      if (matchesExcludeFilter(wo.description, settings.excludeFilterWord)) {
        skipped = messages.exportSkippedExcludeWord({ ...subject, word: settings.excludeFilterWord });
      } else {
        const orderNumber = alreadyADocument(await importedOrigin(deps.database, tenantId, provider, workOrderId), documentType);
        if (orderNumber !== null) skipped = messages.exportSkippedFromProviderOrder({ ...subject, orderNumber });
      }

      // As in sendWorkOrder's resolve step (activities/export.ts).
      const collected = collectDocument(wo, settings, await resolveSettingArticles(deps.database, tenantId, settings), { reference, date: archivedAt.toISOString().slice(0, 10) });

      const problems: PreviewProblem[] = collected.problems.map((p) => ({ code: p.code, message: p.message, action: p.action, detail: p.detail ?? null }));
      let requestBody: unknown = null;
      if (!skipped) {
        // Simon's side incomplete: the package is still asked about the articles and the warehouse, never about a
        // customer it cannot have (a stand-in that no body is taken from).
        const draft = collected.draft ?? { ...collected.document, customer: { externalId: collected.document.customer?.externalId ?? '', name: collected.document.customer?.name ?? '' } };
        const upstream = await askPackage(deps, tenantId, provider, settings, draft);
        const relevant = collected.draft ? upstream.problems : upstream.problems.filter((p) => p.code !== 'refused');
        problems.push(...relevant.map((p) => upstreamProblem(subject, p)));
        if (collected.draft && relevant.length === 0) requestBody = upstream.body;
      }

      const attachments = attachmentKinds(settings).map((kind): PreviewAttachment => ({ kind, fileName: pdfFileName(kind, wo.number), source: pdfReference(kind, wo) }));
      const warnings = attachments.filter((a) => a.source === null).map((a) => ({ code: 'attachment-missing', ...messages.attachmentMissing({ ...subject, kind: a.kind }) }));
      return {
        provider, documentType, settingsVersionId: version.id,
        outcome: skipped ? 'skip' : 'send',
        skipped: skipped ? { message: skipped.message, action: skipped.action ?? null } : null,
        document: { ...collected.document, attachments },
        requestBody: skipped ? null : requestBody,
        problems: skipped ? [] : problems,
        warnings: skipped ? [] : warnings,
      };
    },
  };
}

/** The connector's preview; a refusal it raises itself is a problem, a package that is away a retry (then 503). */
async function askPackage(deps: ActivityDeps, tenantId: string, provider: ProviderId, settings: Settings, draft: DocumentDraft): Promise<DocumentPreview> {
  try {
    const connector = await connectorFor(deps, tenantId, provider, { purpose: 'interactive', settings });
    return await connector.previewDocument(draft);
  } catch (err) {
    if (err instanceof ProviderError && !err.retryable) return { body: null, problems: [{ code: 'refused', reason: err.providerMessage || err.message, detail: null }] };
    // Someone waits for the answer: a package that says "later" (a limit, Retry-After) is not waited for (API 503).
    if (err instanceof ProviderError && (err.kind === 'rate-limited' || (err.retryAfterMs ?? 0) > PREVIEW_RETRY_LIMIT_MS)) {
      throw ApplicationFailure.nonRetryable(err.message, 'PreviewProviderBusy');
    }
    throw toApplicationFailure(err);
  }
}

function upstreamProblem(subject: messages.ExportSubject, p: UpstreamProblem): PreviewProblem {
  const detail = p.detail ?? '';
  const text = p.code === 'article-not-found-upstream'
    ? messages.previewArticleGoneUpstream({ ...subject, code: detail, reason: p.reason })
    : p.code === 'warehouse-missing'
      ? messages.previewWarehouseMissing({ ...subject, warehouse: detail, reason: p.reason })
      : messages.exportRejected({ ...subject, providerMessage: p.reason });
  return { code: p.code, message: text.message, action: text.action ?? '', detail: p.detail };
}
