import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { connectorFor, currentRun, writeLog } from './deps.js';
import { getIntegration } from '../db/queries/integration.js';
import {
  databaseNow, importedAddressesCreatedBefore, removeArticleGroups, removeArticles, removeCustomers, removeWorkAddresses, rowsCreatedBefore,
  type RemovalCandidate, type SimonRowRef,
} from '../db/queries/cleanup.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import type { Connector, ListRequest, Page } from '../connectors/types.js';
import * as messages from '../lib/messages.js';
import { entities, type Entity, type ProviderId } from '../lib/providers.js';
import type { IntegrationStatus } from '../db/schema.js';
import { emitEvent } from '../db/queries/events.js';
import { kickEvents } from './events.js';

/**
 * The cleanup (docs/sync.md "Cleanup"): list everything the provider has, then remove from Simon what is gone or inactive
 * there and what was added in Simon itself. Deletes start only after every entity was listed completely and
 * without an error (a swallowed error must never lead to deletions: docs/sync.md "Cleanup"). The listings are held in
 * this one activity as sets of external ids only (5 MB measured for 100k short ids); a retry lists again from the start.
 */

/** Failure type of any error raised while listing: the workflow knows nothing was deleted yet. */
export const CLEANUP_LISTING_FAILED = 'CleanupListingFailed';

const HEARTBEAT_EVERY_MS = 10_000;

/** What one complete listing of one entity says: which external ids exist there, active or not. */
interface Listing {
  active: Set<string>;
  inactive: Set<string>;
  /** Customers only: external ids of the work addresses the provider still fills (`{customer}/{origin}`). */
  addresses: Set<string>;
}

export interface EntityCleanup {
  listed: number;
  removed: number;
  deactivated: number;
  /** Set when nothing of this entity was removed because the provider listed none at all. */
  skippedEmptyListing?: true;
}

export interface CleanupResult {
  /** The integration's status when the run found it not active: nothing was listed or removed. */
  skipped: IntegrationStatus | null;
  entities: Partial<Record<Entity, EntityCleanup>>;
  workAddresses: { removed: number; deactivated: number };
}

const subjectOf: Record<Entity, messages.SyncSubject> = { article_groups: 'article_groups', articles: 'articles', customers: 'customers' };

/**
 * Which Simon rows go, and why: no external id = added in Simon; listed inactive = inactive upstream;
 * not listed = deleted upstream.
 */
export function removalCandidates(rows: SimonRowRef[], listing: Listing): RemovalCandidate[] {
  const out: RemovalCandidate[] = [];
  for (const row of rows) {
    if (row.externalId === null) out.push({ ...row, reason: 'local' });
    else if (listing.active.has(row.externalId)) continue;
    else out.push({ ...row, reason: listing.inactive.has(row.externalId) ? 'inactive' : 'deleted' });
  }
  return out;
}

