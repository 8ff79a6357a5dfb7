import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, continueAsNew, executeChild, patched, proxyActivities, proxyLocalActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import { scopeEntities, syncScopes, type Entity, type ProviderId, type SyncScope } from '../lib/providers.js';
import { runMeta, workflowIds, type EntityTally } from '../lib/runs.js';

export type { EntityTally } from '../lib/runs.js';

const pages = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // A killed worker is noticed within the heartbeat timeout; the retry resumes from the last heartbeat's cursor.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 20 },
});

/** The scheduled run's one-activity round (docs/idle-sync.md). */
const SYNC_ROUND_PATCH = 'sync-round';

/** A quick look at Temporal, done in the worker without a round trip through the task queue. */
const look = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

export interface SyncInput {
  tenantId: string;
  provider: ProviderId;
  /** `all`: the scheduled run, every scope in one workflow (one execution per tenant per 5 minutes keeps idle syncs cheap). */
  scope: SyncScope | 'all';
  initial?: boolean;
  /** Carried over continue-as-new. */
  resume?: {
    entityIndex: number; cursor: string | null; tallies: Partial<Record<Entity, EntityTally>>; entities?: Entity[];
    /** The probe's fingerprint of the listing being paged (the scheduled run), kept when it completes. */
    fingerprint?: string | null;
  };
  /** Activity calls per run before continue-as-new (tests lower it; Temporal also suggests it on long histories). */
  maxActivitiesPerRun?: number;
  /** Pages one activity call may write before it returns its cursor (default: as many as fit in the activity's 60 s slice, `SLICE_MS` in activities/sync.ts). */
  pagesPerCall?: number;
}

export interface SyncResult {
  scope: SyncScope | 'all';
  tallies: Partial<Record<Entity, EntityTally>>;
}

/**
 * One entity scope (articles = groups + articles, customers = customers + addresses) for one tenant,
 * id `sync/{tenant}/{scope}`: the initial import, a scheduled incremental run and "sync now" are all this
 * workflow, so a second start joins the running one. Rows go to Postgres inside the activity, a page at a
 * time; the workflow only holds the cursor and counts, and continues as new before its history grows large.
 */
export async function syncWorkflow(input: SyncInput): Promise<SyncResult> {
  let resume = input.resume;
  // The scheduled run: one activity lists (or, unchanged, only probes) every idle entity (docs/idle-sync.md).
  // Histories from before it ran the entity loop below from the start; they replay that way.
  if (input.scope === 'all' && !resume && patched(SYNC_ROUND_PATCH)) {
    const round = await pages.syncRound({ tenantId: input.tenantId }).catch(stopWhenInactive);
    if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('Synchronisatie gestopt');
    setCurrentDetails(progressMarkdown(input, round.tallies));
    if (!round.next) {
      await announceSync(input, round.tallies);
      return { scope: input.scope, tallies: round.tallies };
    }
    resume = { entityIndex: round.next.entityIndex, cursor: round.next.cursor, tallies: round.tallies, entities: round.entities, fingerprint: round.next.fingerprint };
  }
  const entities = resume?.entities ?? (input.scope === 'all' ? await idleScopesEntities(input.tenantId) : scopeEntities[input.scope]);
  const tallies: Partial<Record<Entity, EntityTally>> = { ...(resume?.tallies ?? {}) };
  const maxCalls = input.maxActivitiesPerRun ?? 500;
  let calls = 0;
  for (let i = resume?.entityIndex ?? 0; i < entities.length; i++) {
    const entity = entities[i];
    let cursor = i === resume?.entityIndex ? resume.cursor : null;
    const fingerprint = i === resume?.entityIndex ? resume.fingerprint : undefined;
    const tally = tallies[entity] ?? { done: 0, created: 0, changed: 0 };
    tallies[entity] = tally;
    for (;;) {
      const r = await pages.importPages({
        tenantId: input.tenantId, entity, cursor, done: tally.done, maxPages: input.pagesPerCall, ...(fingerprint ? { fingerprint } : {}),
      }).catch(stopWhenInactive);
      // A cancel (deactivation) can land while the page activity finishes normally: stop here all the same.
      if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('Synchronisatie gestopt');
      calls++;
      tally.done = r.done;
      tally.created += r.created;
      tally.changed += r.changed;
      cursor = r.cursor;
      setCurrentDetails(progressMarkdown(input, tallies));
      if (cursor === null) break;
      if (workflowInfo().continueAsNewSuggested || calls >= maxCalls) {
        await continueAsNew<typeof syncWorkflow>({ ...input, resume: { entityIndex: i, cursor, tallies, entities, ...(fingerprint ? { fingerprint } : {}) } });
      }
    }
  }
  // Only the initial import gets a summary entry; skipping the call keeps an idle 5-minute sync cheap.
  if (input.initial && input.scope !== 'all') await pages.logSyncFinished({ tenantId: input.tenantId, scope: input.scope, initial: true, tallies });
  await announceSync(input, tallies);
  return { scope: input.scope, tallies };
}

