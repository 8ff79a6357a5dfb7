import type { AppRouteHandler } from '../types.js';
import type * as routes from './exports.routes.js';
import { conflict, orNotFound } from '../errors.js';
import { temporalOf, temporalRunUrl } from '../temporal.js';
import { startExport } from './start-export.js';
import { kickEvents } from '../events/kick.js';
import { archiveContext, getExport as readExport, listExports as readExports, recordArchive, updateExport, type ExportRow } from '../../db/queries/exports.js';
import { getIntegration, settingsVersionAt } from '../../db/queries/integration.js';
import { appendLogEntries } from '../../db/queries/logs.js';
import { exportStateLabels } from '../../db/queries/labels.js';
import { documentReference } from '../../lib/references.js';
import * as messages from '../../lib/messages.js';
import { isArchivable } from '../../lib/work-order.js';
import type { Context } from 'hono';
import type { AppBindings } from '../types.js';


export function presentExport(c: Context<AppBindings>, row: ExportRow) {
  const t = c.get('deps').temporal;
  return {
    workOrderId: row.workOrderId,
    provider: row.provider,
    state: row.state,
    // One source for the Dutch state names (docs/export.md, "States").
    stateLabel: exportStateLabels[row.state],
    documentId: row.documentId,
    documentNumber: row.documentNumber,
    reference: row.reference,
    settingsVersionId: row.settingsVersionId,
    error: row.errorCode || row.errorMessage ? { code: row.errorCode, message: row.errorMessage } : null,
    attempts: row.attempts,
    inDoubt: row.inDoubtSince
      ? {
          since: row.inDoubtSince.toISOString(),
          checkAfter: row.createStartedAt ? new Date(row.createStartedAt.getTime() + c.get('deps').env.EXPORT_IN_DOUBT_WINDOW).toISOString() : null,
        }
      : null,
    archivedAt: row.archivedAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    workflowId: row.workflowId,
    runId: row.runId,
    temporalUrl: row.workflowId && t ? temporalRunUrl(t.uiUrl, t.namespace, row.workflowId, row.runId) : null,
  };
}

export const archive: AppRouteHandler<typeof routes.archive> = async (c) => {
  const { tenant, id } = c.req.valid('param');
  const snapshot = c.req.valid('json');
  if (!isArchivable(snapshot.status)) throw conflict(messages.apiTexts.workOrders.notCompleted(snapshot.status), 'not_completed');
  const { database } = c.get('deps');
  const archivedAt = snapshot.archivedAt ? new Date(snapshot.archivedAt) : new Date();
  // The integration, and the settings version in force at archive time, which builds the document even if it is sent
  // later (docs/export.md): one statement.
  const integ = (await archiveContext(database, tenant, archivedAt))!;
  const provider = integ.provider;
  const live = integ.status === 'active' || integ.status === 'paused';
  const version = live && integ.settingsVersionId !== null ? { id: integ.settingsVersionId } : null;
  const subject = { provider, workOrderNumber: snapshot.number };
  const heldText = messages.exportHeldNotActive(subject);
  const { exportRow, created } = await recordArchive(database, {
    tenantId: tenant, workOrderId: id, provider, snapshot, archivedAt,
    initialState: live ? 'pending' : 'held', settingsVersionId: version?.id ?? null, reference: documentReference(provider, tenant, id, snapshot.number), heldText,
  });
  if (created && exportRow.state === 'held') {
    await appendLogEntries(database, [{ tenantId: tenant, severity: 'warning', table: 'Werkbon', ...heldText, simonId: id }]);
    await kickEvents(c, tenant);
  } else if (created && integ.status === 'paused') {
    const text = messages.exportPendingPaused(subject);
    await appendLogEntries(database, [{ tenantId: tenant, severity: 'info', table: 'Werkbon', ...text, simonId: id }]);
  }
  let row = exportRow;
  if (row.state === 'pending' && integ.status === 'active') {
    row = (await startExport(c, tenant, provider, id)).row ?? (await readExport(database, tenant, id))!;
  }
  return c.json({ export: presentExport(c, row), created }, 202);
};

export const getExport: AppRouteHandler<typeof routes.getExport> = async (c) => {
  const { tenant, id } = c.req.valid('param');
  return c.json(presentExport(c, orNotFound(await readExport(c.get('deps').database, tenant, id), messages.apiTexts.workOrders.noExport)), 200);
};

export const retryExport: AppRouteHandler<typeof routes.retryExport> = async (c) => {
  const { tenant, id } = c.req.valid('param');
  const { database } = c.get('deps');
  const row = orNotFound(await readExport(database, tenant, id), messages.apiTexts.workOrders.noExport);
  const integ = (await getIntegration(database, tenant))!;
  if (row.state === 'pending') {
    // Stranded: recorded but its run is not running (the API stopped, or Temporal was away, at archive time).
    if (integ.status !== 'active') throw conflict(messages.apiTexts.operations.notActive(integ.status));
    if (await isRunning(c, row.workflowId)) throw conflict(messages.apiTexts.workOrders.exportRunning, 'export_running');
    await startExport(c, tenant, integ.provider, id);
    return c.json(presentExport(c, (await readExport(database, tenant, id))!), 202);
  }
  if (row.state !== 'failed' && row.state !== 'held') throw conflict(messages.apiTexts.workOrders.retryNeedsFailedOrHeld(row.state));
  if (integ.status !== 'active') throw conflict(messages.apiTexts.operations.notActive(integ.status));
  temporalOf(c);
  // A held export was archived while nothing was in force: it is built with the settings of now.
  const settingsVersionId = row.state === 'held' || row.settingsVersionId === null ? (await settingsVersionAt(database, tenant, new Date()))?.id ?? null : row.settingsVersionId;
  // The run that recorded the failure may still be closing; joining it (USE_EXISTING) would send nothing.
  await waitForPreviousRun(c, row.workflowId);
  // A planned key someone else took (Octopus "nummer bezet") is planned anew, unless a create is still in doubt.
  const replan = row.errorCode === 'provider-conflict' && !row.createStartedAt && !row.documentId ? { documentPlan: null } : {};
  await updateExport(database, tenant, id, { state: 'pending', errorCode: null, errorMessage: null, settingsVersionId, provider: integ.provider, ...replan });
  await startExport(c, tenant, integ.provider, id);
  return c.json(presentExport(c, (await readExport(database, tenant, id))!), 202);
};

async function isRunning(c: Context<AppBindings>, workflowId: string | null): Promise<boolean> {
  if (!workflowId) return false;
  const status = await temporalOf(c).client.workflow.getHandle(workflowId).describe().then((d) => d.status.name, () => 'NOT_FOUND');
  return status === 'RUNNING';
}

async function waitForPreviousRun(c: Context<AppBindings>, workflowId: string | null): Promise<void> {
  if (!workflowId) return;
  const handle = temporalOf(c).client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const status = await handle.describe().then((d) => d.status.name).catch(() => 'NOT_FOUND');
    if (status !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw conflict(messages.apiTexts.workOrders.previousAttemptRunning);
}

export const listExports: AppRouteHandler<typeof routes.listExports> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { state, limit } = c.req.valid('query');
  const rows = await readExports(c.get('deps').database, tenant, state ?? null, limit);
  return c.json({ exports: rows.map((r) => presentExport(c, r)) }, 200);
};
