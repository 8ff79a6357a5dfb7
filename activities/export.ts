import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { currentRun, exportConnector, writeLog } from './deps.js';
import {
  countAttempt, countAttemptAndStartCreate, finishExport, getExport, loadDocumentInputs, loadExportContext, loadWorkOrderForDocument, pickSettingArticles,
  settingArticleCodes, updateExport, type ExportContext, type ExportPatch, type ExportRow,
} from '../db/queries/exports.js';
import type { ExportState, Severity } from '../db/schema.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { Connector, CreatedDocument, DocumentDraft, DocumentLookup, DocumentPlan } from '../connectors/types.js';
import { alreadyADocument, buildDocument, documentTypeFor, matchesExcludeFilter } from '../lib/document.js';
import * as messages from '../lib/messages.js';
import { settingsSchema, type Settings } from '../lib/settings.js';
import { attachmentKinds, fetchPdf } from './pdf.js';
import { kickEvents } from './events.js';
import type { NewEvent } from '../lib/events.js';

/**
 * Archive → document (docs/exactly-once.md): resolve what is in force → decide (wait, hold, skip, fail or send) →
 * deliver exactly once → attach → finish. Every decision is recorded on the export row, so a retry of this activity
 * continues where the last attempt stopped.
 */

export interface ExportOutcome {
  state: ExportState;
  documentId: string | null;
  documentNumber: string | null;
  reason: string | null;
}

/** Failure type of "a create is in doubt; look again after the window" (a retry with nextRetryDelay, not an error). */
export const EXPORT_IN_DOUBT = 'ExportInDoubt';
/** A document cannot be older than its export row; this much margin covers clocks that disagree. */
const CLOCK_MARGIN_MS = 10 * 60_000;

const outcomeOf = (row: Pick<ExportRow, 'state' | 'documentId' | 'documentNumber' | 'errorMessage'>): ExportOutcome => ({
  state: row.state, documentId: row.documentId, documentNumber: row.documentNumber, reason: row.errorMessage,
});

/** How an export ends this attempt: one log entry (plus warnings), one update of the row. */
interface Ending {
  state: Exclude<ExportState, 'pending'>;
  severity: Severity;
  text: messages.LogText;
  reason: string | null;
  errorCode: string | null;
  document?: CreatedDocument;
  warnings?: messages.LogText[];
  providerId?: string | null;
  settingsVersionId?: number;
  /** The work order's number for the event, when the attempt read it already (else `finish` reads it). */
  workOrderNumber?: string | null;
}

interface Resolved {
  exp: ExportRow;
  settings: Settings;
  settingsVersionId: number;
  subject: messages.ExportSubject;
  draft: DocumentDraft;
}

