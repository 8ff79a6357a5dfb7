import type { SearchAttributePair } from '@temporalio/common';
import { ProviderKey, TenantIdKey, WorkOrderIdKey } from './search-attributes.js';
import type { ProviderId, SyncScope } from './providers.js';

/**
 * Readable ids, search attributes and memos for every run, so support staff find and read runs in the
 * Temporal UI by tenant (docs/workflows.md). Ids and search attributes are plaintext in Temporal: no PII, no secrets.
 */
export const workflowIds = {
  wipe: (tenantId: string) => `activation/${tenantId}/wipe`,
  connect: (tenantId: string) => `activation/${tenantId}/connect`,
  checkSettings: (tenantId: string) => `activation/${tenantId}/check-settings`,
  options: (tenantId: string, list: string) => `activation/${tenantId}/options/${list}`,
  saveSettings: (tenantId: string) => `settings/${tenantId}`,
  sync: (tenantId: string, scope: SyncScope) => `sync/${tenantId}/${scope}`,
  syncSchedule: (tenantId: string) => `sync/${tenantId}`,
  scheduledSync: (tenantId: string) => `sync/${tenantId}/scheduled`,
  export: (tenantId: string, workOrderId: string) => `export/${tenantId}/${workOrderId}`,
  /** A document preview (docs/preview.md); `nonce` keeps two previews of one work order apart. */
  preview: (tenantId: string, workOrderId: string, nonce: string) => `preview/${tenantId}/${workOrderId}/${nonce}`,
  /** The quote-import schedule and the runs it starts (Temporal suffixes each run's id with its start time). */
  quotesSchedule: (tenantId: string) => `quotes/${tenantId}`,
  quoteImport: (tenantId: string) => `quotes/${tenantId}`,
  /** The cleanup schedule and its runs (docs/sync.md "Cleanup"); a run started by hand uses the id as is. */
  cleanupSchedule: (tenantId: string) => `cleanup/${tenantId}`,
  cleanup: (tenantId: string) => `cleanup/${tenantId}`,
  /** The weekly reconciliation of exports with the package's documents (docs/reconciliation.md) and its runs. */
  reconcileSchedule: (tenantId: string) => `reconcile/${tenantId}`,
  reconcile: (tenantId: string) => `reconcile/${tenantId}`,
  /** The per-minute sweep that starts exports nobody started (docs/exactly-once.md, "Stranded exports"). */
  exportSweepSchedule: (taskQueue: string) => `exports-sweep/${taskQueue}`,
  exportSweep: (taskQueue: string) => `exports-sweep/${taskQueue}`,
  /** The tenant's event deliverer (docs/events.md): one at a time, in order per endpoint. */
  events: (tenantId: string) => `events/${tenantId}`,
  /** The per-minute sweep that starts deliveries nobody started (docs/events.md). */
  eventSweepSchedule: (taskQueue: string) => `events-sweep/${taskQueue}`,
  eventSweep: (taskQueue: string) => `events-sweep/${taskQueue}`,
};

/** The kick signal of the event deliverer `events/{tenant}` (workflows/events.ts, lib/events.ts). */
export const EVENT_KICK_SIGNAL = 'kick';

export const kindLabels = {
  wipe: 'Activatie: wissen Simon data',
  connect: 'Activatie: connectie maken',
  checkSettings: 'Instellingen controleren',
  options: 'Keuzelijst ophalen',
  saveSettings: 'Instellingen opslaan',
  sync: 'Synchronisatie',
  scheduledSync: 'Geplande synchronisatie',
  export: 'Werkbon naar boekhouding',
  preview: 'Voorbeeld van het document',
  quoteImport: 'Offertes importeren',
  cleanup: 'Schoonmaak',
  reconcile: 'Controle werkbonnen met boekhouding',
  exportSweep: 'Blijven hangende werkbonnen versturen',
  eventSweep: 'Blijven hangende events versturen',
} as const;

export function runMeta(args: { tenantId: string; provider: ProviderId; kind: keyof typeof kindLabels; workOrderId?: string; detail?: string }): {
  typedSearchAttributes: SearchAttributePair[];
  memo: Record<string, string>;
  staticSummary: string;
} {
  const typedSearchAttributes: SearchAttributePair[] = [
    { key: TenantIdKey, value: args.tenantId },
    { key: ProviderKey, value: args.provider },
  ];
  if (args.workOrderId) typedSearchAttributes.push({ key: WorkOrderIdKey, value: args.workOrderId });
  const memo: Record<string, string> = { tenant: args.tenantId, provider: args.provider, kind: kindLabels[args.kind] };
  if (args.workOrderId) memo.workOrder = args.workOrderId;
  if (args.detail) memo.detail = args.detail;
  const summary = `${kindLabels[args.kind]}${args.detail ? ` (${args.detail})` : ''} · ${args.tenantId} · ${args.provider}`;
  return { typedSearchAttributes, memo, staticSummary: summary.slice(0, 200) };
}

/** Records of one entity a sync run went through, and how many of them it created or changed. */
export interface EntityTally {
  done: number;
  created: number;
  changed: number;
}

/**
 * How every export run starts, from the API (archive, retry) and from the sweep: `export/{tenant}/{workOrder}`,
 * USE_EXISTING so a second start joins the running one, ALLOW_DUPLICATE so a retry may start a new run after an
 * earlier one finished. The run is a no-op unless the export row is `pending`, so an extra start never sends twice.
 */
export function exportStartOptions(args: { tenantId: string; provider: ProviderId; workOrderId: string; taskQueue: string }) {
  return {
    workflowId: workflowIds.export(args.tenantId, args.workOrderId),
    taskQueue: args.taskQueue,
    args: [{ tenantId: args.tenantId, workOrderId: args.workOrderId }] as [{ tenantId: string; workOrderId: string }],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    workflowExecutionTimeout: '2 days',
    ...runMeta({ tenantId: args.tenantId, provider: args.provider, kind: 'export', workOrderId: args.workOrderId }),
  };
}
