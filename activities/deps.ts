import { createHash } from 'node:crypto';
import type { Connector, StoredCredentials } from '../connectors/types.js';
import { providers, type ProviderId } from '../lib/providers.js';
import { readCredentialRow, settingsVersionAt } from '../db/queries/integration.js';
import * as messages from '../lib/messages.js';
import { settingsSchema, type Settings } from '../lib/settings.js';
import { formatAmsterdam, QuotaRefusal, type QuotaPurpose, type QuotaRequest } from '../lib/quota.js';
import { createQuotaGuard, type QuotaGuard } from '../db/queries/quota.js';
import { providerConfig } from '../connectors/index.js';
import { guardDocumentCalls, isOAuthProvider, oauthConnectorContext } from './oauth.js';
import { writeLog } from './log.js';
import type { ActivityDeps } from './types.js';

export { currentRun, writeLog } from './log.js';
export type { ActivityDeps } from './types.js';

const guards = new WeakMap<ActivityDeps, QuotaGuard>();

export function quotaGuardOf(deps: ActivityDeps): QuotaGuard {
  if (deps.quota) return deps.quota;
  let guard = guards.get(deps);
  if (!guard) {
    guard = createQuotaGuard({ database: deps.database, env: deps.env });
    guards.set(deps, guard);
  }
  return guard;
}

/** Day refusals already logged by this worker (one warning per tenant, provider, purpose and day is plenty). */
const loggedRefusals = new Set<string>();

/**
 * Builds the tenant's connector with its decrypted credentials. Credentials are read here, inside the
 * activity, and never passed through workflow arguments or results. `pending` picks the credentials being connected.
 */
export async function connectorFor(
  deps: ActivityDeps,
  tenantId: string,
  provider: ProviderId,
  opts: {
    pending?: boolean;
    /** What the calls are for: syncs leave the export reserve of the daily quota alone (lib/quota.ts). Default 'sync'. */
    purpose?: QuotaPurpose;
    /** The settings the connector works with (an export: the version in force at archive time); default: those in force now. */
    settings?: Settings | null;
  } = {},
): Promise<Connector> {
  const row = await readCredentialRow(deps.database, tenantId);
  const sealed = opts.pending ? row?.pendingSealed : row?.sealed;
  if (!sealed) throw new Error(`No ${opts.pending ? 'pending ' : ''}credentials stored for tenant ${tenantId}`);
  // Only providers with an administration to choose (dossier, company), or whose listings follow the settings
  // (the iMuis article-group filter), need their settings to make a call.
  const settings = opts.settings !== undefined ? opts.settings : needsSettings(provider) ? await settingsInForce(deps, tenantId) : null;
  return buildConnector(deps, tenantId, provider, sealed, settings, opts.purpose ?? 'sync', opts.pending ?? false);
}

/**
 * The export's connector, from the sealed credentials the send activity read with its export context
 * (db/queries/exports.ts loadExportContext) and the settings version in force at archive time: no second read.
 */
export function exportConnector(deps: ActivityDeps, tenantId: string, provider: ProviderId, sealed: string | null, settings: Settings): Connector {
  if (!sealed) throw new Error(`No credentials stored for tenant ${tenantId}`);
  return buildConnector(deps, tenantId, provider, sealed, settings, 'export', false);
}

/** Whether the provider's connector needs the settings in force to make a call (an administration, a listing filter). */
export function needsSettings(provider: ProviderId): boolean {
  const caps = providers[provider].capabilities;
  return Boolean(caps.chooseAdministration || caps.articleGroupFilter);
}

function buildConnector(deps: ActivityDeps, tenantId: string, provider: ProviderId, sealed: string, settings: Settings | null, purpose: QuotaPurpose, pending: boolean): Connector {
  const credentials = deps.sealer.open<StoredCredentials>(sealed);
  const guard = quotaGuardOf(deps);
  const connector = deps.createConnector(provider, {
    baseUrl: deps.baseUrl(provider),
    timeoutMs: deps.env.PROVIDER_TIMEOUT,
    credentials,
    settings,
    config: providerConfig(deps.env, provider),
    // Every call passes the guard: the daily quota of the API-limited packages, and any wait a package asked for.
    onRequest: (request) => acquireQuota(deps, guard, tenantId, provider, purpose, request),
    onRateLimited: (retryAfterMs: number) => guard.hold(tenantId, provider, retryAfterMs),
    // OAuth providers (activities/oauth.ts): token refresh, serialised per tenant; pending tokens are fresh.
    ...(pending ? {} : oauthConnectorContext(deps, tenantId, provider)),
  });
  return isOAuthProvider(provider) ? guardDocumentCalls(connector) : connector;
}

