import type { Connector, ProviderCredentials } from '../connectors/types.js';
import { providers, type ProviderId } from '../lib/providers.js';
import { readCredentialRow, replaceCredentials, settingsVersionAt } from '../db/queries/integration.js';
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
  const credentials = deps.sealer.open<ProviderCredentials>(sealed);
  // Only providers with an administration to choose (dossier, company), or whose listings follow the settings
  // (the iMuis article-group filter), need their settings to make a call.
  const caps = providers[provider].capabilities;
  const settings = opts.settings !== undefined
    ? opts.settings
    : caps.chooseAdministration || caps.articleGroupFilter ? await settingsInForce(deps, tenantId) : null;
  const guard = quotaGuardOf(deps);
  const purpose = opts.purpose ?? 'sync';
  const connector = deps.createConnector(provider, {
    baseUrl: deps.baseUrl(provider),
    timeoutMs: deps.env.PROVIDER_TIMEOUT,
    credentials,
    settings,
    config: providerConfig(deps.env, provider),
    onCredentialsRefreshed: async (fresh) => replaceCredentials(deps.database, tenantId, deps.sealer.seal(fresh)),
    // Every call passes the guard: the daily quota of the API-limited packages, and any wait a package asked for.
    onRequest: (request) => acquireQuota(deps, guard, tenantId, provider, purpose, request),
    onRateLimited: (retryAfterMs: number) => guard.hold(tenantId, provider, retryAfterMs),
    // OAuth providers (activities/oauth.ts): token refresh, serialised per tenant; pending tokens are fresh.
    ...(opts.pending ? {} : oauthConnectorContext(deps, tenantId, provider)),
  });
  return isOAuthProvider(provider) ? guardDocumentCalls(connector) : connector;
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

