import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { providers, type ProviderId } from './providers.js';
import { kindLabels, runMeta, workflowIds } from './runs.js';

/**
 * Temporal Schedules per tenant (`sync/{tenant}`, `cleanup/{tenant}`, `reconcile/{tenant}` where the package lists its
 * documents by date, and `quotes/{tenant}` where the provider imports quotes), visible and pausable in the Temporal UI; no mirror
 * table in Postgres (a mirror drifts from what Temporal really runs: docs/workflows.md). A stable per-tenant offset spreads tenants over the
 * interval; jitter spreads them further.
 */
export function stableOffsetSeconds(tenantId: string, periodSeconds: number): number {
  let h = 2166136261;
  for (let i = 0; i < tenantId.length; i++) h = Math.imul(h ^ tenantId.charCodeAt(i), 16777619);
  return (h >>> 0) % periodSeconds;
}

/** The parts every tenant schedule shares: the started workflow with the tenant's search attributes, memo and summary. */
function tenantSchedule(args: {
  scheduleId: string;
  spec: ScheduleOptions['spec'];
  meta: ReturnType<typeof runMeta>;
  memoKind: string;
  workflowType: string;
  workflowId: string;
  workflowArgs: unknown[];
  taskQueue: string;
  workflowExecutionTimeout: string;
  catchupWindow: string;
}): ScheduleOptions {
  const { meta } = args;
  return {
    scheduleId: args.scheduleId,
    spec: args.spec,
    action: {
      type: 'startWorkflow',
      workflowType: args.workflowType,
      workflowId: args.workflowId,
      args: args.workflowArgs,
      taskQueue: args.taskQueue,
      typedSearchAttributes: meta.typedSearchAttributes,
      memo: meta.memo,
      staticSummary: meta.staticSummary,
      workflowExecutionTimeout: args.workflowExecutionTimeout,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: args.catchupWindow },
    typedSearchAttributes: meta.typedSearchAttributes,
    memo: { ...meta.memo, kind: args.memoKind },
  };
}

export function syncScheduleOptions(args: { tenantId: string; provider: ProviderId; taskQueue: string }): ScheduleOptions {
  const { tenantId, provider, taskQueue } = args;
  const meta = runMeta({ tenantId, provider, kind: 'scheduledSync' });
  const spec: ScheduleOptions['spec'] =
    providers[provider].cadence === 'daily'
      ? // Rate-limited providers: once a day inside the night window (01:00–05:00 Amsterdam), at a stable minute per tenant.
        (() => {
          const minuteOfWindow = stableOffsetSeconds(tenantId, 4 * 60);
          return {
            calendars: [{ hour: 1 + Math.floor(minuteOfWindow / 60), minute: minuteOfWindow % 60, comment: 'dagelijkse synchronisatie' }],
            timezone: 'Europe/Amsterdam',
            jitter: '2 minutes',
          };
        })()
      : { intervals: [{ every: '5 minutes', offset: `${stableOffsetSeconds(tenantId, 300)} seconds` }], jitter: '30 seconds' };
  return tenantSchedule({
    scheduleId: workflowIds.syncSchedule(tenantId),
    spec,
    meta,
    memoKind: 'Schema: synchronisatie',
    // One workflow per scheduled run (scope `all`), skipping a scope whose own sync is already running.
    workflowType: 'syncWorkflow',
    workflowId: workflowIds.scheduledSync(tenantId),
    workflowArgs: [{ tenantId, provider, scope: 'all' }],
    taskQueue,
    workflowExecutionTimeout: '1 hour',
    // A missed run is not worth catching up on: the next one lists the same changes.
    catchupWindow: '1 minute',
  });
}

/**
 * The quote import (`quotes/{tenant}`, docs/quotes.md) of a provider that can import quotes: every 5 minutes, at a
 * per-tenant offset apart from the sync's. It exists whether or not quotes are switched on: each run reads the
 * settings in force and returns at once when they are off, so saving settings never has to add or remove a
 * schedule, and pause, resume and delete treat every tenant schedule alike.
 */
