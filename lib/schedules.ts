import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { providers, type ProviderId } from './providers.js';
import { runMeta, workflowIds } from '../workflows/meta.js';

/**
 * One Temporal Schedule per tenant (`sync/{tenant}`), visible and pausable in the Temporal UI; no mirror
 * table in Postgres (Nango's drifted, anchors.md §1.6). A stable per-tenant offset spreads tenants over the
 * interval; jitter spreads them further.
 */
export function stableOffsetSeconds(tenantId: string, periodSeconds: number): number {
  let h = 2166136261;
  for (let i = 0; i < tenantId.length; i++) h = Math.imul(h ^ tenantId.charCodeAt(i), 16777619);
  return (h >>> 0) % periodSeconds;
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
  return {
    scheduleId: workflowIds.syncSchedule(tenantId),
    spec,
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledSyncWorkflow',
      workflowId: workflowIds.scheduledSync(tenantId),
      args: [{ tenantId, provider }],
      taskQueue,
      typedSearchAttributes: meta.typedSearchAttributes,
      memo: meta.memo,
      staticSummary: meta.staticSummary,
      workflowExecutionTimeout: '1 hour',
    },
    // A missed run is not worth catching up on: the next one lists the same changes.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    typedSearchAttributes: meta.typedSearchAttributes,
    memo: { ...meta.memo, kind: 'Schema: synchronisatie' },
  };
}

/** Creates the tenant's schedules, or brings existing ones up to date and unpaused (idempotent). */
export async function upsertTenantSchedules(client: Client, args: { tenantId: string; provider: ProviderId; taskQueue: string }): Promise<string[]> {
  const options = syncScheduleOptions(args);
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(options.scheduleId);
    await handle.update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies, state: { ...prev.state, paused: false } }));
    await handle.unpause('Integratie actief');
  }
  return [options.scheduleId];
}

export async function setTenantSchedulesPaused(client: Client, tenantId: string, paused: boolean, note: string): Promise<void> {
  const handle = client.schedule.getHandle(workflowIds.syncSchedule(tenantId));
  try {
    if (paused) await handle.pause(note);
    else await handle.unpause(note);
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

export async function deleteTenantSchedules(client: Client, tenantId: string): Promise<void> {
  try {
    await client.schedule.getHandle(workflowIds.syncSchedule(tenantId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}
