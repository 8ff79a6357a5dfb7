import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { currentRun, leaseSyncConnector, needsSettings, writeLog } from './deps.js';
import { getIntegration, settingsVersionAt } from '../db/queries/integration.js';
import { administrationField, administrationOf, settingsSchema } from '../lib/settings.js';
import { markListingComplete, markListingStarted, markListingsUnchanged, readSyncContext, recordProgress, recordSyncError, upsertArticleGroups, upsertArticles, upsertCustomers, type SyncContext, type UpsertCounts } from '../db/queries/sync.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { Connector, ListRequest, Page } from '../connectors/types.js';
import * as messages from '../lib/messages.js';
import { scopeEntities, syncScopes, type Entity, type ProviderId, type SyncScope } from '../lib/providers.js';
import { workflowIds, type EntityTally } from '../lib/runs.js';
import { emitEvent } from '../db/queries/events.js';
import { kickEvents } from './events.js';

/**
 * How long one activity call keeps paging before it hands its cursor back to the workflow. Long enough that a
 * full-listing provider (one download per call) is not downloaded again every few pages; heartbeats keep it alive.
 */
const SLICE_MS = 60_000;
const MAX_PAGES_PER_CALL = 1_000;
const PROGRESS_MS = 1_000;
/** Page statements running at once within one listing (docs/import.md). */
const WRITES_IN_FLIGHT = 3;

export interface SyncRoundResult {
  /** The entities this run lists (those of scopes not running under their own id), in order. */
  entities: Entity[];
  tallies: Partial<Record<Entity, EntityTally>>;
  /** An entity whose listing did not end within the call: the workflow pages on from here. */
  next: { entityIndex: number; cursor: string; fingerprint: string | null } | null;
}

/**
 * A full listing whose fingerprint matches is still compared row by row this often: what the fingerprint cannot see
 * (a Simon row edited by hand, the country names clients are mapped with) comes right within this time.
 */
const FULL_COMPARE_MS = 6 * 3_600_000;

/** `fp1:<epoch ms of the last full compare>:<digest>`, kept in sync_state.cursor (unused by full-listing packages). */
function formatFingerprint(digest: string, at: number): string {
  return `fp1:${at}:${digest}`;
}

function parseFingerprint(cursor: string | null): { at: number; digest: string } | null {
  const m = cursor ? /^fp1:(\d+):(.+)$/.exec(cursor) : null;
  return m ? { at: Number(m[1]), digest: m[2] } : null;
}

export interface ImportPagesResult {
  cursor: string | null;
  done: number;
  created: number;
  changed: number;
}

const subjectOf: Record<Entity, messages.SyncSubject> = { article_groups: 'article_groups', articles: 'articles', customers: 'customers' };