export function exportActivities(deps: ActivityDeps) {
  const patch = (exp: ExportRow, values: ExportPatch) => updateExport(deps.database, exp.tenantId, exp.workOrderId, values);

  /**
   * The one way an attempt ends: its log entries, the row's new state and the `export.*` event, in one transaction
   * (docs/events.md); then the tenant's event deliverer is woken.
   */
  async function finish(exp: ExportRow, ending: Ending): Promise<ExportOutcome> {
    const run = currentRun();
    const entry = { tenantId: exp.tenantId, table: 'Werkbon' as const, simonId: exp.workOrderId, ...run };
    const doc = ending.document;
    const logs = [
      ...(ending.warnings ?? []).map((text) => ({ ...entry, severity: 'warning' as const, ...text, providerId: doc?.documentId ?? null })),
      { ...entry, severity: ending.severity, ...ending.text, providerId: ending.providerId ?? doc?.documentId ?? null },
    ];
    const reason = ending.state === 'sent' ? null : ending.reason;
    const workOrderNumber = ending.workOrderNumber !== undefined
      ? ending.workOrderNumber
      : (await loadWorkOrderForDocument(deps.database, exp.tenantId, exp.workOrderId))?.number ?? null;
    const data = {
      workOrderId: exp.workOrderId, workOrderNumber, provider: exp.provider,
      documentId: doc?.documentId ?? exp.documentId ?? null, documentNumber: doc?.documentNumber ?? exp.documentNumber ?? null,
      reason, errorCode: ending.errorCode, message: ending.text.message, action: ending.text.action,
    };
    const event: NewEvent = ending.state === 'sent' ? { tenantId: exp.tenantId, type: 'export.sent', data: { ...data, state: 'sent' } }
      : ending.state === 'failed' ? { tenantId: exp.tenantId, type: 'export.failed', data: { ...data, state: 'failed' } }
        : ending.state === 'held' ? { tenantId: exp.tenantId, type: 'export.held', data: { ...data, state: 'held' } }
          : { tenantId: exp.tenantId, type: 'export.skipped', data: { ...data, state: 'skipped' } };
    const emitted = await finishExport(deps.database, exp.tenantId, exp.workOrderId, {
      state: ending.state,
      errorCode: ending.errorCode,
      errorMessage: reason,
      ...(ending.settingsVersionId !== undefined ? { settingsVersionId: ending.settingsVersionId } : {}),
      ...(doc ? { documentId: doc.documentId, documentNumber: doc.documentNumber, sentAt: new Date(), createStartedAt: null, inDoubtSince: null } : {}),
      ...run,
    }, logs, event);
    // An event no endpoint takes has nothing to kick (a delivery left from before is the sweep's, docs/events.md).
    if (!emitted || emitted.deliveries > 0) await kickEvents(deps, exp.tenantId);
    return { state: ending.state, documentId: doc?.documentId ?? null, documentNumber: doc?.documentNumber ?? null, reason };
  }

  /**
   * What is in force for this export, and whether it is to be sent at all. The export context (one statement) holds the
   * integration, the settings version and the imported origin; the work order is read with the settings' articles.
   */
  async function resolve(ctx: ExportContext): Promise<Resolved | Ending | 'wait'> {
    const { exp, integration: integ, version } = ctx;
    const { tenantId, workOrderId } = exp;
    const provider = integ?.provider ?? exp.provider;
    const parsed = version ? settingsSchema.safeParse(version.settings) : null;
    const { workOrder: wo, settingArticles } = await loadDocumentInputs(deps.database, tenantId, workOrderId, parsed?.success ? settingArticleCodes(parsed.data) : []);
    if (!wo) throw ApplicationFailure.nonRetryable(`Work order ${workOrderId} not found`, 'WorkOrderNotFound');
    // Paused: it waits as pending, and resume sends it.
    if (!integ || integ.status === 'paused') return 'wait';
    if (integ.status !== 'active') {
      return { state: 'held', severity: 'warning', text: messages.exportHeldNotActive({ provider, workOrderNumber: wo.number }), reason: 'integratie niet actief', errorCode: 'integration-not-active', workOrderNumber: wo.number };
    }

    // The version in force when the work order was archived (recorded by the API at archive time), else at archive
    // time, else now: resolved in that order by the context's statement.
    if (!version) throw ApplicationFailure.nonRetryable(`No settings saved for ${tenantId}`, 'NoSettings');
    const settings = parsed?.success ? parsed.data : settingsSchema.parse(version.settings);
    const subject: messages.ExportSubject = { provider, workOrderNumber: wo.number, documentType: documentTypeFor(settings) };
    const decided = { settingsVersionId: version.id, workOrderNumber: wo.number };

    if (matchesExcludeFilter(wo.description, settings.excludeFilterWord)) {
      return { ...decided, state: 'skipped', severity: 'info', text: messages.exportSkippedExcludeWord({ ...subject, word: settings.excludeFilterWord }), reason: 'filterwoord', errorCode: null };
    }
    const orderNumber = alreadyADocument(ctx.origin, subject.documentType!);
    if (orderNumber !== null) {
      return { ...decided, state: 'skipped', severity: 'info', text: messages.exportSkippedFromProviderOrder({ ...subject, orderNumber }), reason: `verkooporder ${orderNumber}`, errorCode: null, providerId: orderNumber };
    }

    const built = buildDocument(wo, settings, pickSettingArticles(settings, settingArticles), { reference: exp.reference, date: (wo.archivedAt ?? exp.archivedAt.toISOString()).slice(0, 10) });
    if (!built.ok) {
      const p = built.problem;
      return { ...decided, state: 'failed', severity: 'error', text: { message: p.message, action: p.action }, reason: p.message, errorCode: p.code };
    }
    return { exp, settings, settingsVersionId: version.id, subject, draft: built.draft };
  }

  /**
   * Creates the document exactly once (docs/exactly-once.md). The intent is recorded before the request leaves; an
   * answer that says what happened clears it. A create whose outcome is unknown (timeout, dropped connection, 5xx, a
   * stopped worker) is in doubt: unless the package itself refuses a second document with our reference, the next
   * attempt waits until the in-doubt window has passed, looks again, and creates only when the look-up is still empty.
   */
  async function deliver(r: Resolved, connector: Connector): Promise<CreatedDocument | Ending> {
    const { exp, draft, subject } = r;
    // An earlier attempt created it and recorded it before attaching its PDFs: that one is ours.
    if (exp.documentId && exp.provider === connector.provider) return { documentId: exp.documentId, documentNumber: exp.documentNumber };
    // The first attempt of a package without a planned key looks nothing up and plans nothing: counting the attempt and
    // recording the intent are one write, just before the create leaves.
    const first = !exp.createStartedAt && exp.attempts === 0 && !connector.planDocument;
    if (!first) await countAttempt(deps.database, exp.tenantId, exp.workOrderId);
    const windowMs = deps.env.EXPORT_IN_DOUBT_WINDOW;
    const unique = connector.documentIdentity.uniqueReference;
    const lookup: DocumentLookup = {
      reference: exp.reference,
      customerExternalId: draft.customer.externalId,
      createdAfter: new Date(exp.createdAt.getTime() - CLOCK_MARGIN_MS),
      plan: exp.documentPlan ?? null,
    };

    if (exp.createStartedAt) {
      // A create went out and nobody learned its outcome (the last attempt timed out, or its worker stopped).
      const since = exp.inDoubtSince ?? new Date();
      const lookAt = exp.createStartedAt.getTime() + windowMs;
      if (!exp.inDoubtSince) await markInDoubt(r, since, null, unique ? 0 : Math.max(0, lookAt - Date.now()));
      if (!unique && Date.now() < lookAt) throw inDoubtRetry(lookAt - Date.now());
      const found = await connector.findDocument(lookup);
      if (found) return found;
    } else if (exp.attempts > 0) {
      // Earlier attempts ended with an answer; a look-up is still the cheap insurance against a lost record.
      const found = await connector.findDocument(lookup);
      if (found) return found;
    }

    // Where the caller picks the document's key (Octopus), planning and creating run one export of a tenant at a
    // time, so two workers never plan the same number.
    const planned = connector.planDocument ? (run: () => Promise<CreatedDocument>) => withTenantLock(deps, exp.tenantId, run) : (run: () => Promise<CreatedDocument>) => run();
    let plan: DocumentPlan | null = exp.documentPlan ?? null;
    let sent = false;
    try {
      return await planned(async () => {
        if (!plan && connector.planDocument) {
          plan = await connector.planDocument(draft);
          await patch(exp, { documentPlan: plan });
        }
        if (first) await countAttemptAndStartCreate(deps.database, exp.tenantId, exp.workOrderId, new Date());
        else await patch(exp, { createStartedAt: new Date() });
        sent = true;
        return connector.createDocument(draft, plan);
      });
    } catch (err) {
      // Failed before the create went out (planning, the lock): nothing can be in doubt; the ordinary handling applies.
      if (!sent) throw err;
      if (err instanceof ProviderError && !err.outcomeUnknown) {
        // The package answered, and did nothing: no create is in flight any more.
        await patch(exp, { createStartedAt: null, inDoubtSince: null });
        if (err.retryable) {
          await patch(exp, { errorCode: 'provider-unavailable', errorMessage: err.providerMessage });
          throw toApplicationFailure(err);
        }
        // A package that refuses a second document with our reference refuses this one when an earlier one exists.
        if (unique && (exp.attempts > 0 || exp.createStartedAt)) {
          const found = await connector.findDocument({ ...lookup, plan });
          if (found) return found;
        }
        return {
          state: 'failed', severity: 'error', settingsVersionId: r.settingsVersionId, workOrderNumber: subject.workOrderNumber,
          text: messages.exportRejected({ ...subject, providerMessage: err.providerMessage }),
          reason: err.providerMessage, errorCode: `provider-${err.kind}`,
        };
      }
      // The document may exist: say so, and look again after the window (or at once where the package is unique).
      const said = err instanceof ProviderError ? err.providerMessage : String((err as Error)?.message ?? err);
      const checkAfterMs = unique ? 1_000 : windowMs;
      await markInDoubt(r, new Date(), said, checkAfterMs);
      throw inDoubtRetry(checkAfterMs, said);
    }
  }

  async function markInDoubt(r: Resolved, since: Date, providerMessage: string | null, checkAfterMs: number): Promise<void> {
    const checkAfterMinutes = Math.ceil(checkAfterMs / 60_000);
    await writeLog(deps, {
      tenantId: r.exp.tenantId, severity: 'warning', table: 'Werkbon', simonId: r.exp.workOrderId,
      text: messages.exportInDoubt({ ...r.subject, providerMessage, checkAfterMinutes }),
    });
    await patch(r.exp, { inDoubtSince: since, errorCode: 'in-doubt', errorMessage: providerMessage ?? 'uitkomst van het aanmaken onbekend' });
  }

  /** PDFs (Visma.net) after the document exists; a file already there is not posted again (it would be a new revision). */
  async function attach(r: Resolved, connector: Connector, doc: CreatedDocument): Promise<messages.LogText[]> {
    const kinds = attachmentKinds(r.settings);
    if (kinds.length === 0 || !connector.attachFile) return [];
    if (r.exp.documentId !== doc.documentId) await patch(r.exp, { documentId: doc.documentId, documentNumber: doc.documentNumber, createStartedAt: null, inDoubtSince: null });
    const warnings: messages.LogText[] = [];
    try {
      const present = connector.listAttachments ? new Set(await connector.listAttachments(doc)) : new Set<string>();
      const wo = await loadWorkOrderForDocument(deps.database, r.exp.tenantId, r.exp.workOrderId);
      for (const kind of kinds) {
        const file = wo ? await fetchPdf(kind, wo) : null;
        if (!file) {
          warnings.push(messages.attachmentMissing({ ...r.subject, kind }));
          continue;
        }
        if (present.has(file.fileName)) continue;
        try {
          await connector.attachFile(doc, file);
        } catch (err) {
          if (!(err instanceof ProviderError) || err.retryable) throw err;
          warnings.push(messages.attachmentRejected({ ...r.subject, kind, providerMessage: err.providerMessage }));
        }
      }
    } catch (err) {
      await patch(r.exp, { errorCode: 'attachment-unavailable', errorMessage: err instanceof ProviderError ? err.providerMessage : String((err as Error).message ?? err) });
      throw toApplicationFailure(err);
    }
    return warnings;
  }

  return {
    async sendWorkOrder(input: { tenantId: string; workOrderId: string }): Promise<ExportOutcome> {
      const ctx = await loadExportContext(deps.database, input.tenantId, input.workOrderId, new Date());
      if (!ctx) throw ApplicationFailure.nonRetryable(`No export recorded for work order ${input.workOrderId}`, 'ExportNotFound');
      const { exp } = ctx;
      if (exp.state !== 'pending') return outcomeOf(exp);

      const resolved = await resolve(ctx);
      if (resolved === 'wait') return outcomeOf(exp);
      if (!('draft' in resolved)) return finish(exp, resolved);

      let connector: Connector;
      let delivered: CreatedDocument | Ending;
      try {
        connector = exportConnector(deps, exp.tenantId, resolved.subject.provider, ctx.sealed, resolved.settings);
        delivered = await deliver(resolved, connector);
      } catch (err) {
        if (err instanceof ProviderError && !err.retryable) {
          return finish(exp, {
            state: 'failed', severity: 'error', settingsVersionId: resolved.settingsVersionId, workOrderNumber: resolved.subject.workOrderNumber,
            text: messages.exportRejected({ ...resolved.subject, providerMessage: err.providerMessage }), reason: err.providerMessage, errorCode: `provider-${err.kind}`,
          });
        }
        if (err instanceof ProviderError) await patch(exp, { errorCode: 'provider-unavailable', errorMessage: err.providerMessage });
        throw toApplicationFailure(err);
      }
      if (!('documentId' in delivered)) return finish(exp, delivered);

      const warnings = await attach(resolved, connector, delivered);
      return finish(exp, {
        state: 'sent', severity: 'info', document: delivered, warnings, settingsVersionId: resolved.settingsVersionId, workOrderNumber: resolved.subject.workOrderNumber,
        text: messages.exportSent({ ...resolved.subject, documentNumber: delivered.documentNumber }), reason: null, errorCode: null,
      });
    },

    /** Retries ran out (provider unavailable for a long time): failed, with the reason, so the user can resend it. */
    async markExportFailed(input: { tenantId: string; workOrderId: string; message: string }): Promise<ExportOutcome> {
      const exp = await getExport(deps.database, input.tenantId, input.workOrderId);
      if (!exp || exp.state === 'sent') return exp ? outcomeOf(exp) : { state: 'failed', documentId: null, documentNumber: null, reason: input.message };
      const wo = await loadWorkOrderForDocument(deps.database, input.tenantId, input.workOrderId);
      // An in-doubt create stays recorded (createStartedAt): "Opnieuw versturen" then looks it up before creating.
      return finish(exp, {
        state: 'failed', severity: 'error', errorCode: 'retries-exhausted', reason: input.message, workOrderNumber: wo?.number ?? null,
        text: messages.exportUnavailable({ provider: exp.provider, workOrderNumber: wo?.number ?? input.workOrderId, providerMessage: input.message }),
      });
    },
  };
}

