import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { connectorFor, currentRun, writeLog } from './deps.js';
import { getIntegration, settingsVersionAt } from '../db/queries/integration.js';
import { administrationOf, settingsSchema } from '../lib/settings.js';
import { markListingComplete, markListingStarted, readSyncState, recordProgress, recordSyncError, upsertArticleGroups, upsertArticles, upsertCustomers } from '../db/queries/sync.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { Connector, ListRequest, Page } from '../connectors/types.js';
import * as messages from '../lib/messages.js';
import { syncScopes, type Entity, type ProviderId, type SyncScope } from '../lib/providers.js';
import { workflowIds, type EntityTally } from '../lib/runs.js';
import { emitEvent } from '../db/queries/events.js';
import { kickEvents } from './events.js';

/**
 * How long one activity call keeps paging before it hands its cursor back to the workflow. Long enough that a
 * full-listing provider (one download per call) is not downloaded again every few pages; heartbeats keep it alive.
 */
const SLICE_MS = 60_000;
const MAX_PAGES_PER_CALL = 1_000;

export interface ImportPagesResult {
  cursor: string | null;
  done: number;
  created: number;
  changed: number;
}

const subjectOf: Record<Entity, messages.SyncSubject> = { article_groups: 'article_groups', articles: 'articles', customers: 'customers' };

export function syncActivities(deps: ActivityDeps) {
  async function writePage(tenantId: string, provider: ProviderId, entity: Entity, connector: Connector, req: ListRequest, beforeWrite: () => Promise<void>): Promise<Page<unknown> & { created: number; changed: number }> {
    const run = currentRun();
    const { sql } = deps.database;
    switch (entity) {
      case 'article_groups': {
        const page = await connector.listArticleGroups(req);
        await beforeWrite();
        const c = await upsertArticleGroups(sql, tenantId, provider, page.records, run, { created: messages.articleGroupAdded(), changed: messages.articleGroupChanged() });
        return { ...page, ...c };
      }
      case 'articles': {
        const page = await connector.listArticles(req);
        await beforeWrite();
        const c = await upsertArticles(sql, tenantId, provider, page.records, run, { created: messages.articleAdded(), changed: messages.articleChanged() });
        return { ...page, ...c };
      }
      case 'customers': {
        const page = await connector.listCustomers(req);
        await beforeWrite();
        const c = await upsertCustomers(sql, tenantId, provider, page.records, run, {
          created: messages.customerAdded(), changed: messages.customerChanged(), addressAdded: messages.workAddressAdded(),
        });
        return { ...page, ...c };
      }
    }
  }

  async function administrationInForce(tenantId: string): Promise<string | null> {
    const version = await settingsVersionAt(deps.database, tenantId, new Date());
    return version ? administrationOf(settingsSchema.parse(version.settings)) : null;
  }

  return {
    /**
     * Pages through one entity's listing, upserting each page (idempotent) and heartbeating the cursor after it.
     * A retry after a crash resumes from the last heartbeat; a page written twice is a no-op thanks to the upsert guard.
     */
    async importPages(input: { tenantId: string; entity: Entity; cursor: string | null; done: number; maxPages?: number }): Promise<ImportPagesResult> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { cursor: string | null; done: number } | undefined;
      let cursor = resumed ? resumed.cursor : input.cursor;
      let done = resumed ? resumed.done : input.done;
      const { tenantId, entity } = input;
      const integ = await getIntegration(deps.database, tenantId);
      if (!integ) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
      if (integ.status === 'deactivated' || integ.status === 'not_activated') {
        throw ApplicationFailure.nonRetryable(`Integration of ${tenantId} is ${integ.status}`, 'IntegrationNotActive');
      }
      const provider = integ.provider;
      // A page listed from one administration is never written after the admin chose another
      // (docs/administration-change.md): the stop is the same as a deactivation's, a cancel, not a failure.
      const administration = await administrationInForce(tenantId);
      const sameAdministration = async () => {
        if ((await administrationInForce(tenantId)) !== administration) {
          throw ApplicationFailure.nonRetryable(`Administration of ${tenantId} changed during the sync`, 'IntegrationNotActive');
        }
      };
      const state = await readSyncState(deps.database.sql, tenantId, entity);
      const since = state.phase === 'incremental' ? state.cursor : null;
      if (cursor === null && done === 0) await markListingStarted(deps.database.sql, tenantId, entity);

      let created = 0;
      let changed = 0;
      let highWaterMark: string | null | undefined;
      const started = Date.now();
      let pages = 0;
      try {
        const connector = await connectorFor(deps, tenantId, provider);
        do {
          const page = await writePage(tenantId, provider, entity, connector, { cursor, since }, sameAdministration);
          done += page.records.length;
          created += page.created;
          changed += page.changed;
          cursor = page.nextCursor;
          if (page.highWaterMark !== undefined) highWaterMark = page.highWaterMark;
          await recordProgress(deps.database.sql, tenantId, entity, done, page.total ?? null);
          ctx.heartbeat({ cursor, done });
          pages++;
        } while (cursor !== null && pages < (input.maxPages ?? MAX_PAGES_PER_CALL) && Date.now() - started < SLICE_MS && !ctx.cancellationSignal.aborted);
      } catch (err) {
        const message = err instanceof ProviderError ? err.providerMessage : String((err as Error).message ?? err);
        await recordSyncError(deps.database.sql, tenantId, entity, message);
        if (err instanceof ProviderError && !err.retryable) {
          await writeLog(deps, { tenantId, severity: 'error', table: 'Integratie', text: messages.syncFailed(provider, subjectOf[entity], err.providerMessage) });
        }
        throw toApplicationFailure(err);
      }
      // Cancelled (deactivation): acknowledge it, so the workflow ends as cancelled with its progress kept.
      if (cursor !== null && ctx.cancellationSignal.aborted) throw new CancelledFailure('Synchronisatie gestopt');
      if (cursor === null) await markListingComplete(deps.database.sql, tenantId, entity, highWaterMark ?? since, done);
      return { cursor, done, created, changed };
    },

    /** Which scopes run under their own id right now (initial import or "sync now"), so the scheduled run skips them. */
    async runningSyncScopes(input: { tenantId: string }): Promise<SyncScope[]> {
      const running: SyncScope[] = [];
      for (const scope of syncScopes) {
        const status = await deps.temporal.workflow
          .getHandle(workflowIds.sync(input.tenantId, scope))
          .describe()
          .then((d) => d.status.name)
          .catch(() => 'NOT_FOUND');
        if (status === 'RUNNING') running.push(scope);
      }
      return running;
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