export function quoteScheduleOptions(args: { tenantId: string; provider: ProviderId; taskQueue: string }): ScheduleOptions {
  const { tenantId, provider, taskQueue } = args;
  const meta = runMeta({ tenantId, provider, kind: 'quoteImport' });
  return tenantSchedule({
    scheduleId: workflowIds.quotesSchedule(tenantId),
    spec: { intervals: [{ every: '5 minutes', offset: `${stableOffsetSeconds(`${tenantId}/quotes`, 300)} seconds` }], jitter: '30 seconds' },
    meta,
    memoKind: 'Schema: offertes',
    workflowType: 'quoteImportWorkflow',
    workflowId: workflowIds.quoteImport(tenantId),
    workflowArgs: [{ tenantId, provider }],
    taskQueue,
    workflowExecutionTimeout: '1 hour',
    catchupWindow: '1 minute',
  });
}

/**
 * The cleanup (`cleanup/{tenant}`, docs/sync.md "Cleanup"): Monday, Wednesday and Friday night in Amsterdam time, at a stable
 * per-tenant minute between 02:00 and 03:50, plus up to 10 minutes of jitter. It lists everything the provider
 * has, so it runs at night, a few times a week, and tenants are spread so they do not list at the same moment.
 */
export function cleanupScheduleOptions(args: { tenantId: string; provider: ProviderId; taskQueue: string }): ScheduleOptions {
  const { tenantId, provider, taskQueue } = args;
  const meta = runMeta({ tenantId, provider, kind: 'cleanup' });
  const minuteOfWindow = stableOffsetSeconds(`${tenantId}/cleanup`, 110);
  return tenantSchedule({
    scheduleId: workflowIds.cleanupSchedule(tenantId),
    spec: {
      calendars: [{ dayOfWeek: ['MONDAY', 'WEDNESDAY', 'FRIDAY'], hour: 2 + Math.floor(minuteOfWindow / 60), minute: minuteOfWindow % 60, comment: 'schoonmaak' }],
      timezone: 'Europe/Amsterdam',
      jitter: '10 minutes',
    },
    meta,
    memoKind: 'Schema: schoonmaak',
    workflowType: 'cleanupWorkflow',
    workflowId: workflowIds.cleanup(tenantId),
    workflowArgs: [{ tenantId, provider }],
    taskQueue,
    workflowExecutionTimeout: '12 hours',
    // A run missed by a short outage still runs the same night; a missed night waits for the next slot.
    catchupWindow: '3 hours',
  });
}

/**
 * The weekly reconciliation (`reconcile/{tenant}`, docs/reconciliation.md): Sunday night in Amsterdam time, at a stable
 * per-tenant minute between 04:00 and 05:59, after the nightly syncs and away from the cleanup nights.
 */
export function reconcileScheduleOptions(args: { tenantId: string; provider: ProviderId; taskQueue: string }): ScheduleOptions {
  const { tenantId, provider, taskQueue } = args;
  const meta = runMeta({ tenantId, provider, kind: 'reconcile' });
  const minuteOfWindow = stableOffsetSeconds(`${tenantId}/reconcile`, 120);
  return tenantSchedule({
    scheduleId: workflowIds.reconcileSchedule(tenantId),
    spec: {
      calendars: [{ dayOfWeek: ['SUNDAY'], hour: 4 + Math.floor(minuteOfWindow / 60), minute: minuteOfWindow % 60, comment: 'controle werkbonnen' }],
      timezone: 'Europe/Amsterdam',
      jitter: '10 minutes',
    },
    meta,
    memoKind: 'Schema: controle werkbonnen',
    workflowType: 'reconcileWorkflow',
    workflowId: workflowIds.reconcile(tenantId),
    workflowArgs: [{ tenantId, provider }],
    taskQueue,
    workflowExecutionTimeout: '6 hours',
    catchupWindow: '6 hours',
  });
}