export function syncActivities(deps: ActivityDeps) {
  /** One page of an entity's listing, and the statement that writes it (run later, possibly beside the next page's). */
  async function listPage(tenantId: string, provider: ProviderId, entity: Entity, connector: Connector, req: ListRequest): Promise<{ page: Page<unknown>; write: () => Promise<UpsertCounts> }> {
    const run = currentRun();
    const { sql } = deps.database;
    switch (entity) {
      case 'article_groups': {
        const page = await connector.listArticleGroups(req);
        return { page, write: () => upsertArticleGroups(sql, tenantId, provider, page.records, run, { created: messages.articleGroupAdded(), changed: messages.articleGroupChanged() }) };
      }
      case 'articles': {
        const page = await connector.listArticles(req);
        return { page, write: () => upsertArticles(sql, tenantId, provider, page.records, run, { created: messages.articleAdded(), changed: messages.articleChanged() }) };
      }
      case 'customers': {
        const page = await connector.listCustomers(req);
        return {
          page,
          write: () => upsertCustomers(sql, tenantId, provider, page.records, run, {
            created: messages.customerAdded(), changed: messages.customerChanged(), addressAdded: messages.workAddressAdded(),
          }),
        };
      }
    }
  }

  async function administrationInForce(tenantId: string): Promise<string | null> {
    const version = await settingsVersionAt(deps.database, tenantId, new Date());
    return version ? administrationOf(settingsSchema.parse(version.settings)) : null;
  }

  /** The tenant's sync context (one query) and leased connector; throws what the workflow turns into a stop. */
  async function openSync(tenantId: string): Promise<{ context: SyncContext; administration: string | null; connector: Connector; release: () => void }> {
    const context = await readSyncContext(deps.database.sql, tenantId);
    if (!context) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
    if (context.status === 'deactivated' || context.status === 'not_activated') {
      throw ApplicationFailure.nonRetryable(`Integration of ${tenantId} is ${context.status}`, 'IntegrationNotActive');
    }
    if (!context.sealed) throw new Error(`No credentials stored for tenant ${tenantId}`);
    const version = context.settingsVersion;
    // Settings are parsed only when something needs them: the connector (an administration, a filter) or the check.
    const settings = version ? settingsSchema.parse(version.settings) : null;
    const lease = leaseSyncConnector(deps, tenantId, context.provider, context.sealed, version ? { id: version.id, settings: needsSettings(context.provider) ? settings : null } : null);
    return { context, administration: settings ? administrationOf(settings) : null, ...lease };
  }

  /**
   * Pages through one entity's listing from `cursor`, upserting each page (idempotent) and heartbeating the cursor
   * after it, until the listing ends or the call's budget (pages, time, a cancel) is used up.
   */
  async function listPages(
    o: { tenantId: string; provider: ProviderId; entity: Entity; connector: Connector; administration: string | null; cursor: string | null; done: number; since: string | null; maxPages?: number; completeWith?: string | null },
  ): Promise<ImportPagesResult> {
    const ctx = Context.current();
    const { tenantId, entity, provider, connector } = o;
    let { cursor, done } = o;
    // A page listed from one administration is never written after the admin chose another
    // (docs/administration-change.md): the stop is the same as a deactivation's, a cancel, not a failure. Packages
    // whose administration comes with the connection (no settings field names it) need no look.
    const sameAdministration = administrationField[provider] === undefined ? null : async () => {
      if ((await administrationInForce(tenantId)) !== o.administration) {
        throw ApplicationFailure.nonRetryable(`Administration of ${tenantId} changed during the sync`, 'IntegrationNotActive');
      }
    };
    if (cursor === null && done === 0) await markListingStarted(deps.database.sql, tenantId, entity);
    let created = 0;
    let changed = 0;
    let highWaterMark: string | null | undefined;
    const started = Date.now();
    let progressAt = started;
    let pages = 0;
    // Pages are written in order of listing with up to WRITES_IN_FLIGHT statements running at once (docs/import.md):
    // the next page is listed and mapped while the database writes the previous ones. The heartbeat and the progress
    // name the position after the last page whose write finished with every page before it.
    const writes: { write: Promise<UpsertCounts>; records: number; cursor: string | null; total: number | undefined }[] = [];
    const settle = async () => {
      const w = writes.shift()!;
      const c = await w.write;
      done += w.records;
      created += c.created;
      changed += c.changed;
      const last = writes.length === 0 && !listing;
      // The progress the status API shows: after the first page, then at most every PROGRESS_MS and when the call
      // ends (a round trip per page less); the listing's completion records it anyway.
      if (done === w.records + o.done || last || Date.now() - progressAt >= PROGRESS_MS) {
        if (w.cursor !== null || w.total === undefined) await recordProgress(deps.database.sql, tenantId, entity, done, w.total ?? null);
        progressAt = Date.now();
      }
      ctx.heartbeat({ cursor: w.cursor, done });
    };
    let listing = true;
    try {
      try {
        while (listing) {
          const { page, write } = await listPage(tenantId, provider, entity, connector, { cursor, since: o.since });
          cursor = page.nextCursor;
          if (page.highWaterMark !== undefined) highWaterMark = page.highWaterMark;
          pages++;
          listing = cursor !== null && pages < (o.maxPages ?? MAX_PAGES_PER_CALL) && Date.now() - started < SLICE_MS && !ctx.cancellationSignal.aborted;
          if (sameAdministration) await sameAdministration();
          const pending = write();
          // Settled in order below; a failure is seen there (or by the drain), never unhandled.
          pending.catch(() => {});
          writes.push({ write: pending, records: page.records.length, cursor, total: page.total });
          if (writes.length >= WRITES_IN_FLIGHT || !listing) await settle();
        }
        while (writes.length > 0) await settle();
      } finally {
        // After a failure: let the statements still running end before the error is recorded.
        await Promise.allSettled(writes.map((w) => w.write));
      }
    } catch (err) {
      const message = err instanceof ProviderError ? err.providerMessage : String((err as Error).message ?? err);
      await recordSyncError(deps.database.sql, tenantId, entity, message);
      if (err instanceof ProviderError && !err.retryable) {
        await writeLog(deps, { tenantId, severity: 'error', table: 'Integratie', text: messages.syncFailed(provider, subjectOf[entity], err.providerMessage) });
      }
      throw toApplicationFailure(err);
    }
    // The position reached is that of the last page listed: every page up to it is written.
    // Cancelled (deactivation): acknowledge it, so the workflow ends as cancelled with its progress kept.
    if (cursor !== null && ctx.cancellationSignal.aborted) throw new CancelledFailure('Synchronisatie gestopt');
    // Full-listing packages keep the listing's fingerprint where others keep their high-water mark.
    const position = connector.changeTracking === 'modified-since' ? (highWaterMark ?? o.since) : (o.completeWith ?? null);
    if (cursor === null) await markListingComplete(deps.database.sql, tenantId, entity, position, done);
    return { cursor, done, created, changed };
  }

  /** Which scopes run under their own id right now (initial import or "sync now"), so the scheduled run skips them. */
  async function runningScopes(tenantId: string, among: readonly SyncScope[]): Promise<SyncScope[]> {
    const running: SyncScope[] = [];
    for (const scope of among) {
      const status = await deps.temporal.workflow
        .getHandle(workflowIds.sync(tenantId, scope))
        .describe()
        .then((d) => d.status.name)
        .catch(() => 'NOT_FOUND');
      if (status === 'RUNNING') running.push(scope);
    }
    return running;
  }

  return {
    /**
     * Pages through one entity's listing, upserting each page (idempotent) and heartbeating the cursor after it.
     * A retry after a crash resumes from the last heartbeat; a page written twice is a no-op thanks to the upsert guard.
     * `fingerprint`: what the scheduled run's probe saw of a full listing, kept when this listing completes.
     */
    async importPages(input: { tenantId: string; entity: Entity; cursor: string | null; done: number; maxPages?: number; fingerprint?: string | null }): Promise<ImportPagesResult> {
      const resumed = Context.current().info.heartbeatDetails as { cursor: string | null; done: number } | undefined;
      const { tenantId, entity } = input;
      const { context, administration, connector, release } = await openSync(tenantId);
      try {
        const state = context.states.find((s) => s.entity === entity);
        const since = connector.changeTracking === 'modified-since' && state?.phase === 'incremental' ? state.cursor : null;
        return await listPages({
          tenantId, provider: context.provider, entity, connector, administration, since, maxPages: input.maxPages, completeWith: input.fingerprint ?? null,
          cursor: resumed ? resumed.cursor : input.cursor,
          done: resumed ? resumed.done : input.done,
        });
      } finally {
        release();
      }
    },

    /**
     * The scheduled run in one activity (docs/idle-sync.md): one query for the context, the scopes running under
     * their own id skipped, then per entity a cheap "anything changed?" first: a full-listing package's fingerprint
     * against the stored one (no row reaches Postgres when they match), a modified-since package's first page since
     * the high-water mark. What changed is listed and written here; an entity whose listing outlasts the call's
     * budget is handed back (`next`) for the workflow to page on with importPages.
     */
    async syncRound(input: { tenantId: string }): Promise<SyncRoundResult> {
      const { tenantId } = input;
      const { context, administration, connector, release } = await openSync(tenantId);
      try {
        const stateOf = new Map(context.states.map((s) => [s.entity, s]));
        // Only a scope whose listing is open (started or asked for by "sync now", not completed since) or not yet
        // imported can be running under its own id: the others need no look at Temporal.
        const open = syncScopes.filter((scope) => scopeEntities[scope].some((e) => {
          const state = stateOf.get(e);
          return !state || state.phase !== 'incremental' || state.listingOpen;
        }));
        const busy = open.length > 0 ? await runningScopes(tenantId, open) : [];
        const entities = syncScopes.filter((s) => !busy.includes(s)).flatMap((s) => scopeEntities[s]);
        const tallies: Partial<Record<Entity, EntityTally>> = {};
        const unchanged: Entity[] = [];
        const now = Date.now();
        for (let i = 0; i < entities.length; i++) {
          const entity = entities[i];
          const state = stateOf.get(entity);
          let fingerprint: string | null = null;
          if (connector.listingFingerprint && state?.phase === 'incremental') {
            let digest: string;
            try {
              digest = await connector.listingFingerprint(entity);
            } catch (err) {
              throw toApplicationFailure(err);
            }
            fingerprint = formatFingerprint(digest, now);
            const stored = parseFingerprint(state.cursor);
            if (stored && stored.digest === digest && now - stored.at < FULL_COMPARE_MS) {
              tallies[entity] = { done: state.recordsDone, created: 0, changed: 0 };
              unchanged.push(entity);
              continue;
            }
          }
          const since = connector.changeTracking === 'modified-since' && state?.phase === 'incremental' ? state.cursor : null;
          const r = await listPages({ tenantId, provider: context.provider, entity, connector, administration, since, cursor: null, done: 0, completeWith: fingerprint });
          tallies[entity] = { done: r.done, created: r.created, changed: r.changed };
          if (r.cursor !== null) {
            await markListingsUnchanged(deps.database.sql, tenantId, unchanged);
            return { entities, tallies, next: { entityIndex: i, cursor: r.cursor, fingerprint } };
          }
        }
        await markListingsUnchanged(deps.database.sql, tenantId, unchanged);
        return { entities, tallies, next: null };
      } finally {
        release();
      }
    },

    /** Which scopes run under their own id right now (initial import or "sync now"), so the scheduled run skips them. */
    async runningSyncScopes(input: { tenantId: string }): Promise<SyncScope[]> {
      return runningScopes(input.tenantId, syncScopes);
    },

    /**
     * `sync.completed` (docs/events.md): after an initial import, and after a run that created or changed something
     * (an idle 5-minute sync says nothing). The counts are the run's own.
     */
    async recordSyncCompleted(input: { tenantId: string; scope: SyncScope | 'all'; initial: boolean; tallies: Partial<Record<Entity, EntityTally>> }): Promise<void> {
      const integ = await getIntegration(deps.database, input.tenantId);
      if (!integ) return;
      const counts = (t: EntityTally | undefined) => (t ? { listed: t.done, created: t.created, changed: t.changed } : undefined);
      await emitEvent(deps.database.sql, { tenantId: input.tenantId, type: 'sync.completed', data: {
        provider: integ.provider, scope: input.scope, initial: input.initial,
        entities: { article_groups: counts(input.tallies.article_groups), articles: counts(input.tallies.articles), customers: counts(input.tallies.customers) },
      } });
      await kickEvents(deps, input.tenantId);
    },

    /** One summary entry per initial import; incremental runs only speak when something changed (no 5-minute noise). */
    async logSyncFinished(input: { tenantId: string; scope: SyncScope; initial: boolean; tallies: Partial<Record<Entity, EntityTally>> }): Promise<void> {
      if (!input.initial) return;
      const integ = await getIntegration(deps.database, input.tenantId);
      if (!integ) return;
      const t = input.tallies;
      // Only the entities of this scope (a tally exists for each entity the run listed).
      const text = messages.initialImportFinished(integ.provider, {
        ...(t.article_groups ? { articleGroups: t.article_groups.done } : {}),
        ...(t.articles ? { articles: t.articles.done } : {}),
        ...(t.customers ? { customers: t.customers.done } : {}),
      });
      await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text });
    },
  };
}