export function cleanupActivities(deps: ActivityDeps) {
  async function listPage(connector: Connector, entity: Entity, req: ListRequest): Promise<Page<{ externalId: string; active: boolean; addresses: string[] }>> {
    switch (entity) {
      case 'article_groups': {
        const page = await connector.listArticleGroups(req);
        return { ...page, records: page.records.map((r) => ({ externalId: r.externalId, active: r.active, addresses: [] })) };
      }
      case 'articles': {
        const page = await connector.listArticles(req);
        return { ...page, records: page.records.map((r) => ({ externalId: r.externalId, active: r.active, addresses: [] })) };
      }
      case 'customers': {
        const page = await connector.listCustomers(req);
        return {
          ...page,
          // Same external id scheme as the sync's address upsert (db/queries/sync.ts).
          records: page.records.map((r) => ({ externalId: r.externalId, active: r.active, addresses: r.workAddresses.map((w) => `${r.externalId}/${w.origin}`) })),
        };
      }
    }
  }

  /** The complete listing of one entity (since = null: every record, whatever the provider's change tracking). */
  async function listEntity(connector: Connector, entity: Entity, progress: Record<string, number>): Promise<Listing> {
    const ctx = Context.current();
    const listing: Listing = { active: new Set(), inactive: new Set(), addresses: new Set() };
    let cursor: string | null = null;
    progress[entity] = 0;
    do {
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Schoonmaak geannuleerd');
      const page = await listPage(connector, entity, { cursor, since: null });
      for (const r of page.records) {
        (r.active ? listing.active : listing.inactive).add(r.externalId);
        if (r.active) for (const a of r.addresses) listing.addresses.add(a);
      }
      progress[entity] += page.records.length;
      ctx.heartbeat({ phase: 'listing', progress });
      cursor = page.nextCursor;
    } while (cursor !== null);
    return listing;
  }

  /** Any listing error becomes one failure type, so the workflow can tell that nothing was deleted. */
  function listingFailure(err: unknown): unknown {
    if (err instanceof CancelledFailure) return err;
    if (err instanceof ProviderError) {
      const failure = toApplicationFailure(err);
      const said = [err.status !== undefined ? `HTTP ${err.status}` : null, err.providerMessage.trim() || null].filter(Boolean).join(': ');
      return ApplicationFailure.create({
        type: CLEANUP_LISTING_FAILED,
        // The provider's own words; the Dutch ProviderError text promises a retry that has already happened.
        message: said || err.message,
        nonRetryable: failure.nonRetryable ?? false,
        details: failure.details ? [...failure.details] : [],
        ...(err.retryable && err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
        cause: failure,
      });
    }
    return ApplicationFailure.create({ type: CLEANUP_LISTING_FAILED, message: String((err as Error)?.message ?? err), cause: err instanceof Error ? err : undefined });
  }

  /** Removes what the complete listings no longer show, entity by entity (each in its own transaction). */
  async function removeGone(tenantId: string, provider: ProviderId, listings: Map<Entity, Listing>, startedAt: string, result: CleanupResult): Promise<void> {
    const ctx = Context.current();
    const run = currentRun();
    const { sql } = deps.database;
    for (const entity of entities) {
      ctx.heartbeat({ phase: 'removing', entity });
      const listing = listings.get(entity)!;
      const listed = listing.active.size + listing.inactive.size;
      const rows = await rowsCreatedBefore(sql, tenantId, entity, startedAt);
      const imported = rows.filter((r) => r.externalId !== null).length;
      if (listed === 0 && imported > 0) {
        await writeLog(deps, { tenantId, severity: 'warning', table: 'Integratie', text: messages.cleanupSkippedEmptyListing(provider, subjectOf[entity], imported) });
        result.entities[entity] = { listed, removed: 0, deactivated: 0, skippedEmptyListing: true };
        continue;
      }
      const candidates = removalCandidates(rows, listing);
      let tally: { removed: number; deactivated: number };
      switch (entity) {
        case 'article_groups':
          tally = await removeArticleGroups(sql, tenantId, provider, candidates, run, { removed: (reason) => messages.articleGroupRemoved(provider, reason) });
          break;
        case 'articles':
          tally = await removeArticles(sql, tenantId, provider, candidates, run, {
            removed: (reason) => messages.articleRemoved(provider, reason),
            inUse: (reason) => messages.articleInUseDeactivated(provider, reason),
          });
          break;
        case 'customers': {
          const t = await removeCustomers(sql, tenantId, provider, candidates, run, {
            removed: (reason) => messages.customerRemoved(provider, reason),
            inUse: (reason) => messages.customerInUseDeactivated(provider, reason),
            addressRemoved: messages.workAddressRemoved(provider, 'customer-removed'),
            addressInUse: messages.workAddressInUseDeactivated(provider),
          });
          result.workAddresses.removed += t.addressesRemoved;
          result.workAddresses.deactivated += t.addressesDeactivated;
          // Imported addresses whose source address the provider no longer fills, of customers that stay.
          const leaving = new Set(candidates.map((c) => c.id));
          const gone = (await importedAddressesCreatedBefore(sql, tenantId, startedAt))
            .filter((a) => !leaving.has(a.customerId) && !listing.addresses.has(a.externalId))
            .map((a) => a.id);
          const a = await removeWorkAddresses(sql, tenantId, gone, run, {
            removed: messages.workAddressRemoved(provider, 'source-address-gone'),
            inUse: messages.workAddressInUseDeactivated(provider),
          });
          result.workAddresses.removed += a.removed;
          result.workAddresses.deactivated += a.deactivated;
          tally = t;
          break;
        }
      }
      result.entities[entity] = { listed, removed: tally.removed, deactivated: tally.deactivated };
    }
  }

  return {
    async cleanupTenant(input: { tenantId: string }): Promise<CleanupResult> {
      const ctx = Context.current();
      const { tenantId } = input;
      const result: CleanupResult = { skipped: null, entities: {}, workAddresses: { removed: 0, deactivated: 0 } };
      const integ = await getIntegration(deps.database, tenantId);
      if (!integ) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
      // Paused, deactivated or (re)activating: the cleanup only acts for an active integration.
      if (integ.status !== 'active') return { ...result, skipped: integ.status };
      const provider = integ.provider;

      const progress: Record<string, number> = {};
      let phase: 'listing' | 'removing' = 'listing';
      // Keeps the activity alive during one long provider call (a provider without paging sends everything at once).
      const beat = setInterval(() => ctx.heartbeat({ phase, progress }), HEARTBEAT_EVERY_MS);
      try {
        const listings = new Map<Entity, Listing>();
        let startedAt: string;
        try {
          startedAt = await databaseNow(deps.database.sql);
          const connector = await connectorFor(deps, tenantId, provider);
          for (const entity of entities) listings.set(entity, await listEntity(connector, entity, progress));
        } catch (err) {
          throw listingFailure(err);
        }

        // Everything was listed. The integration may have been paused or deactivated meanwhile: then remove nothing.
        const now = await getIntegration(deps.database, tenantId);
        if (now?.status !== 'active') return { ...result, skipped: now?.status ?? 'not_activated' };
        phase = 'removing';
        await removeGone(tenantId, provider, listings, startedAt, result);
        // After the last removal's transaction (each entity commits its own): a retry after a crash here removes
        // nothing more and reports that (docs/events.md).
        const counts = (e: EntityCleanup | undefined) => (e ? { listed: e.listed, removed: e.removed, deactivated: e.deactivated, skippedEmptyListing: e.skippedEmptyListing ?? false } : undefined);
        await emitEvent(deps.database.sql, { tenantId, type: 'cleanup.completed', data: {
          provider,
          entities: { article_groups: counts(result.entities.article_groups), articles: counts(result.entities.articles), customers: counts(result.entities.customers) },
          workAddresses: result.workAddresses,
        } });
        await kickEvents(deps, tenantId);
        return result;
      } finally {
        clearInterval(beat);
      }
    },

    /** One error entry when a run gave up: the admin sees that the cleanup did not happen, and why. */
    async logCleanupFailed(input: { tenantId: string; reason: string | null; nothingRemoved: boolean }): Promise<void> {
      const integ = await getIntegration(deps.database, input.tenantId);
      if (!integ) return;
      const text = messages.cleanupFailed(integ.provider, input.reason, input.nothingRemoved);
      await writeLog(deps, { tenantId: input.tenantId, severity: 'error', table: 'Integratie', text });
    },
  };
}
