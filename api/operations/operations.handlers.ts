import type { AppRouteHandler } from '../types.js';
import type * as routes from './operations.routes.js';
import { conflict, notFound } from '../errors.js';
import { temporalOf, temporalRunUrl } from '../temporal.js';
import { getIntegration, setStatus } from '../../db/queries/integration.js';
import { integrationStatusLabels } from '../../db/queries/labels.js';
import { pendingExports } from '../../db/queries/exports.js';
import { appendLogEntries } from '../../db/queries/logs.js';
import * as messages from '../../lib/messages.js';
import { scopeEntities, syncScopes, type SyncScope } from '../../lib/providers.js';
import { deleteTenantSchedules, setTenantSchedulesPaused } from '../../lib/schedules.js';
import { runMeta, workflowIds } from '../../lib/runs.js';
import { reconcileWorkflow, syncWorkflow } from '../../workflows/index.js';
import { startExport } from '../exports/start-export.js';
import { kickEvents } from '../events/kick.js';
import type { IntegrationStatus } from '../../db/schema.js';
import type { Context } from 'hono';
import type { AppBindings } from '../types.js';
import { formatAmsterdam } from '../../lib/quota.js';
import { providers } from '../../lib/providers.js';
import { createQuotaGuard, reconcileShortfall } from '../../db/queries/quota.js';
import { markListingsRequested } from '../../db/queries/sync.js';

/** The tenant's integration; knownTenant has seen it, so none is a row deleted since (404). */
async function integrationOf(c: Context<AppBindings>, tenant: string) {
  const row = await getIntegration(c.get('deps').database, tenant);
  if (!row) throw notFound('Tenant not found');
  return row;
}

/**
 * A new status: recorded with its text, announced to the webhook deliverer (docs/events.md), then, after `meanwhile`
 * (what must happen between the two), logged in table "Integratie".
 */
async function recordStatus(c: Context<AppBindings>, tenant: string, status: IntegrationStatus, text: messages.LogText, meanwhile?: () => Promise<void>) {
  const { database } = c.get('deps');
  await setStatus(database, tenant, status, text.message);
  await kickEvents(c, tenant);
  await meanwhile?.();
  await appendLogEntries(database, [{ tenantId: tenant, severity: 'info', table: 'Integratie', ...text }]);
}

