import { ParentClosePolicy, patched, proxyActivities, startChild, uuid4 } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import type { ProviderId, SyncScope } from '../lib/providers.js';
import { syncScopes } from '../lib/providers.js';
import type { FieldCheck, Settings } from '../lib/settings.js';
import type { WipeableTable } from '../db/schema.js';
import { runMeta, workflowIds } from '../lib/runs.js';
import { syncWorkflow } from './sync.js';

/**
 * The activation steps of docs/activation.md are short workflows the API runs and awaits, one per step, so each
 * step shows up in the Temporal UI under `activation/{tenant}/…`. Their state lives in Postgres
 * (integration.integrations.steps); credentials never enter a workflow: the API seals them in the
 * database and the connect activity reads them there.
 */

const steps = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function wipeWorkflow(input: { tenantId: string; tables: WipeableTable[] }): Promise<Record<string, number>> {
  return steps.wipeSimonTables(input);
}

export type ConnectResult = { ok: true; label: string | null } | { ok: false; message: string };

export async function connectWorkflow(input: { tenantId: string }): Promise<ConnectResult> {
  return steps.verifyConnection(input);
}

/** `partial`: the fields the admin asked about; absent = every field (docs/check-settings.md). */
export async function checkSettingsWorkflow(input: { tenantId: string; settings: Settings; partial?: string[] }): Promise<FieldCheck[]> {
  return steps.checkSettings(input);
}

/** A pick-list for the settings screen, read live from the provider (`GET …/integration/options/{list}`). */
export async function optionsWorkflow(input: { tenantId: string; list: string; q: string | null; administration?: string | null }) {
  return steps.listOptions(input);
}

export interface SaveSettingsResult {
  ok: boolean;
  checks: FieldCheck[];
  version: number | null;
  message: string;
  importWorkflowIds: string[];
}

/**
 * "Opslaan": re-checks every field, stores a new settings version (effective from now) and, on a first
 * save of an activation, makes the integration active, creates its schedules and starts the initial import
 * in the background (the same `sync/{tenant}/{scope}` workflows the schedule uses, so they never overlap).
 */
export async function saveSettingsWorkflow(input: {
  tenantId: string; provider: ProviderId; settings: Settings; actor: string | null; completeActivation: boolean;
  /** Set by the API when the admin confirmed choosing another administration (docs/administration-change.md). */
  changeAdministration?: { from: string; to: string };
}): Promise<SaveSettingsResult> {
  const checks = await steps.checkSettings({ tenantId: input.tenantId, settings: input.settings });
  if (checks.some((c) => !c.ok)) return { ok: false, checks, version: null, message: 'Niet alle instellingen zijn correct', importWorkflowIds: [] };
  const saved = await steps.saveSettings({ ...input, requestId: uuid4() });
  // Switching the quote import on takes its baseline now: existing quotes stay quotes (docs/quotes.md).
  // patched(): runs recorded before this step existed replay without it (docs/testing.md, "Replay").
  if (patched('quote-baseline') && (saved.quotes.enabled !== saved.quotes.wasEnabled || !saved.quotes.enabled)) {
    await steps.updateQuoteBaseline({ tenantId: input.tenantId, enabled: saved.quotes.enabled, wasEnabled: saved.quotes.wasEnabled });
  }
  const importWorkflowIds: string[] = [];
  if (input.changeAdministration && !input.completeActivation) {
    // A re-activation against the new administration: stop, wipe, hold, import again (docs/administration-change.md).
    // The new version is saved first, so a sync page still in flight sees the change and writes nothing.
    await steps.stopTenantSyncs({ tenantId: input.tenantId });
    await steps.resetAdministration({ tenantId: input.tenantId, ...input.changeAdministration });
    if (saved.quotes.enabled) await steps.updateQuoteBaseline({ tenantId: input.tenantId, enabled: true, wasEnabled: false });
    for (const scope of syncScopes) importWorkflowIds.push(await startInitialImport(input.tenantId, input.provider, scope));
    await steps.resumeTenantSchedules({ tenantId: input.tenantId });
  }
  if (input.completeActivation) {
    await steps.ensureSchedules({ tenantId: input.tenantId, provider: input.provider });
    for (const scope of syncScopes) importWorkflowIds.push(await startInitialImport(input.tenantId, input.provider, scope));
  }
  return { ok: true, checks, version: saved.version, message: saved.message, importWorkflowIds };
}

async function startInitialImport(tenantId: string, provider: ProviderId, scope: SyncScope): Promise<string> {
  const workflowId = workflowIds.sync(tenantId, scope);
  try {
    await startChild(syncWorkflow, {
      workflowId,
      args: [{ tenantId, provider, scope, initial: true }],
      // The import outlives this short workflow.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      ...runMeta({ tenantId, provider, kind: 'sync', detail: `${scope}, initiële import` }),
    });
  } catch (err) {
    // Already running (a sync now or a scheduled run): that run does the import.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