/** Sync connectors a worker keeps (most recently used first out last); one per tenant. */
const SYNC_CONNECTORS_MAX = 5_000;
interface CachedConnector {
  version: string;
  connector: Connector;
  inUse: boolean;
}
const syncConnectors = new WeakMap<ActivityDeps, Map<string, CachedConnector>>();

/**
 * The sync's connector of a tenant, kept by the worker between activities and runs (docs/idle-sync.md): built (and
 * the credentials decrypted) again only when the sealed credentials, the provider or the settings version change.
 * The caller hands in what it read already (one query, db/queries/sync.ts readSyncContext). A connector serves one
 * activity at a time (listings downloaded for paging live in it): a second one meanwhile gets a fresh, uncached one.
 * `release` must be called when the activity is done with it.
 */
export function leaseSyncConnector(
  deps: ActivityDeps,
  tenantId: string,
  provider: ProviderId,
  sealed: string,
  settings: { id: number; settings: Settings | null } | null,
): { connector: Connector; release: () => void } {
  let cache = syncConnectors.get(deps);
  if (!cache) {
    cache = new Map();
    syncConnectors.set(deps, cache);
  }
  const version = createHash('sha256').update(`${provider}\0${settings?.id ?? ''}\0${sealed}`).digest('base64url');
  const hit = cache.get(tenantId);
  if (hit && hit.version === version) {
    if (hit.inUse) return { connector: buildConnector(deps, tenantId, provider, sealed, settings?.settings ?? null, 'sync', false), release() {} };
    cache.delete(tenantId);
    cache.set(tenantId, hit);
    hit.inUse = true;
    return { connector: hit.connector, release: () => { hit.inUse = false; } };
  }
  const entry: CachedConnector = { version, connector: buildConnector(deps, tenantId, provider, sealed, settings?.settings ?? null, 'sync', false), inUse: true };
  cache.delete(tenantId);
  cache.set(tenantId, entry);
  if (cache.size > SYNC_CONNECTORS_MAX) {
    for (const [key, e] of cache) {
      if (cache.size <= SYNC_CONNECTORS_MAX) break;
      if (!e.inUse) cache.delete(key);
    }
  }
  return { connector: entry.connector, release: () => { entry.inUse = false; } };
}

async function settingsInForce(deps: ActivityDeps, tenantId: string): Promise<Settings | null> {
  const version = await settingsVersionAt(deps.database, tenantId, new Date());
  return version ? settingsSchema.parse(version.settings) : null;
}

/**
 * Every call passes the guard (with its method and path, for the packages that limit each endpoint); a day refusal
 * is logged once, saying what waits until tomorrow, so the admin sees why the sync or export stopped.
 */
async function acquireQuota(deps: ActivityDeps, guard: QuotaGuard, tenantId: string, provider: ProviderId, purpose: QuotaPurpose, request?: QuotaRequest): Promise<void> {
  try {
    await guard.acquire(tenantId, provider, purpose, request);
  } catch (err) {
    if (err instanceof QuotaRefusal && err.window === 'day' && purpose !== 'interactive') {
      const what = purpose === 'export' ? 'export' : 'sync';
      const key = `${tenantId}/${provider}/${err.endpoint ?? what}/${err.resetsAt.toISOString()}`;
      if (!loggedRefusals.has(key)) {
        if (loggedRefusals.size > 10_000) loggedRefusals.clear();
        loggedRefusals.add(key);
        const retryAt = formatAmsterdam(err.resetsAt);
        const text = err.endpoint !== undefined ? messages.octopusEndpointLimitReached(err.endpoint, err.limit, retryAt) : messages.quotaReached(provider, what, retryAt);
        await writeLog(deps, { tenantId, severity: 'warning', table: 'Integratie', text }).catch(() => {});
      }
    }
    throw err;
  }
}