/** In this worker: one plan-and-create per tenant at a time (a promise chain per tenant). */
const localPlanLocks = new Map<string, Promise<unknown>>();

/**
 * One plan-and-create per tenant at a time: in this worker through a promise chain, across workers through a Postgres
 * advisory lock taken with try-lock on a reserved connection. Waiting never holds a pool connection (the holder needs
 * the pool for its own queries): a worker that finds the lock taken retries through Temporal a second later.
 */
async function withTenantLock<T>(deps: ActivityDeps, tenantId: string, run: () => Promise<T>): Promise<T> {
  const key = `export-plan:${tenantId}`;
  const before = localPlanLocks.get(key) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(async () => {
    const conn = await deps.database.sql.reserve();
    try {
      const [row] = await conn<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtext(${key})) as locked`;
      if (!row?.locked) {
        throw ApplicationFailure.create({ type: 'ExportPlanBusy', message: 'Another worker is creating a document for this tenant; trying again shortly', nextRetryDelay: 1_000 });
      }
      try {
        return await run();
      } finally {
        await conn`select pg_advisory_unlock(hashtext(${key}))`;
      }
    } finally {
      conn.release();
    }
  });
  localPlanLocks.set(key, mine);
  try {
    return await mine;
  } finally {
    if (localPlanLocks.get(key) === mine) localPlanLocks.delete(key);
  }
}

/** A retry of the send activity after `delayMs`, through Temporal (no sleep inside an activity). */
function inDoubtRetry(delayMs: number, providerMessage?: string | null): ApplicationFailure {
  return ApplicationFailure.create({
    type: EXPORT_IN_DOUBT,
    message: `Create in doubt${providerMessage ? ` (${providerMessage})` : ''}: the document may exist; looking it up again in ${Math.ceil(delayMs / 1000)} s`,
    nonRetryable: false,
    nextRetryDelay: Math.max(1_000, delayMs),
  });
}