export const syncNow: AppRouteHandler<typeof routes.syncNow> = async (c) => {
  const { tenant } = c.req.valid('param');
  const body = c.req.valid('json');
  const row = await integrationOf(c, tenant);
  if (row.status !== 'active') throw conflict(messages.apiTexts.operations.syncNeedsActive(row.status));
  const t = temporalOf(c);
  const scopes: SyncScope[] = [...(body.articles ? (['articles'] as const) : []), ...(body.customers ? (['customers'] as const) : [])];
  // API-limited providers: refuse up front what would not fit in today's sync share of the quota (lib/quota.ts).
  const { database, env } = c.get('deps');
  const provider = row.provider;
  const quota = await createQuotaGuard({ database, env }).checkSyncNow(tenant, provider, scopes);
  if (!quota.ok) {
    const remaining = quota.endpoint ? Math.max(0, quota.endpoint.perDay - quota.endpoint.used)
      : quota.window === 'day' ? quota.status.day.remainingForSync : quota.status.minute.remaining;
    // An endpoint of its own that is spent (Octopus: products twice a day) says so, not "N calls left today".
    const text = quota.endpoint
      ? messages.octopusSyncNowRefusedEndpoint(quota.endpoint.name, quota.endpoint.perDay, formatAmsterdam(quota.resetsAt))
      : messages.syncNowRefusedQuota(provider, { window: quota.window, needed: quota.needed, remaining, retryAt: formatAmsterdam(quota.resetsAt) });
    await appendLogEntries(database, [{ tenantId: tenant, severity: 'warning', table: 'Integratie', ...text }]);
    const retryAfterSeconds = Math.max(1, Math.ceil(quota.retryAfterMs / 1000));
    c.header('Retry-After', String(retryAfterSeconds));
    return c.json({ error: 'quota_exceeded' as const, message: text.message, action: text.action, retryAfterSeconds, needed: quota.needed, remaining }, 429);
  }
  // Before the start: a scheduled run that reads the sync state meanwhile leaves these scopes alone (docs/idle-sync.md).
  await markListingsRequested(database.sql, tenant, scopes.flatMap((scope) => scopeEntities[scope]));
  const started = [];
  for (const scope of scopes) {
    const workflowId = workflowIds.sync(tenant, scope);
    // USE_EXISTING: a sync of this tenant and scope that is already running is joined, not duplicated.
    const handle = await t.client.workflow.start(syncWorkflow, {
      workflowId,
      taskQueue: t.taskQueue,
      args: [{ tenantId: tenant, provider: row.provider, scope }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      ...runMeta({ tenantId: tenant, provider: row.provider, kind: 'sync', detail: messages.apiTexts.operations.syncNowRun(scope) }),
    });
    started.push({ scope, workflowId, runId: handle.firstExecutionRunId, temporalUrl: temporalRunUrl(t.uiUrl, t.namespace, workflowId, handle.firstExecutionRunId) });
  }
  return c.json({ workflows: started }, 202);
};

/** "Controleer nu": the weekly reconciliation started by hand (docs/reconciliation.md); a running one is joined. */
export const reconcileNow: AppRouteHandler<typeof routes.reconcileNow> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { days } = c.req.valid('json');
  const { database, env } = c.get('deps');
  const row = await integrationOf(c, tenant);
  if (row.status !== 'active') throw conflict(messages.apiTexts.operations.reconcileNeedsActive(row.status));
  const provider = row.provider;
  if (!providers[provider].capabilities.reconcile) throw conflict(messages.apiTexts.operations.reconcileUnsupported(provider), 'not_supported');
  // API-limited providers: it runs in the sync share of the quota; refuse up front what would not fit (lib/quota.ts).
  const resetsAt = await reconcileShortfall(createQuotaGuard({ database, env }), tenant, provider);
  if (resetsAt) {
    const text = messages.reconcileStoppedQuota(provider, formatAmsterdam(resetsAt));
    await appendLogEntries(database, [{ tenantId: tenant, severity: 'warning', table: 'Integratie', ...text }]);
    const retryAfterSeconds = Math.max(1, Math.ceil((resetsAt.getTime() - Date.now()) / 1000));
    c.header('Retry-After', String(retryAfterSeconds));
    return c.json({ error: 'quota_exceeded' as const, message: text.message, action: text.action, retryAfterSeconds }, 429);
  }
  const t = temporalOf(c);
  const workflowId = workflowIds.reconcile(tenant);
  const handle = await t.client.workflow.start(reconcileWorkflow, {
    workflowId,
    taskQueue: t.taskQueue,
    args: [{ tenantId: tenant, provider, ...(days !== undefined ? { days } : {}) }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowExecutionTimeout: '6 hours',
    ...runMeta({ tenantId: tenant, provider, kind: 'reconcile', detail: messages.apiTexts.operations.reconcileNowRun }),
  });
  return c.json({ workflowId, runId: handle.firstExecutionRunId, temporalUrl: temporalRunUrl(t.uiUrl, t.namespace, workflowId, handle.firstExecutionRunId) }, 202);
};

export const pause: AppRouteHandler<typeof routes.pause> = async (c) => {
  const { tenant } = c.req.valid('param');
  const row = await integrationOf(c, tenant);
  if (row.status !== 'active') throw conflict(messages.apiTexts.operations.pauseNeedsActive(row.status));
  await setTenantSchedulesPaused(temporalOf(c).client, tenant, true, messages.apiTexts.operations.pausedBy(c.get('auth').actor));
  await recordStatus(c, tenant, 'paused', messages.integrationPaused(row.provider));
  return c.json({ status: 'paused', label: integrationStatusLabels.paused }, 200);
};

export const resume: AppRouteHandler<typeof routes.resume> = async (c) => {
  const { tenant } = c.req.valid('param');
  const row = await integrationOf(c, tenant);
  if (row.status !== 'paused') throw conflict(messages.apiTexts.operations.resumeNeedsPaused(row.status));
  await recordStatus(c, tenant, 'active', messages.integrationResumed(row.provider), () =>
    setTenantSchedulesPaused(temporalOf(c).client, tenant, false, messages.apiTexts.operations.resumedBy(c.get('auth').actor)));
  // Work orders archived during the pause waited as `pending`: send them now.
  const waiting = await pendingExports(c.get('deps').database, tenant);
  for (const exp of waiting) await startExport(c, tenant, row.provider, exp.workOrderId);
  return c.json({ status: 'active', label: integrationStatusLabels.active, resent: waiting.length }, 200);
};

export const deactivate: AppRouteHandler<typeof routes.deactivate> = async (c) => {
  const { tenant } = c.req.valid('param');
  const row = await integrationOf(c, tenant);
  if (row.status === 'deactivated' || row.status === 'not_activated') throw conflict(messages.apiTexts.operations.notActive(row.status));
  const t = temporalOf(c);
  // Order matters: no new scheduled runs, then stop the running ones, then mark the integration deactivated,
  // so a running import ends as cancelled rather than failing on the status check of its next activity.
  await deleteTenantSchedules(t.client, tenant);
  // Stop running syncs and imports at once (docs/activation.md): the fixed ids directly (visibility lags behind a start
  // of a moment ago), then whatever else of this tenant the visibility store knows to be running.
  const cancel = (workflowId: string, runId?: string) =>
    t.client.workflow.getHandle(workflowId, runId).cancel().catch(() => {});
  for (const scope of syncScopes) await cancel(workflowIds.sync(tenant, scope));
  for await (const wf of t.client.workflow.list({ query: `TenantId = "${tenant}" AND ExecutionStatus = "Running" AND WorkflowType IN ("syncWorkflow", "scheduledSyncWorkflow", "quoteImportWorkflow", "cleanupWorkflow", "reconcileWorkflow")` })) {
    await cancel(wf.workflowId, wf.runId);
  }
  await recordStatus(c, tenant, 'deactivated', messages.integrationDeactivated(row.provider));
  return c.json({ status: 'deactivated', label: integrationStatusLabels.deactivated }, 200);
};

export const runs: AppRouteHandler<typeof routes.runs> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { limit } = c.req.valid('query');
  const t = temporalOf(c);
  const out = [];
  for await (const wf of t.client.workflow.list({ query: `TenantId = "${tenant}"`, pageSize: limit })) {
    out.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      type: wf.type,
      status: wf.status.name,
      startTime: wf.startTime?.toISOString() ?? null,
      closeTime: wf.closeTime?.toISOString() ?? null,
      summary: null,
      temporalUrl: temporalRunUrl(t.uiUrl, t.namespace, wf.workflowId, wf.runId),
    });
    if (out.length >= limit) break;
  }
  return c.json({ runs: out }, 200);
};