/** Every schedule a tenant of this provider has. */
export function tenantScheduleOptions(args: { tenantId: string; provider: ProviderId; taskQueue: string }): ScheduleOptions[] {
  const out = [syncScheduleOptions(args)];
  if (providers[args.provider].capabilities.quotes) out.push(quoteScheduleOptions(args));
  if (providers[args.provider].capabilities.cleanup) out.push(cleanupScheduleOptions(args));
  if (providers[args.provider].capabilities.reconcile) out.push(reconcileScheduleOptions(args));
  return out;
}

/** Ids of every schedule a tenant may have, whatever its provider (pause, resume and delete tolerate absent ones). */
export function tenantScheduleIds(tenantId: string): string[] {
  return [workflowIds.syncSchedule(tenantId), workflowIds.quotesSchedule(tenantId), workflowIds.cleanupSchedule(tenantId), workflowIds.reconcileSchedule(tenantId)];
}

/** Creates the tenant's schedules, or brings existing ones up to date and unpaused (idempotent). */
export async function upsertTenantSchedules(client: Client, args: { tenantId: string; provider: ProviderId; taskQueue: string }): Promise<string[]> {
  const ids: string[] = [];
  for (const options of tenantScheduleOptions(args)) {
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      const handle = client.schedule.getHandle(options.scheduleId);
      await handle.update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies, state: { ...prev.state, paused: false } }));
      await handle.unpause('Integratie actief');
    }
    ids.push(options.scheduleId);
  }
  return ids;
}

export async function setTenantSchedulesPaused(client: Client, tenantId: string, paused: boolean, note: string): Promise<void> {
  for (const id of tenantScheduleIds(tenantId)) {
    const handle = client.schedule.getHandle(id);
    try {
      if (paused) await handle.pause(note);
      else await handle.unpause(note);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
}

export async function deleteTenantSchedules(client: Client, tenantId: string): Promise<void> {
  for (const id of tenantScheduleIds(tenantId)) {
    try {
      await client.schedule.getHandle(id).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
}

/**
 * The sweep schedule of a task queue (`exports-sweep/{taskQueue}`): one per deployment, made by every worker at start
 * (an existing one is updated to the configured interval). A zero interval removes it.
 */
export async function ensureExportSweepSchedule(client: Client, taskQueue: string, intervalMs: number): Promise<void> {
  await ensureSweepSchedule(client, taskQueue, intervalMs, {
    scheduleId: workflowIds.exportSweepSchedule(taskQueue), workflowId: workflowIds.exportSweep(taskQueue), workflowType: 'exportSweepWorkflow', label: kindLabels.exportSweep,
  });
}

/**
 * The event sweep of a task queue (`events-sweep/{taskQueue}`, docs/events.md): starts the delivery of events whose
 * deliverer was never kicked (the process stopped between the commit and the kick). A zero interval removes it.
 */
export async function ensureEventSweepSchedule(client: Client, taskQueue: string, intervalMs: number): Promise<void> {
  await ensureSweepSchedule(client, taskQueue, intervalMs, {
    scheduleId: workflowIds.eventSweepSchedule(taskQueue), workflowId: workflowIds.eventSweep(taskQueue), workflowType: 'eventSweepWorkflow', label: kindLabels.eventSweep,
  });
}

async function ensureSweepSchedule(
  client: Client, taskQueue: string, intervalMs: number, sweep: { scheduleId: string; workflowId: string; workflowType: string; label: string },
): Promise<void> {
  const { scheduleId } = sweep;
  if (intervalMs <= 0) {
    await client.schedule.getHandle(scheduleId).delete().catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
    return;
  }
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: sweep.workflowType,
      workflowId: sweep.workflowId,
      args: [],
      taskQueue,
      staticSummary: sweep.label,
      workflowExecutionTimeout: '10 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    memo: { kind: sweep.label },
  };
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec }));
  }
}
