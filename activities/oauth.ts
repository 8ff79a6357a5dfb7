import type { ActivityDeps } from './types.js';
import { writeLog } from './log.js';
import { oauthFactory } from '../connectors/index.js';
import { ProviderError } from '../lib/errors.js';
import type { Connector, ConnectorContext, OAuthTokens } from '../connectors/types.js';
import type { OAuthPendingCode } from '../lib/credentials.js';
import { getIntegration, readCredentialRow } from '../db/queries/integration.js';
import { pauseIfActive, replacePendingCredentials, updateCredentialsLocked } from '../db/queries/oauth.js';
import * as messages from '../lib/messages.js';
import { accessTokenExpired, isReconnectRequired } from '../lib/oauth.js';
import { providers, type ProviderId } from '../lib/providers.js';
import { setTenantSchedulesPaused } from '../lib/schedules.js';
import { kickEvents } from './events.js';

/**
 * The worker's side of the OAuth2 code flow (lib/oauth.ts): the code the API stored becomes tokens here, tokens
 * are refreshed once per tenant at a time and stored sealed, and a withdrawn authorisation pauses the
 * integration with an entry that tells the admin to connect again. Tokens never leave the activity.
 */

export function isOAuthProvider(provider: ProviderId): boolean {
  return providers[provider].connectWith === 'oauth2';
}

/**
 * The connect step of an OAuth provider: the pending credentials are `{ code, redirectUri, codeVerifier? }` as
 * the callback stored them; they are exchanged for tokens, which replace them as pending until verified. A retry
 * after the exchange finds tokens already there (a code works once).
 */
export async function exchangePendingCode(deps: ActivityDeps, tenantId: string, provider: ProviderId): Promise<void> {
  const row = await readCredentialRow(deps.database, tenantId);
  if (!row?.pendingSealed) throw new Error(`No pending credentials stored for tenant ${tenantId}`);
  // After the exchange the pending credentials are tokens (a retry of this step): nothing to exchange.
  const pending = deps.sealer.open<Partial<OAuthPendingCode>>(row.pendingSealed);
  if (!pending.code) return;
  const factory = oauthFactory(provider, deps.env);
  if (!factory) throw new Error(`${providers[provider].name} has no OAuth flow in this build`);
  const tokens = await factory.exchangeCode(pending.code, pending.redirectUri ?? '', pending.codeVerifier || undefined);
  await replacePendingCredentials(deps.database, tenantId, deps.sealer.seal(tokens));
}

/** What connectorFor adds for an OAuth provider's stored (not pending) credentials. */
export function oauthConnectorContext(deps: ActivityDeps, tenantId: string, provider: ProviderId): Pick<ConnectorContext, 'refreshCredentials'> {
  const factory = isOAuthProvider(provider) ? oauthFactory(provider, deps.env) : null;
  if (!factory) return {};
  return {
    refreshCredentials: async (stale) => {
      try {
        return await updateCredentialsLocked(deps.database, tenantId, async (sealed) => {
          const current = sealed ? deps.sealer.open<OAuthTokens>(sealed) : null;
          // Another run refreshed while this one waited for the lock: its tokens are the valid ones now.
          if (current?.accessToken && current.accessToken !== stale.accessToken && !accessTokenExpired(current)) return { sealed: null, result: current };
          const fresh = await factory.refresh(current ?? stale);
          return { sealed: deps.sealer.seal(fresh), result: fresh };
        });
      } catch (err) {
        if (isReconnectRequired(err)) await pauseForReconnect(deps, tenantId, provider, err.providerMessage);
        throw err;
      }
    },
  };
}

/** The authorisation is gone: pause (schedules too) and tell the admin to connect again, once. */
export async function pauseForReconnect(deps: ActivityDeps, tenantId: string, provider: ProviderId, providerMessage: string | null): Promise<void> {
  const integ = await getIntegration(deps.database, tenantId);
  if (integ?.status !== 'active') return;
  // Schedules first: a retry after a failure here still finds the integration active and tries again.
  await setTenantSchedulesPaused(deps.temporal, tenantId, true, 'Gepauzeerd: de koppeling is ingetrokken of verlopen');
  const text = messages.reconnectRequired(provider, providerMessage);
  if (await pauseIfActive(deps.database, tenantId, text.message)) {
    await writeLog(deps, { tenantId, severity: 'error', table: 'Integratie', text });
    await kickEvents(deps, tenantId);
  }
}

/**
 * For document calls only, a withdrawn authorisation is made retryable: the export's next attempt finds the
 * integration paused and leaves the work order pending, to be sent on resume, instead of failing it. Syncs stop
 * at once (the error stays non-retryable).
 */
export function guardDocumentCalls(connector: Connector): Connector {
  const retryable = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (err) {
      if (!isReconnectRequired(err)) throw err;
      throw new ProviderError({
        kind: 'auth', retryable: true, retryAfterMs: 1000, message: err.message, providerMessage: err.providerMessage,
        ...(err.status !== undefined ? { status: err.status } : {}),
        ...(err.provider !== undefined ? { provider: err.provider } : {}),
        ...(err.operation !== undefined ? { operation: err.operation } : {}),
      });
    }
  };
  // Prototype delegation keeps the connector's other members (and getters) as they are.
  const guarded = Object.create(connector) as Connector;
  guarded.createDocument = retryable(connector.createDocument.bind(connector));
  guarded.findDocument = retryable(connector.findDocument.bind(connector));
  if (connector.planDocument) guarded.planDocument = retryable(connector.planDocument.bind(connector));
  if (connector.listAttachments) guarded.listAttachments = retryable(connector.listAttachments.bind(connector));
  if (connector.attachFile) guarded.attachFile = retryable(connector.attachFile.bind(connector));
  return guarded;
}