/** Simon's backend hears of an import that brought something (docs/events.md); an idle run stays silent. */
async function announceSync(input: SyncInput, tallies: Partial<Record<Entity, EntityTally>>): Promise<void> {
  const broughtSomething = Object.values(tallies).some((t) => t !== undefined && (t.created > 0 || t.changed > 0));
  if ((input.initial || broughtSomething) && patched('sync-completed-event')) {
    await pages.recordSyncCompleted({ tenantId: input.tenantId, scope: input.scope, initial: input.initial ?? false, tallies });
  }
}

/** Deactivated (or paused) between two pages, before the cancel reached this run: a stop, not a failure. */
function stopWhenInactive(err: unknown): never {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'IntegrationNotActive') {
    throw new CancelledFailure('Synchronisatie gestopt: de integratie is niet actief');
  }
  throw err;
}

/**
 * The scheduled run leaves a scope alone while `sync/{tenant}/{scope}` runs (the initial import or a "sync now"):
 * that run is already listing those entities.
 */
async function idleScopesEntities(tenantId: string): Promise<Entity[]> {
  const busy = await look.runningSyncScopes({ tenantId });
  return syncScopes.filter((s) => !busy.includes(s)).flatMap((s) => scopeEntities[s]);
}

function progressMarkdown(input: SyncInput, tallies: Partial<Record<Entity, EntityTally>>): string {
  const rows = Object.entries(tallies).map(([e, t]) => `| ${e} | ${t.done} | ${t.created} | ${t.changed} |`);
  return [`**${input.initial ? 'Initiële import' : 'Synchronisatie'}** ${input.scope} voor ${input.tenantId}`, '', '| entity | verwerkt | nieuw | gewijzigd |', '|---|---|---|---|', ...rows].join('\n');
}

export interface ScheduledSyncResult {
  ran: SyncScope[];
  alreadyRunning: SyncScope[];
}

/**
 * The schedule's action before it became `syncWorkflow` with scope `all`: kept so schedules and histories of that
 * time still run and replay.
 */
export async function scheduledSyncWorkflow(input: { tenantId: string; provider: ProviderId }): Promise<ScheduledSyncResult> {
  const ran: SyncScope[] = [];
  const alreadyRunning: SyncScope[] = [];
  await Promise.all(
    syncScopes.map(async (scope) => {
      try {
        await executeChild(syncWorkflow, {
          workflowId: workflowIds.sync(input.tenantId, scope),
          args: [{ tenantId: input.tenantId, provider: input.provider, scope }],
          ...runMeta({ tenantId: input.tenantId, provider: input.provider, kind: 'sync', detail: scope }),
        });
        ran.push(scope);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) alreadyRunning.push(scope);
        else throw err;
      }
    }),
  );
  return { ran, alreadyRunning };
}
